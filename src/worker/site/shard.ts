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
import { writeShardStage } from '../../data/destinations/shard-stages';
import { synthesizeFamilies } from '../engine/relational/synthesize';
import { sampleTable, type TableModel } from '../engine/table-model';
import { loadTrainedModel, type TrainedModel } from './trained-model';

/** Rows per batch written inside a shard (grouping only: the rows depend on the seed and the shard's place). */
export const SHARD_BATCH_ROWS = 4096;

/** The rows of a shard, in batches. */
export function shardBatches(model: TableModel, shard: Shard, signal?: AbortSignal): AsyncIterable<RowBatch> {
  return sampleTable(model, shard.rows, { seed: shard.seed, start: shard.start, batchSize: SHARD_BATCH_ROWS, ...(signal ? { signal } : {}) });
}

/** A generated table in batches of SHARD_BATCH_ROWS rows. */
async function* inBatches(batch: RowBatch): AsyncIterable<RowBatch> {
  for (let i = 0; i < batch.rows.length; i += SHARD_BATCH_ROWS) yield { columns: batch.columns, rows: batch.rows.slice(i, i + SHARD_BATCH_ROWS) };
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
  const families = shard.families;
  if (families) {
    const relational = trained.built.relational;
    if (!relational) throw new AppError('INTERNAL', `The model in ${job.model} is not a relational one.`);
    const part = await synthesizeFamilies(relational, {
      rootRows: families.rootRows,
      seed: shard.seed,
      from: families.from,
      to: families.to,
      signal: ctx.signal,
    });
    const tables: NonNullable<ShardProgress['tables']> = {};
    // One staging table per synthesized table, parents first; a rerun replaces each one whole.
    for (const t of trained.built.prepared.order) {
      const batch = part.tables[t]!;
      await writeShardStage(config.destination, secrets.destinationPassword, plan, t, families.stages[t]!, inBatches(batch), { signal: ctx.signal, onRows });
      tables[t] = { rows: batch.rows.length, keys: part.spans[t]! };
    }
    return { rows, worker: ctx.worker, pid, tables };
  }
  const model = trained.built.models[shard.table];
  if (!model) throw new AppError('INTERNAL', `Table "${shard.table}" has no trained model in ${job.model}.`);
  await writeShardStage(config.destination, secrets.destinationPassword, plan, shard.table, shard.stage, shardBatches(model, shard, ctx.signal), {
    signal: ctx.signal,
    onRows,
  });
  return { rows, worker: ctx.worker, pid };
}
