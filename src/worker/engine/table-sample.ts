/**
 * Sampling a fitted table model: rows are drawn in chunks of STREAM_ROWS, each chunk from its own
 * random stream named by the seed and the chunk's index (so the rows of a seed never depend on how
 * many threads, shards or calls produce them: rows [a, b) are always the same rows). A chunk's rows
 * are decoded from tokens, raked to the training marginals, passed through the privacy filter
 * (copies of rare training rows are redrawn from the chunk's stream) and numbered by their place.
 * Chunks run in this thread or on sampling threads (sample-threads.ts). Re-exported by
 * table-model.ts (the API relational synthesis imports).
 */
import type { CellValue, Row, RowBatch } from '../../shared/values';
import { decodeTokens, subColumnsOf } from './encoders/index';
import * as idEnc from './encoders/id';
import { drawFakes, mockValues } from './mock/mock-values';
import { sampleCopula } from './model/copula';
import { applyIndices, rakeWeights, resampleIndices } from './model/rake';
import type { Sampler, SamplingNet } from './model/sampler';
import { computeFor } from './model/compute';
import { currentBackend } from './backend';
import { heedCancel } from './model/trainer';
import { createRng, shuffle, streamSeed, type Rng } from './rng';
import { threadRunner, threadsFor } from './sample-threads';
import type { TableModel } from './table-model';

export interface SampleOptions {
  seed?: number;
  temperature?: number;
  /** Rows per yielded batch (grouping only: the rows do not depend on it). */
  batchSize?: number;
  /** Row-major context (count x dim) when the model was fitted with one. */
  context?: Float32Array;
  /**
   * First row: the call yields rows [start, start + count) of the seed's output, exactly as a call
   * from 0 would (ids numbered from `start`). With a context, ids only (row i is context row i).
   */
  start?: number;
  /** Sampling threads (default: the model's setting, else one per core for large outputs; 1 = this thread). */
  threads?: number;
  signal?: AbortSignal;
  /** Copula rows with stratified marginals (default) or drawn independently (a textbook Gaussian copula, for comparisons). */
  stratified?: boolean;
}

/** Rows drawn from one random stream (a chunk). Part of what a seed's output is: changing it changes every output. */
export const STREAM_ROWS = 4096;

/** What sampling reads of a fitted model (a model rebuilt on a sampling thread has only this). */
export type SamplingModel = Pick<TableModel, 'prepared' | 'copula' | 'marginals' | 'selection' | 'filter'> & { net: SamplingNet | null };

/** One chunk to draw: stream `chunk`, `rows` rows whose first is output row `first` (ids from there). */
export interface ChunkJob {
  chunk: number;
  rows: number;
  first: number;
  seed: number;
  temperature: number;
  /** Copula rows with stratified marginals (else drawn independently). */
  stratified: boolean;
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

/**
 * Decoded output columns (column-major, one array per plan). Id columns are left empty (numbered
 * once the chunk's rows are kept); mocked columns are seeded from the chunk's stream.
 */
function decodeColumns(model: SamplingModel, tokens: Int32Array[], rows: number, rng: Rng): CellValue[][] {
  const { prepared } = model;
  const mockSeed = rng.int(2 ** 30);
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
        const req = { table: prepared.table, column: p.name, generator: p.generator, templates: p.templates, count: rows, seed: mockSeed + i };
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

/** Rows [from, to) of column-major output. */
export function toRows(cols: readonly (readonly CellValue[])[], from: number, to: number): Row[] {
  const out: Row[] = new Array(Math.max(0, to - from));
  const w = cols.length;
  for (let r = from; r < to; r++) {
    const row: Row = new Array(w);
    for (let c = 0; c < w; c++) row[c] = (cols[c] as CellValue[])[r] ?? null;
    out[r - from] = row;
  }
  return out;
}

/** Rows `pick` of column-major output, column-major. */
function pickRows(cols: CellValue[][], pick: readonly number[]): CellValue[][] {
  return cols.map((col) => pick.map((r) => col[r] ?? null));
}

/** The tokens of `need` rows (blended with the copula, raked to the training marginals when the model says so). */
async function chunkTokens(model: SamplingModel, sampler: Sampler | null, need: number, rng: Rng, job: ChunkJob, ctx?: Float32Array): Promise<Int32Array[]> {
  const share = !ctx && model.copula ? (model.selection?.copulaShare ?? 0) : 0;
  if (sampler) {
    // A blend: each row from the copula with probability `share` (its rows stratified), the others from the network.
    const fromCopula = share > 0 && model.copula ? binomial(need, share, rng) : 0;
    const fromNet = need - fromCopula;
    // Raked network rows are drawn from at least RAKE_ROWS candidates (stable weights), then kept by weight.
    const rake = !ctx && model.marginals ? model.marginals : null;
    const draw = rake ? Math.max(fromNet, RAKE_ROWS) : fromNet;
    let tokens = fromNet > 0 ? await sampler.sample(draw, rng, job.temperature, ctx) : model.prepared.cards.map(() => new Int32Array(0));
    if (rake && fromNet > 0) tokens = applyIndices(tokens, resampleIndices(rakeWeights(tokens, rake, draw), rng, fromNet));
    if (fromCopula > 0 && model.copula) tokens = interleave(tokens, sampleCopula(model.copula, fromCopula, rng, job.stratified), rng);
    return tokens;
  }
  if (model.copula) return sampleCopula(model.copula, need, rng, job.stratified);
  return [];
}

/**
 * The rows of one chunk, column-major, drawn from the chunk's own stream only: `job.rows` rows
 * (fewer only if the privacy filter refuses nearly every draw), ids numbered from `job.first`.
 * With a context (row-major, one row per chunk row), row i is drawn from context row i and copies
 * are redrawn in place.
 */
export async function sampleChunk(model: SamplingModel, sampler: Sampler | null, job: ChunkJob, ctx?: Float32Array): Promise<CellValue[][]> {
  const rng = createRng(streamSeed(job.seed, job.chunk));
  const width = model.prepared.plans.length;
  let cols: CellValue[][];
  if (ctx && sampler && model.net?.arch.contextDim) {
    const K = model.net.arch.contextDim;
    cols = decodeColumns(model, await chunkTokens(model, sampler, job.rows, rng, job, ctx), job.rows, rng);
    for (let retry = 0; retry < 10; retry++) {
      const bad: number[] = [];
      for (let r = 0; r < job.rows; r++) if (model.filter.isCopyAt(cols, r)) bad.push(r);
      if (bad.length === 0) break;
      const sub = new Float32Array(bad.length * K);
      bad.forEach((r, k) => sub.set(ctx.subarray(r * K, r * K + K), k * K));
      const again = decodeColumns(model, await chunkTokens(model, sampler, bad.length, rng, job, sub), bad.length, rng);
      bad.forEach((r, k) => {
        for (let c = 0; c < width; c++) (cols[c] as CellValue[])[r] = (again[c] as CellValue[])[k] ?? null;
      });
    }
  } else {
    cols = Array.from({ length: width }, () => [] as CellValue[]);
    let have = 0;
    for (let attempt = 0; have < job.rows && attempt < 20; attempt++) {
      const need = job.rows - have;
      const drawn = decodeColumns(model, await chunkTokens(model, sampler, need, rng, job), need, rng);
      const keep: number[] = [];
      for (let r = 0; r < need; r++) if (!model.filter.isCopyAt(drawn, r)) keep.push(r);
      const part = keep.length === need ? drawn : pickRows(drawn, keep);
      if (have === 0) cols = part;
      else part.forEach((col, c) => (cols[c] as CellValue[]).push(...col));
      have += keep.length;
    }
  }
  // Ids are numbered by place after filtering: unique across chunks, calls and shards.
  const rows = cols[0]?.length ?? 0;
  model.prepared.plans.forEach((p, i) => {
    if (p.role === 'id') cols[i] = idEnc.generate(p.spec, rows, job.first, rng);
  });
  return cols;
}

/** Draws chunks in order: in this thread, or on sampling threads (several chunks in flight). */
export interface ChunkRunner {
  /** Chunks that may be asked for before the first is read (1 = one at a time). */
  readonly window: number;
  run(job: ChunkJob, ctx?: Float32Array): Promise<CellValue[][]>;
  close(): Promise<void>;
}

/** Chunks drawn in this thread, one at a time (the sampler's buffers are shared). */
export function localRunner(model: SamplingModel): ChunkRunner {
  const sampler: Sampler | null = model.net ? computeFor(currentBackend()).sampler(model.net) : null;
  return {
    window: 1,
    run: (job, ctx) => sampleChunk(model, sampler, job, ctx),
    close: async () => sampler?.dispose(),
  };
}

/** The chunks of rows [start, start + count): each chunk's rows, and the part of them the call keeps. */
export function planChunks(count: number, start: number, withContext: boolean): { chunk: number; rows: number; first: number; skip: number; take: number }[] {
  const out: { chunk: number; rows: number; first: number; skip: number; take: number }[] = [];
  if (count <= 0) return out;
  if (withContext) {
    // Row i belongs to context row i: chunks of this call's rows, nothing drawn to throw away.
    for (let at = 0, c = 0; at < count; at += STREAM_ROWS, c++) {
      const rows = Math.min(STREAM_ROWS, count - at);
      out.push({ chunk: c, rows, first: start + at, skip: 0, take: rows });
    }
    return out;
  }
  const end = start + count;
  for (let c = Math.floor(start / STREAM_ROWS); c * STREAM_ROWS < end; c++) {
    const first = c * STREAM_ROWS;
    const skip = Math.max(0, start - first);
    out.push({ chunk: c, rows: STREAM_ROWS, first, skip, take: Math.min(STREAM_ROWS, end - first) - skip });
  }
  return out;
}

/**
 * Generates `count` rows in batches (bounded memory), each already decoded and passed through the
 * privacy filter. Without a context every chunk is drawn whole (the last one too, then cut), so
 * any range of a seed's output is the same rows.
 */
export async function* sampleTable(model: TableModel, count: number, opts: SampleOptions = {}): AsyncGenerator<RowBatch> {
  const seed = opts.seed ?? model.prepared.settings.seed;
  const temperature = opts.temperature ?? model.prepared.settings.temperature;
  const batchSize = Math.max(1, opts.batchSize ?? 16384);
  const K = model.net?.arch.contextDim ?? 0;
  const ctx = opts.context && K > 0 ? opts.context : undefined;
  const chunks = planChunks(count, opts.start ?? 0, ctx !== undefined);
  if (chunks.length === 0) return;
  const runner = ctx ? localRunner(model) : await openRunner(model, chunks.length, opts.threads);
  const columns = [...model.prepared.columns];
  const pending: Promise<CellValue[][]>[] = [];
  let next = 0;
  const ask = (): void => {
    const c = chunks[next++]!;
    const sub = ctx ? ctx.subarray((c.first - (opts.start ?? 0)) * K, (c.first - (opts.start ?? 0) + c.rows) * K) : undefined;
    const p = runner.run({ chunk: c.chunk, rows: c.rows, first: c.first, seed, temperature, stratified: opts.stratified ?? true }, sub);
    p.catch(() => undefined);
    pending.push(p);
  };
  try {
    let rows: Row[] = [];
    for (let i = 0; i < chunks.length; i++) {
      await heedCancel(opts.signal);
      while (next < chunks.length && next - i < runner.window) ask();
      const cols = await pending.shift()!;
      const c = chunks[i]!;
      const have = cols[0]?.length ?? c.rows;
      for (const row of toRows(cols, Math.min(c.skip, have), Math.min(c.skip + c.take, have))) rows.push(row);
      if (rows.length >= batchSize || i === chunks.length - 1) {
        if (rows.length > 0) yield { columns, rows };
        rows = [];
      }
    }
  } finally {
    await runner.close();
  }
}

/** The runner for `chunks` chunks: sampling threads when they pay off, else this thread. */
async function openRunner(model: TableModel, chunks: number, threads?: number): Promise<ChunkRunner> {
  const n = threadsFor(chunks, threads ?? model.prepared.settings.samplingThreads);
  return (n > 1 ? threadRunner(model, n) : null) ?? localRunner(model);
}
