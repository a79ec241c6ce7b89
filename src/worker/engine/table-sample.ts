/**
 * Sampling a fitted table model: batches of rows decoded from tokens, raked to the training
 * marginals, passed through the privacy filter, ids numbered without gaps. Re-exported by
 * table-model.ts (the API relational synthesis imports).
 */
import type { CellValue, Row, RowBatch } from '../../shared/values';
import { decodeTokens, subColumnsOf } from './encoders/index';
import * as idEnc from './encoders/id';
import { drawFakes, mockValues } from './mock/mock-values';
import { sampleCopula } from './model/copula';
import { applyIndices, rakeWeights, resampleIndices } from './model/rake';
import type { Sampler } from './model/sampler';
import { computeFor } from './model/compute';
import { currentBackend } from './backend';
import { checkAborted } from './model/trainer';
import { createRng, shuffle, type Rng } from './rng';
import type { TableModel } from './table-model';

export interface SampleOptions {
  seed?: number;
  temperature?: number;
  batchSize?: number;
  /** Row-major context (count x dim) when the model was fitted with one. */
  context?: Float32Array;
  /** First id index for regenerated id columns (so batches and calls never collide). */
  idOffset?: number;
  signal?: AbortSignal;
  /** Copula rows with stratified marginals (default) or drawn independently (a textbook Gaussian copula, for comparisons). */
  stratified?: boolean;
}

/** Fewest candidate rows a raked batch is drawn from. */
const RAKE_ROWS = 2000;

/** The rows of `a` and `b` together, in random order. */
function interleave(a: Int32Array[], b: Int32Array[], rng: Rng): Int32Array[] {
  const na = a[0]?.length ?? 0;
  const rows = na + (b[0]?.length ?? 0);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  shuffle(order, rng);
  return a.map((col, j) => {
    const out = new Int32Array(rows);
    const other = b[j] as Int32Array;
    for (let i = 0; i < rows; i++) {
      const k = order[i] as number;
      out[i] = k < na ? (col[k] as number) : (other[k - na] as number);
    }
    return out;
  });
}

function binomial(n: number, p: number, rng: Rng): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng.next() < p) k++;
  return k;
}

/** Decoded output columns (column-major, one array per plan). */
function decodeColumns(model: TableModel, tokens: Int32Array[], rows: number, rng: Rng, idOffset: number, seed: number): CellValue[][] {
  const { prepared } = model;
  const cols: CellValue[][] = [];
  let k = 0;
  const tokenIndex = new Map<number, number>();
  for (const i of prepared.modelled) {
    tokenIndex.set(i, k);
    const p = prepared.plans[i]!;
    if (p.role === 'model') k += subColumnsOf(p.spec, p.name).length;
  }
  prepared.plans.forEach((p, i) => {
    switch (p.role) {
      case 'model': {
        const start = tokenIndex.get(i) as number;
        const n = subColumnsOf(p.spec, p.name).length;
        cols.push(decodeTokens(p.spec, tokens.slice(start, start + n), rng, p.name));
        break;
      }
      case 'id':
        cols.push(idEnc.generate(p.spec, rows, idOffset, rng));
        break;
      case 'null':
        cols.push(new Array<CellValue>(rows).fill(null));
        break;
      case 'keep':
      case 'mask': {
        const v = p.values;
        cols.push(Array.from({ length: rows }, () => (v.length ? (v[rng.int(v.length)] ?? null) : null)));
        break;
      }
      case 'mock': {
        const req = { table: prepared.table, column: p.name, generator: p.generator, templates: p.templates, count: rows, seed: seed + idOffset + i };
        const pool = prepared.mocking?.pools.get(i);
        cols.push(pool ? drawFakes(pool, rows, rng.next) : mockValues(req));
        break;
      }
    }
  });
  prepared.maxLengths?.forEach((max, i) => {
    const col = cols[i];
    if (max !== undefined && max > 0 && col && prepared.plans[i]!.role !== 'id') fitLength(col, max);
  });
  return cols;
}

/**
 * Texts cut to the source column's length limit (in characters, as `varchar(n)` counts them), so
 * a destination of that type never refuses a generated value (fake words, stand-ins for rare values).
 */
function fitLength(col: CellValue[], max: number): void {
  for (let r = 0; r < col.length; r++) {
    const v = col[r];
    if (typeof v === 'string' && v.length > max) {
      const chars = [...v];
      if (chars.length > max) col[r] = chars.slice(0, max).join('').trimEnd() || chars.slice(0, max).join('');
    }
  }
}

/** Rows `pick` (default all) of column-major output. */
function toRows(cols: CellValue[][], rows: number, pick?: readonly number[]): Row[] {
  const n = pick ? pick.length : rows;
  const out: Row[] = new Array(n);
  const w = cols.length;
  for (let i = 0; i < n; i++) {
    const r = pick ? (pick[i] as number) : i;
    const row: Row = new Array(w);
    for (let c = 0; c < w; c++) row[c] = (cols[c] as CellValue[])[r] ?? null;
    out[i] = row;
  }
  return out;
}

function decodeRows(model: TableModel, tokens: Int32Array[], rows: number, rng: Rng, idOffset: number, seed: number): Row[] {
  return toRows(decodeColumns(model, tokens, rows, rng, idOffset, seed), rows);
}

/**
 * Generates `count` rows in batches (bounded memory), each batch already decoded and passed
 * through the privacy filter (rows equal to a rare training row on every modelled column are
 * redrawn).
 */
export async function* sampleTable(model: TableModel, count: number, opts: SampleOptions = {}): AsyncGenerator<RowBatch> {
  const seed = opts.seed ?? model.prepared.settings.seed;
  const rng = createRng(seed + 1);
  const temperature = opts.temperature ?? model.prepared.settings.temperature;
  const batchSize = Math.max(1, opts.batchSize ?? 16384);
  const sampler: Sampler | null = model.net ? computeFor(currentBackend()).sampler(model.net) : null;
  let idOffset = opts.idOffset ?? 0;
  let nextId = opts.idOffset ?? 0;
  try {
    let produced = 0;
    while (produced < count) {
      checkAborted(opts.signal);
      const want = Math.min(batchSize, count - produced);
      const rows: Row[] = [];
      for (let attempt = 0; rows.length < want && attempt < 20; attempt++) {
        const need = want - rows.length;
        const ctx =
          opts.context && model.net?.arch.contextDim
            ? opts.context.subarray((produced + rows.length) * model.net.arch.contextDim, (produced + want) * model.net.arch.contextDim)
            : undefined;
        let tokens: Int32Array[];
        const share = !ctx && model.copula ? (model.selection?.copulaShare ?? 0) : 0;
        if (sampler) {
          // A blend: each row from the copula with probability `share` (its rows stratified), the others from the network.
          const fromCopula = share > 0 && model.copula ? binomial(need, share, rng) : 0;
          const fromNet = need - fromCopula;
          // Raked network rows are drawn from at least RAKE_ROWS candidates (stable weights), then kept by weight.
          const rake = !ctx && model.marginals ? model.marginals : null;
          const draw = rake ? Math.max(fromNet, RAKE_ROWS) : fromNet;
          tokens = fromNet > 0 ? await sampler.sample(draw, rng, temperature, ctx) : model.prepared.cards.map(() => new Int32Array(0));
          if (rake && fromNet > 0) tokens = applyIndices(tokens, resampleIndices(rakeWeights(tokens, rake, draw), rng, fromNet));
          if (fromCopula > 0 && model.copula) tokens = interleave(tokens, sampleCopula(model.copula, fromCopula, rng, opts.stratified ?? true), rng);
        } else if (model.copula) tokens = sampleCopula(model.copula, need, rng, opts.stratified ?? true);
        else tokens = [];
        const cols = decodeColumns(model, tokens, need, rng, idOffset, seed);
        idOffset += need;
        // With a context, row i belongs to context row i: copies are redrawn in place from their own context row.
        if (ctx && sampler && model.net) {
          const decoded = toRows(cols, need);
          const K = model.net.arch.contextDim;
          for (let retry = 0; retry < 10; retry++) {
            const bad = decoded.flatMap((row, i) => (model.filter.isCopy(row) ? [i] : []));
            if (bad.length === 0) break;
            const sub = new Float32Array(bad.length * K);
            bad.forEach((i, k) => sub.set(ctx.subarray(i * K, i * K + K), k * K));
            const again = decodeRows(model, await sampler.sample(bad.length, rng, temperature, sub), bad.length, rng, idOffset, seed);
            idOffset += bad.length;
            bad.forEach((i, k) => (decoded[i] = again[k] as Row));
          }
          rows.push(...decoded);
          break;
        }
        const keep: number[] = [];
        for (let r = 0; r < need; r++) if (!model.filter.isCopyAt(cols, r)) keep.push(r);
        for (const row of toRows(cols, need, keep.length === need ? undefined : keep)) rows.push(row);
      }
      produced += want;
      // Ids are numbered after filtering, so they run on without gaps across batches.
      model.prepared.plans.forEach((p, i) => {
        if (p.role !== 'id') return;
        const ids = idEnc.generate(p.spec, rows.length, nextId, rng);
        rows.forEach((row, r) => (row[i] = ids[r] ?? null));
      });
      nextId += rows.length;
      if (rows.length > 0) yield { columns: [...model.prepared.columns], rows };
    }
  } finally {
    sampler?.dispose();
  }
}
