/**
 * Choosing among sampled candidates (relational synthesis): each root row and each child row is
 * sampled a few times; the kept candidates bring the table's marginals and child counts closer to
 * the training ones (raking weights, then swaps), while every child stays under its own parent.
 * Child counts are extra columns of each parent (`__children_<table>`), learned with its values.
 */
import type { Row, RowBatch } from '../../../shared/values';
import { generate as generateIds } from '../encoders/id';
import { encodeValues } from '../encoders/index';
import { rakeWeights } from '../model/rake';
import type { CopyFilter } from '../privacy-filter';
import { createRng, type Rng } from '../rng';
import { sampleTable, trainingMarginals, type TableModel } from '../table-model';
import { downweightCopies } from './copies';

export const COUNT_PREFIX = '__children_';

export function countColumn(child: string): string {
  return COUNT_PREFIX + child;
}

/**
 * What the candidates of a table are chosen towards, learned from its training rows once and kept
 * without real values: the real child counts of every training row (counts only, by child-count
 * column) and the copy filter on the columns that reach the output (keyed hashes, copies.ts).
 */
export interface CandidateTargets {
  /** Training rows of the table. */
  rows: number;
  counts: Record<string, Int32Array>;
  copies: CopyFilter;
}

async function collect(gen: AsyncIterable<RowBatch>, columns: string[]): Promise<RowBatch> {
  const rows: Row[] = [];
  for await (const b of gen) for (const r of b.rows) rows.push(r);
  return { columns, rows };
}

/** Candidates sampled per child row; the kept one brings the table's marginals closer to the training ones. */
export const CHILD_CANDIDATES = 3;
/** Candidates per root row (roots under 2,000 rows; larger ones are raked by the table sampler). */
export const ROOT_CANDIDATES = 3;

/**
 * Children from their contexts: CHILD_CANDIDATES candidates per context row, then one kept per
 * row with probability given by raking weights towards the training marginals (child counts
 * included). Raking a context-conditioned batch by resampling rows would detach rows from their
 * parents; choosing among a row's own candidates keeps every row under its parent.
 */
export async function sampleChildren(
  tm: TableModel,
  ctx: { matrix: Float32Array; dim: number },
  n: number,
  columns: string[],
  targets: CandidateTargets,
  seed: number,
  signal?: AbortSignal,
): Promise<RowBatch> {
  const all = await sampleCandidates(tm, ctx, n, columns, seed, signal);
  return all.rows.length === n ? all : selectCandidates(tm, all, n, targets, seed);
}

/** Candidates per child row of a table (1 when its model does not rake). */
export function childCandidates(tm: TableModel, n: number): number {
  return tm.marginals === null || n === 0 ? 1 : CHILD_CANDIDATES;
}

/** childCandidates(tm, n) candidates for each of n context rows: candidate c of row r is row c·n + r. */
export async function sampleCandidates(
  tm: TableModel,
  ctx: { matrix: Float32Array; dim: number },
  n: number,
  columns: string[],
  seed: number,
  signal?: AbortSignal,
): Promise<RowBatch> {
  const k = childCandidates(tm, n);
  const big = new Float32Array(n * k * ctx.dim);
  for (let c = 0; c < k; c++) big.set(ctx.matrix.subarray(0, n * ctx.dim), c * n * ctx.dim);
  return collect(sampleTable(tm, n * k, { seed, context: big, signal }), columns);
}

/** One candidate kept per row (laid out as sampleCandidates does), then the table finished. */
export function selectCandidates(tm: TableModel, all: RowBatch, n: number, targets: CandidateTargets, seed: number): RowBatch {
  const k = all.rows.length / n;
  const { tokens, targets: marginals, w, copies } = candidateWeights(tm, all, targets);
  const rng = createRng(seed ^ 0xc4d1);
  const keep: number[] = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    let total = 0;
    for (let c = 0; c < k; c++) total += w[c * n + r]!;
    let u = rng.next() * total;
    let pick = k - 1;
    for (let c = 0; c < k; c++) {
      u -= w[c * n + r]!;
      if (u <= 0) {
        pick = c;
        break;
      }
    }
    keep[r] = pick * n + r;
  }
  balanceCounts(all, keep, ownCandidates(keep, k, n), targets, rng, { tokens, targets: marginals }, copies);
  return finishTable(tm, { columns: all.columns, rows: keep.map((i) => all.rows[i]!) }, targets, seed);
}

/** The kept rows of a whole table: rare child counts the model never proposed filled in, ids numbered. */
function finishTable(tm: TableModel, batch: RowBatch, targets: CandidateTargets, seed: number): RowBatch {
  fillCountShortfalls(batch, targets, createRng(seed ^ 0xf111));
  return renumberIds(tm, batch, seed);
}

/** Raking weights of the candidates towards the training marginals, copies of unique training rows weighed down. */
function candidateWeights(
  tm: TableModel,
  all: RowBatch,
  targets: CandidateTargets,
): { tokens: Int32Array[]; targets: Float64Array[]; w: Float64Array; copies: Uint8Array } {
  const p = tm.prepared;
  const tokens = tokensOf(tm, all);
  const marginals = tm.marginals ?? trainingMarginals(p);
  const w = rakeWeights(tokens, marginals, all.rows.length);
  const copies = downweightCopies(w, all.rows, targets.copies);
  return { tokens, targets: marginals, w, copies };
}

/** Modelled tokens of decoded rows (the columns the model generates). */
function tokensOf(tm: TableModel, batch: RowBatch): Int32Array[] {
  const p = tm.prepared;
  const tokens: Int32Array[] = [];
  for (const i of p.modelled) {
    const plan = p.plans[i]!;
    if (plan.role !== 'model') continue;
    const ci = batch.columns.indexOf(plan.name);
    for (const t of encodeValues(
      plan.spec,
      batch.rows.map((r) => r[ci] ?? null),
    ))
      tokens.push(t);
  }
  return tokens;
}

/** Regenerated key columns numbered again without gaps after candidates were dropped. */
function renumberIds(tm: TableModel, batch: RowBatch, seed: number): RowBatch {
  const rng = createRng(seed ^ 0x1d5);
  for (const plan of tm.prepared.plans) {
    if (plan.role !== 'id') continue;
    const ci = batch.columns.indexOf(plan.name);
    if (ci < 0) continue;
    const ids = generateIds(plan.spec, batch.rows.length, 0, rng);
    batch.rows.forEach((r, i) => (r[ci] = ids[i] ?? null));
  }
  return batch;
}

/**
 * Root rows: ROOT_CANDIDATES x n candidates, n of them kept without replacement with
 * probabilities from raking weights towards the training marginals (child counts included, so
 * the size of the whole database follows the data). Small roots are where sampling noise in the
 * child counts moves every table below.
 */
export async function sampleRoot(
  tm: TableModel,
  n: number,
  columns: string[],
  targets: CandidateTargets,
  seed: number,
  signal?: AbortSignal,
  /** The root's rows in the whole output (n is a family chunk's part of them). */
  whole = n,
): Promise<RowBatch> {
  const k = tm.prepared.settings.privacy.differentialPrivacy.enabled || n === 0 || whole >= 2000 ? 1 : ROOT_CANDIDATES;
  const all = await collect(sampleTable(tm, n * k, { seed, signal }), columns);
  if (k === 1) return all;
  const { tokens, targets: marginals, w, copies } = candidateWeights(tm, all, targets);
  // Weighted sampling without replacement (Efraimidis–Spirakis keys), source order kept.
  const rng = createRng(seed ^ 0x2007);
  const keys = Array.from(w, (x, i) => ({ i, key: Math.log(Math.max(1e-12, rng.next())) / Math.max(1e-12, x) }));
  keys.sort((a, b) => b.key - a.key);
  const keep = keys.slice(0, n).map((x) => x.i);
  balanceCounts(
    all,
    keep,
    sparePool(
      keep,
      keys.slice(n).map((x) => x.i),
    ),
    targets,
    rng,
    { tokens, targets: marginals },
    copies,
  );
  keep.sort((a, b) => a - b);
  return finishTable(tm, { columns, rows: keep.map((i) => all.rows[i]!) }, targets, seed);
}

/** Where a kept candidate can be replaced: a proposal for slot `a`, and what happens when it is accepted. */
interface Alternatives {
  propose(a: number, rng: Rng): number;
  accept(a: number, candidate: number): void;
}

/** Root rows: any spare candidate can replace any kept one (the replaced one becomes spare). */
function sparePool(keep: number[], spare: number[]): Alternatives {
  let last = -1;
  return {
    propose: (_a, rng) => spare[(last = rng.int(spare.length))]!,
    accept: (a, candidate) => {
      spare[last] = keep[a]!;
      keep[a] = candidate;
    },
  };
}

/** Child rows: a row's pick can only be another candidate of the same row (same parent). */
function ownCandidates(keep: number[], k: number, n: number): Alternatives {
  return {
    propose: (a, rng) => (keep[a]! + n * (1 + rng.int(k - 1))) % (n * k),
    accept: (a, candidate) => void (keep[a] = candidate),
  };
}

/**
 * Token marginals of the kept rows against the training ones, updated per swap in O(columns):
 * the sum of squared total-variation distances. Small tables are where n draws from the model
 * miss the training marginals by sampling noise alone (24 countries over 59 customers).
 */
function marginalTracker(marg: { tokens: Int32Array[]; targets: Float64Array[] }, keep: number[]): { cost(): number; move(row: number, sign: number): void } {
  const n = keep.length;
  const cols = marg.tokens.map((t, j) => ({ t, target: marg.targets[j]! })).filter((c) => c.target.length > 1);
  const hist = cols.map((c) => new Float64Array(c.target.length));
  const abs = cols.map(() => 0);
  cols.forEach((c, j) => {
    for (const r of keep) hist[j]![c.t[r]!]! += 1;
    for (let b = 0; b < c.target.length; b++) abs[j]! += Math.abs(hist[j]![b]! / n - c.target[b]!);
  });
  return {
    cost: () => abs.reduce((a, x) => a + (x / 2) ** 2, 0),
    move(row, sign) {
      cols.forEach((c, j) => {
        const b = c.t[row]!;
        const h = hist[j]!;
        abs[j]! -= Math.abs(h[b]! / n - c.target[b]!);
        h[b]! += sign;
        abs[j]! += Math.abs(h[b]! / n - c.target[b]!);
      });
    },
  };
}

/**
 * Swaps kept and spare candidates while that brings the child-count columns closer to the
 * training ones, on both their total (n x the training mean: the number of rows of every table
 * below then follows the data) and their shape (CDF on 20 training quantiles, KS-like), and
 * every modelled column's token marginals closer to the training ones. A small root's counts
 * are heavy-tailed, and n draws of them miss the total by a lot.
 */
function balanceCounts(
  all: RowBatch,
  keep: number[],
  alternatives: Alternatives,
  targets: CandidateTargets,
  rng: Rng,
  marg?: { tokens: Int32Array[]; targets: Float64Array[] },
  /** Candidates that copy a rare training row (1): never swapped in for one that does not. */
  copies?: Uint8Array,
): void {
  const cols = all.columns.map((c, i) => (c.startsWith(COUNT_PREFIX) ? i : -1)).filter((i) => i >= 0);
  if ((!cols.length && !marg) || keep.length === 0 || targets.rows === 0) return;
  const n = keep.length;
  const num = (v: unknown): number => {
    const x = Number(v);
    return Number.isFinite(x) ? x : 0;
  };
  const specs = cols
    .map((c) => {
      const real = Array.from(targets.counts[all.columns[c]!] ?? new Int32Array(targets.rows), num).sort((a, b) => a - b);
      const edges = [...new Set(Array.from({ length: 20 }, (_, q) => real[Math.min(real.length - 1, Math.floor(((q + 1) / 20) * real.length))]!))];
      const bin = (v: number): number => {
        const b = edges.findIndex((e) => v <= e);
        return b < 0 ? edges.length : b;
      };
      const cdf = new Float64Array(edges.length + 1);
      for (const v of real) cdf[bin(v)]! += 1 / real.length;
      for (let b = 1; b < cdf.length; b++) cdf[b]! += cdf[b - 1]!;
      const mean = real.reduce((a, b) => a + b, 0) / real.length;
      return { c, bin, cdf, target: mean * n };
    })
    .filter((sp) => sp.target > 0); // (a count that is 0 in the whole data has nothing to balance)
  const tracker = marg ? marginalTracker(marg, keep) : null;
  const value = (r: number, j: number): number => num(all.rows[r]![specs[j]!.c]);
  const sums = specs.map((_, j) => keep.reduce((a, r) => a + value(r, j), 0));
  const hist = specs.map((sp, j) => {
    const h = new Float64Array(sp.cdf.length);
    for (const r of keep) h[sp.bin(value(r, j))]! += 1;
    return h;
  });
  const cost = (): number =>
    (tracker?.cost() ?? 0) +
    specs.reduce((a, sp, j) => {
      let acc = 0;
      let ks = 0;
      for (let b = 0; b < sp.cdf.length; b++) {
        acc += hist[j]![b]! / n;
        ks = Math.max(ks, Math.abs(acc - sp.cdf[b]!));
      }
      // The total decides the size of every table below: it weighs most.
      return a + 100 * ((sums[j]! - sp.target) / sp.target) ** 2 + ks ** 2;
    }, 0);
  const move = (r: number, sign: number): void => {
    tracker?.move(r, sign);
    specs.forEach((sp, j) => {
      const v = value(r, j);
      sums[j]! += sign * v;
      hist[j]![sp.bin(v)]! += sign;
    });
  };
  let current = cost();
  const iterations = Math.min(20 * n, 20_000);
  for (let it = 0; it < iterations && current > 1e-6; it++) {
    const a = rng.int(n);
    const b = alternatives.propose(a, rng);
    if (copies?.[b] && !copies[keep[a]!]) continue;
    move(keep[a]!, -1);
    move(b, 1);
    const c = cost();
    if (c < current) {
      alternatives.accept(a, b);
      current = c;
    } else {
      move(b, -1);
      move(keep[a]!, 1);
    }
  }
}

/**
 * A rare child (allergies recorded at 10 of 7,584 encounters) can be so rare that the model
 * proposes no parent with any: the table would come out nearly empty. For each child-count
 * column whose total is under SHORTFALL x the training mean x rows, non-zero counts drawn from the
 * training ones go to random rows without children until the total is reached (in place).
 */
/** Share of a child table's expected size under which the missing children are filled in. */
const SHORTFALL = 0.8;

function fillCountShortfalls(batch: RowBatch, targets: CandidateTargets, rng: Rng): void {
  batch.columns.forEach((name, c) => {
    if (!name.startsWith(COUNT_PREFIX)) return;
    const real = Array.from(targets.counts[name] ?? []);
    const target = (real.reduce((a, b) => a + b, 0) / Math.max(1, real.length)) * batch.rows.length;
    const sum = batch.rows.reduce((a, r) => a + (Number(r[c]) > 0 ? Number(r[c]) : 0), 0);
    fillShortfall(batch, c, sum, target, real, rng);
  });
}

function fillShortfall(batch: RowBatch, c: number, sum: number, target: number, real: number[], rng: Rng): void {
  if (sum >= SHORTFALL * target) return;
  const nonzero = real.filter((v) => v > 0);
  if (!nonzero.length) return;
  const empty = batch.rows.filter((r) => !(Number(r[c]) > 0));
  for (let i = empty.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [empty[i], empty[j]] = [empty[j]!, empty[i]!];
  }
  for (const r of empty) {
    if (sum >= target) break;
    const v = nonzero[rng.int(nonzero.length)]!;
    r[c] = v;
    sum += v;
  }
}
