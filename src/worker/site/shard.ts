/**
 * One generation shard on a site worker: rows [start, start + rows) of a table's output for the
 * generation seed, the same rows an unsharded run makes there (ids from `start`), so they depend
 * on the seed and the shard's place only, never on the worker that runs it. They go into the shard's staging
 * table in one transaction (see data/destinations/shard-stages.ts).
 */
import { activeForeignKeys } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { Shard, ShardJob, ShardProgress } from '../../shared/site';
import type { RowBatch } from '../../shared/values';
import { openSecrets } from '../../data/queue/site-queue';
import { outputTableMetas } from '../../data/destinations/output-tables';
import { stageChildCounts, writeShardStage } from '../../data/destinations/shard-stages';
import type { OutputPart, PartBatch, PartKeys } from '../engine/stages/dataset';
import { generateStage } from '../engine/stages/generate';
import { loadTrainedModel, type TrainedModel } from './trained-model';

/** Rows per batch written inside a shard (grouping only: the rows depend on the seed and the shard's place). */
export const SHARD_BATCH_ROWS = 4096;

/** The part of the output a shard generates. */
export function partOf(shard: Shard): OutputPart {
  const f = shard.families;
  if (f) return { kind: 'families', from: f.from, to: f.to, rootRows: f.rootRows };
  if (shard.original) return { kind: 'original', table: shard.table };
  return { kind: 'rows', table: shard.table, start: shard.start, rows: shard.rows };
}

/** The staging table of each table a shard writes, parents first. */
function stagesOf(shard: Shard, order: string[]): [table: string, stage: string][] {
  const f = shard.families;
  return f ? order.map((t) => [t, f.stages[t]!]) : [[shard.table, shard.stage]];
}

/**
 * A part's batches split by table, in the order given: `next(table)` yields the batches of that
 * table (none when the part has no rows of it) and counts them in `rows`; `keys()` is what the
 * part returned once read; `ready()` generates up to the first batch (a relational part
 * generates all its rows there, before any destination session opens).
 */
function tableReader(part: AsyncGenerator<PartBatch, PartKeys>): {
  rows: Record<string, number>;
  ready(): Promise<void>;
  next(table: string): AsyncIterable<RowBatch>;
  keys(): Promise<PartKeys>;
} {
  let head: IteratorResult<PartBatch, PartKeys> | null = null;
  const peek = async (): Promise<IteratorResult<PartBatch, PartKeys>> => (head ??= await part.next());
  const rows: Record<string, number> = {};
  return {
    rows,
    async ready() {
      await peek();
    },
    async *next(table) {
      rows[table] ??= 0;
      for (let r = await peek(); !r.done && r.value.table === table; r = await peek()) {
        head = null;
        rows[table] += r.value.batch.rows.length;
        yield r.value.batch;
      }
    },
    async keys() {
      const r = await peek();
      if (!r.done) throw new AppError('INTERNAL', `A shard generated rows of "${r.value.table}" out of its tables' order.`);
      return r.value;
    },
  };
}

/** The model of the last execution this worker generated shards for (shards of one execution usually follow each other). */
export class ModelCache {
  private entry: { key: string; model: Promise<TrainedModel> } | null = null;

  get(key: string, load: () => Promise<TrainedModel>): Promise<TrainedModel> {
    if (this.entry?.key === key) return this.entry.model;
    const previous = this.entry;
    const model = load();
    this.entry = { key, model };
    model.catch(() => {
      if (this.entry?.model === model) this.entry = null;
    });
    if (previous) void previous.model.then((m) => m.dispose()).catch(() => undefined);
    return model;
  }

  async clear(): Promise<void> {
    const e = this.entry;
    this.entry = null;
    if (e) await (await e.model.catch(() => null))?.dispose();
  }
}

export interface ShardContext {
  keyFile: string;
  cache: ModelCache;
  /** This worker as progress names it (host:pid). */
  worker: string;
  signal: AbortSignal;
  progress: (p: ShardProgress) => void;
}

export async function runShard(job: ShardJob, ctx: ShardContext): Promise<ShardProgress> {
  const { config, shard } = job;
  if (config.destination.kind !== 'database')
    throw new AppError('BAD_REQUEST', 'A shard needs a database destination.', { fix: 'Give the synthesis a PostgreSQL destination.' });
  const secrets = openSecrets(ctx.keyFile, job.sealed);
  const trained = await ctx.cache.get(`${job.executionId}\u0000${job.model}`, () => loadTrainedModel(config, job.model, secrets, ctx.signal));
  const plan = { tables: outputTableMetas(config, trained.metadata), relationships: activeForeignKeys(config) };
  let rows = 0;
  const pid = process.pid;
  ctx.progress({ rows, worker: ctx.worker, pid });
  const onRows = (n: number): void => {
    rows += n;
    ctx.progress({ rows, worker: ctx.worker, pid });
  };
  const part = generateStage.part({ built: trained.built, part: partOf(shard), seed: shard.seed, batchSize: SHARD_BATCH_ROWS, signal: ctx.signal });
  const reader = tableReader(part);
  await reader.ready();
  // One staging table per table of the part, parents first; a rerun replaces each one whole.
  for (const [table, stage] of stagesOf(shard, trained.built.prepared.order))
    await writeShardStage(config.destination, secrets.destinationPassword, plan, table, stage, reader.next(table), { signal: ctx.signal, onRows });
  const keys = await reader.keys();
  if (!shard.families) return { rows, worker: ctx.worker, pid };
  const tables = Object.fromEntries(Object.entries(reader.rows).map(([t, n]) => [t, { rows: n, keys: keys[t] ?? 0 }]));
  // Whole families: the shard's children per parent are counted on its staging tables, for the report.
  const childCounts = await stageChildCounts(config.destination, secrets.destinationPassword, plan, shard.families.stages);
  return { rows, worker: ctx.worker, pid, tables, childCounts };
}
