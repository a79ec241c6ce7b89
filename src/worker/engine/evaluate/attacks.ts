/**
 * The attacks an auditor runs on a synthetic table, each measured against a control set of real
 * rows the model never saw (the method of the open-source `anonymeter` package):
 *
 * - Singling-out (multivariate): predicates of up to 4 conditions built from synthetic rows
 *   (`col == value` for categories, `col <= value` / `col >= value` for numbers) that match
 *   exactly one synthetic row; success when the predicate matches exactly one training row.
 * - Linkability: the columns are split in two halves; a target row is linked when the synthetic
 *   rows nearest to it on the first half and on the second half share a row.
 * - Attribute inference: for a secret column, the value of the synthetic row nearest to the
 *   target on all the other columns is the guess (categories: equal; numbers: within 5%).
 *
 * The same attack on control targets gives the rate achievable without the training rows
 * (generalisation); the risk is (attack rate − control rate) / (1 − control rate), 0 when the
 * synthetic data tells nothing more about its training rows than about anybody else, with a 95%
 * interval from the Wilson interval of the attack rate.
 *
 * Membership inference: a distance attacker calls a row a member when it is close to some
 * synthetic row; AUC of that score between training rows (members) and holdout rows
 * (non-members), 0.5 = the attacker cannot tell.
 */
import { runSteps, type Steps } from '../steps';
import type { RowBatch } from '../../../shared';
import { isContinuous, isEvaluated, type ColumnSpec } from './columns';
import { encodeForDistance, nearestSets, nearestTwo, type ColumnSubset, type EncodedRows } from './distance';
import { rng, sampleRows } from './sample';

export interface AttackRisk {
  /** Success rate on training targets and on control targets. */
  attackRate: number;
  controlRate: number;
  attacks: number;
  /** (attack − control) / (1 − control), clamped at 0, with a 95% interval. */
  risk: number;
  riskLow: number;
  riskHigh: number;
}

export interface AttackResult {
  singlingOut: AttackRisk | null;
  linkability: AttackRisk | null;
  /** The secret column with the highest risk, and the risks of every column tried. */
  inference: (AttackRisk & { column: string }) | null;
  inferenceColumns: { column: string; risk: number }[];
  /** AUC of the distance attacker (0.5 = no membership signal). */
  membershipAuc: number | null;
  sizes: { targets: number; synthetic: number };
}

export interface AttackInput {
  train: RowBatch;
  control: RowBatch;
  synthetic: RowBatch;
  columns: ColumnSpec[];
  /** Targets per attack (default 500) and synthetic rows searched (default 3,000). */
  attacks?: number;
  maxSyntheticRows?: number;
  /** Secret columns tried for attribute inference (default 6). */
  maxSecrets?: number;
  seed?: number;
}

export { ATTACK_RISK_THRESHOLD, MIA_AUC_ACCEPTABLE, MIA_AUC_AT_RISK } from '../../../report/schema';

const Z = 1.96;

function wilson(successes: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const d = 1 + (Z * Z) / n;
  const c = (p + (Z * Z) / (2 * n)) / d;
  const h = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

export function attackRisk(successes: number, n: number, controlSuccesses: number, controlN: number): AttackRisk {
  const attackRate = n ? successes / n : 0;
  const controlRate = controlN ? controlSuccesses / controlN : 0;
  const norm = (r: number): number => (controlRate >= 1 ? 0 : Math.max(0, Math.min(1, (r - controlRate) / (1 - controlRate))));
  const [lo, hi] = wilson(successes, n);
  return { attackRate, controlRate, attacks: n, risk: norm(attackRate), riskLow: norm(lo), riskHigh: norm(hi) };
}

type Condition = { num: true; j: number; ge: boolean; v: number } | { num: false; j: number; v: number };

function matches(rows: EncodedRows, i: number, q: Condition[]): boolean {
  for (const c of q) {
    if (c.num) {
      const x = rows.num[i * rows.numCols + c.j]!;
      if (!(c.ge ? x >= c.v : x <= c.v)) return false;
    } else if (rows.cat[i * rows.catCols + c.j] !== c.v) return false;
  }
  return true;
}

/** Rows matching a predicate, counting up to 2 (enough to know "exactly one"). */
function countUpTo2(rows: EncodedRows, q: Condition[]): number {
  let n = 0;
  for (let i = 0; i < rows.n && n < 2; i++) if (matches(rows, i, q)) n++;
  return n;
}

function singlingOut(syn: EncodedRows, train: EncodedRows, control: EncodedRows, n: number, random: () => number): AttackRisk | null {
  const cols = syn.numCols + syn.catCols;
  if (cols === 0 || syn.n === 0) return null;
  const width = Math.min(4, cols);
  const seen = new Set<string>();
  const queries: Condition[][] = [];
  for (let tries = 0; tries < n * 20 && queries.length < n; tries++) {
    const r = Math.floor(random() * syn.n);
    const picked = new Set<number>();
    while (picked.size < width) picked.add(Math.floor(random() * cols));
    const q: Condition[] = [...picked]
      .sort((a, b) => a - b)
      .map((k) => {
        if (k < syn.numCols) return { num: true, j: k, ge: random() < 0.5, v: syn.num[r * syn.numCols + k]! };
        return { num: false, j: k - syn.numCols, v: syn.cat[r * syn.catCols + (k - syn.numCols)]! };
      });
    if (q.some((c) => c.num && Number.isNaN(c.v))) continue;
    const key = JSON.stringify(q);
    if (seen.has(key)) continue;
    seen.add(key);
    if (countUpTo2(syn, q) === 1) queries.push(q);
  }
  if (queries.length === 0) return null;
  const hits = (rows: EncodedRows): number => queries.reduce((s, q) => s + (countUpTo2(rows, q) === 1 ? 1 : 0), 0);
  return attackRisk(hits(train), queries.length, hits(control), queries.length);
}

function allColumns(e: EncodedRows): ColumnSubset {
  return { num: Array.from({ length: e.numCols }, (_, j) => j), cat: Array.from({ length: e.catCols }, (_, j) => j) };
}

function linkability(syn: EncodedRows, train: EncodedRows, control: EncodedRows, random: () => number): AttackRisk | null {
  const ids = [...allColumns(syn).num.map((j) => ({ num: true, j })), ...allColumns(syn).cat.map((j) => ({ num: false, j }))];
  if (ids.length < 2) return null;
  for (let i = ids.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [ids[i], ids[k]] = [ids[k]!, ids[i]!];
  }
  const half = Math.floor(ids.length / 2);
  const subset = (part: typeof ids): ColumnSubset => ({ num: part.filter((c) => c.num).map((c) => c.j), cat: part.filter((c) => !c.num).map((c) => c.j) });
  const a = subset(ids.slice(0, half));
  const b = subset(ids.slice(half));
  const linked = (targets: EncodedRows): number => {
    const na = nearestSets(targets, syn, a);
    const nb = nearestSets(targets, syn, b);
    let hits = 0;
    for (let i = 0; i < targets.n; i++) {
      const s = new Set(na[i]);
      if (nb[i]!.some((r) => s.has(r))) hits++;
    }
    return hits;
  };
  return attackRisk(linked(train), train.n, linked(control), control.n);
}

function inference(syn: EncodedRows, train: EncodedRows, control: EncodedRows, secret: { num: boolean; j: number }): AttackRisk {
  const all = allColumns(syn);
  const aux: ColumnSubset = { num: all.num.filter((j) => !(secret.num && j === secret.j)), cat: all.cat.filter((j) => !(!secret.num && j === secret.j)) };
  const guessed = (targets: EncodedRows): number => {
    const sets = nearestSets(targets, syn, aux);
    let hits = 0;
    for (let i = 0; i < targets.n; i++) {
      const set = sets[i]!;
      if (set.length === 0) continue;
      if (secret.num) {
        const truth = targets.num[i * targets.numCols + secret.j]!;
        const vals = set
          .map((r) => syn.num[r * syn.numCols + secret.j]!)
          .filter((v) => !Number.isNaN(v))
          .sort((x, y) => x - y);
        const guess = vals.length ? vals[Math.floor(vals.length / 2)]! : NaN;
        if (Number.isNaN(truth) ? Number.isNaN(guess) : Math.abs(guess - truth) <= 0.05 * Math.abs(truth)) hits++;
      } else {
        const votes = new Map<number, number>();
        for (const r of set) {
          const v = syn.cat[r * syn.catCols + secret.j]!;
          votes.set(v, (votes.get(v) ?? 0) + 1);
        }
        let guess = -1;
        let best = 0;
        for (const [v, c] of votes) if (c > best) [guess, best] = [v, c];
        if (guess === targets.cat[i * targets.catCols + secret.j]) hits++;
      }
    }
    return hits;
  };
  return attackRisk(guessed(train), train.n, guessed(control), control.n);
}

/** AUC of "closer to the synthetic data = member" between members and non-members (ties ½). */
export function membershipAuc(memberDistances: Float64Array, otherDistances: Float64Array): number {
  const all = [...Array.from(memberDistances, (d) => ({ d, m: 1 })), ...Array.from(otherDistances, (d) => ({ d, m: 0 }))].sort((x, y) => x.d - y.d);
  // Mann–Whitney U with mid-ranks; a smaller distance ranks as a stronger "member" signal.
  let rankSumMembers = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.d === all[i]!.d) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k]!.m) rankSumMembers += rank;
    i = j;
  }
  const n1 = memberDistances.length;
  const n0 = otherDistances.length;
  if (n1 === 0 || n0 === 0) return NaN;
  const u = rankSumMembers - (n1 * (n1 + 1)) / 2;
  return 1 - u / (n1 * n0);
}

/** All the attacks on one table. Null when there is no control set. */
export function evaluateAttacks(input: AttackInput): AttackResult | null {
  return runSteps(attackSteps(input));
}

/** evaluateAttacks in steps: a yield after each attack and each attribute inferred. */
export function* attackSteps(input: AttackInput): Steps<AttackResult | null> {
  const columns = input.columns.filter((c) => isEvaluated(c.sdtype));
  if (columns.length === 0 || input.control.rows.length === 0 || input.train.rows.length === 0 || input.synthetic.rows.length === 0) return null;
  const random = rng(input.seed ?? 17);
  const n = Math.min(input.attacks ?? 500, input.train.rows.length, input.control.rows.length);
  const trainT = sampleRows(input.train, n, random);
  const controlT = sampleRows(input.control, n, random);
  const synS = sampleRows(input.synthetic, input.maxSyntheticRows ?? 3000, random);
  // Singling-out compares match counts: training and control sets of equal size.
  const m = Math.min(input.train.rows.length, input.control.rows.length, 5000);
  const trainAll = sampleRows(input.train, m, random);
  const controlAll = sampleRows(input.control, m, random);
  const [syn, train, control, trainM, controlM] = encodeForDistance(input.train, [synS, trainT, controlT, trainAll, controlAll], columns) as EncodedRows[] as [
    EncodedRows,
    EncodedRows,
    EncodedRows,
    EncodedRows,
    EncodedRows,
  ];
  const numeric = columns.filter((c) => isContinuous(c.sdtype));
  const discrete = columns.filter((c) => !isContinuous(c.sdtype));
  const secrets = [...numeric.map((c, j) => ({ name: c.name, num: true, j })), ...discrete.map((c, j) => ({ name: c.name, num: false, j }))];
  for (let i = secrets.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [secrets[i], secrets[k]] = [secrets[k]!, secrets[i]!];
  }
  const tried = secrets.length > 1 ? secrets.slice(0, input.maxSecrets ?? 6) : [];
  yield;
  const inferences: (AttackRisk & { column: string })[] = [];
  for (const s of tried) {
    inferences.push({ column: s.name, ...inference(syn, train, control, s) });
    yield;
  }
  const worst = inferences.reduce<(AttackRisk & { column: string }) | null>((w, x) => (w === null || x.risk > w.risk ? x : w), null);
  const members = nearestTwo(train, syn).d1;
  yield;
  const mia = membershipAuc(members, nearestTwo(control, syn).d1);
  yield;
  const singledOut = singlingOut(syn, trainM, controlM, n, random);
  yield;
  return {
    singlingOut: singledOut,
    linkability: linkability(syn, train, control, random),
    inference: worst,
    inferenceColumns: inferences.map((x) => ({ column: x.column, risk: x.risk })),
    membershipAuc: Number.isFinite(mia) ? mia : null,
    sizes: { targets: n, synthetic: syn.n },
  };
}
