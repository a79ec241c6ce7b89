/**
 * The coordinating side of a sharded generation, run by the site worker that took the execution:
 * it cuts every synthesized table into seed-determined shards, puts one job per shard on the
 * shards queue (any free worker takes them, this one included), follows their progress, and when
 * every shard is in its staging table swaps them into the destination in one transaction.
 *
 * A worker that dies mid-shard loses nothing: its job's lock expires, BullMQ's stalled-job check
 * puts it back on the queue and another worker runs it again; the shard's transaction never
 * committed, and a rerun rewrites the same rows (they depend on the seed and the shard's place).
 */
import { randomBytes } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import { activeForeignKeys, synthesizedTables } from '../../shared/config';
import { AppError, appErrorShapeSchema } from '../../shared/errors';
import { planShards, shardProgressSchema, shardStageName, type Shard, type ShardJob, type ShardProgress } from '../../shared/site';
import { outputTableMetas } from '../../data/destinations/output-tables';
import { dropShardStages, SHARD_STAGE_PREFIX, shardRefusal, stageChildCounts, swapShardStages, type StageKeyShift } from '../../data/destinations/shard-stages';
import { relationshipKey } from '../../shared/metadata';
import { isRelational } from '../engine/stages/engines';
import { outputRows } from '../engine/stages/output-rows';
import { relationalOutputRows } from '../engine/stages/relational-engine';
import { familyChunkCount, keyShifts as familyKeyShifts, regeneratedKey, type KeyShift } from '../engine/relational/families';
import { generateStage } from '../engine/stages/generate';
import { originalsParentsFirst } from '../engine/relational/synthesize';
import { reportRows } from '../engine/report/build';
import { addChildCounts, type ChildCountHistogram } from '../../shared/table-stats';
import type { Distributor, StartCommand } from '../jobs/run-job';
import { partOf, SHARD_BATCH_ROWS } from './shard';

export interface DistributorContext {
  executionId: string;
  config: StartCommand['config'];
  sealed: string;
  shardRows: number;
  destinationPassword: string | undefined;
  queueName: string;
  shards: Queue;
  events: QueueEvents;
  /** Tells every worker to stop this execution's shards (the cancel key). */
  stopShards: () => Promise<void>;
  /** The site's list of runs with staging tables (see stage-registry.ts): recorded before the first shard, forgotten once swapped or dropped. */
  runs: { record(prefix: string): Promise<void>; forget(prefix: string): Promise<void> };
  /** How long a shard may still run after its cancel key is set (a worker polls it every second; a dead one loses its lock). */
  stopWaitMs: number;
  log: (message: string) => void;
}

export function queueDistributor(ctx: DistributorContext): Distributor {
  const run = randomBytes(3).toString('hex');
  const prefix = `${SHARD_STAGE_PREFIX}${ctx.executionId
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 12)
    .toLowerCase()}_${run}`;
  const jobIds: string[] = [];
  let stages: Record<string, string[]> = {};
  let plan: Parameters<typeof swapShardStages>[2] | null = null;
  let keyShifts: Record<string, KeyShift[]> | null = null;
  let stageShifts: Record<string, StageKeyShift[]> = {};
  const destination = ctx.config.destination;

  return {
    refusal(config) {
      if (config.destination.kind !== 'database') return 'the output goes to the local store (sharding writes a database destination)';
      const dest = shardRefusal(config.destination);
      if (dest) return dest;
      if (isRelational(config)) return relationalRefusal(config);
      const synthesized = new Set(synthesizedTables(config));
      if (activeForeignKeys(config).some((fk) => synthesized.has(fk.childTable))) return 'tables with foreign keys are generated in one process';
      return null;
    },

    async generate(args) {
      if (destination.kind !== 'database') throw new AppError('INTERNAL', 'Sharded generation without a database destination.');
      plan = { tables: outputTableMetas(ctx.config, args.metadata), relationships: activeForeignKeys(ctx.config) };
      const { prepared } = args.built;
      const relational = args.built.relational ? planFamilyShards(args.built, args.count, ctx.shardRows, args.seed, prefix) : null;
      keyShifts = relational?.shifts ?? null;
      const all: Shard[] = [
        ...(relational?.shards ??
          prepared.order.flatMap((table, t) =>
            planShards(table, t, args.count ?? outputRows(ctx.config, prepared.sourceRows[table] ?? 0), ctx.shardRows, args.seed, prefix),
          )),
        // Each original-data table is copied once, by one shard, into its own staging table.
        ...originalsParentsFirst(ctx.config).map((table, index, originals): Shard => ({
          table,
          index,
          of: originals.length,
          start: 0,
          rows: Math.max(1, prepared.sourceRows[table] ?? 0),
          seed: args.seed,
          // Numbered after the synthesized tables.
          stage: shardStageName(prefix, prepared.order.length + index, 0),
          original: true,
        })),
      ];
      stages = {};
      for (const s of all)
        if (s.families) for (const [table, stage] of Object.entries(s.families.stages)) (stages[table] ??= []).push(stage);
        else (stages[s.table] ??= []).push(s.stage);
      const total = all.reduce((a, s) => a + s.rows, 0);
      ctx.log(`Generation in ${all.length} shard(s) of up to ${ctx.shardRows.toLocaleString('en-US')} rows on the site's workers (queue "${ctx.queueName}").`);
      const idOf = (s: Shard): string => `${ctx.executionId}.${run}.${s.original ? 'o' : prepared.order.indexOf(s.table)}.${s.index}`;
      const done = new Map<string, number>();
      const byId = new Map(all.map((s) => [idOf(s), s]));
      const onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
        const shard = byId.get(jobId);
        const p = shardProgressSchema.safeParse(data);
        if (!shard || !p.success) return;
        done.set(jobId, p.data.rows);
        args.onProgress(
          [...done.values()].reduce((a, b) => a + b, 0),
          total,
          shard.table,
        );
      };
      ctx.events.on('progress', onProgress);
      try {
        await ctx.runs.record(prefix);
        const jobs = await ctx.shards.addBulk(
          all.map((shard) => {
            const data: ShardJob = { executionId: ctx.executionId, config: ctx.config, model: args.model, sealed: ctx.sealed, shard };
            return {
              name: 'shard',
              data,
              opts: {
                jobId: idOf(shard),
                attempts: 3,
                backoff: { type: 'fixed', delay: 1000 },
                removeOnComplete: { age: 86_400 },
                removeOnFail: { age: 604_800 },
              },
            };
          }),
        );
        jobIds.push(...jobs.map((j) => j.id!));
        // The report's synthetic sample: the first shards' rows again, generated here while the workers write.
        const sampled = sampleForReport(args, all);
        // Awaited below once the shards are done; a failure before then is the shards' (and must not go unhandled).
        sampled.catch(() => undefined);
        const finished = Promise.all(jobs.map((j) => j.waitUntilFinished(ctx.events)));
        const canceled = new Promise<never>((_, reject) => {
          const stop = (): void => reject(new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.'));
          if (args.signal.aborted) stop();
          else args.signal.addEventListener('abort', stop, { once: true });
        });
        let results: unknown[];
        try {
          results = await Promise.race([finished, canceled]);
        } catch (e) {
          throw shardFailure(e);
        }
        await Promise.race([sampled, canceled]);
        const rows: Record<string, number> = {};
        const done: ShardProgress[] = [];
        results.forEach((r, i) => {
          const shard = all[i]!;
          const p: ShardProgress = shardProgressSchema.safeParse(r).data ?? { rows: 0, worker: '', pid: 0 };
          done.push(p);
          if (p.tables) for (const [t, x] of Object.entries(p.tables)) rows[t] = (rows[t] ?? 0) + x.rows;
          else rows[shard.table] = (rows[shard.table] ?? 0) + p.rows;
        });
        stageShifts = keyShifts ? stageKeyShifts(all, done, keyShifts) : {};
        args.onProgress(total, total);
        // Each shard holds whole families: their children per parent add up to the output's. The
        // links no shard holds whole (into original data) are counted over every staging table.
        const childCounts: Record<string, ChildCountHistogram> = {};
        for (const p of done) for (const [k, h] of Object.entries(p.childCounts ?? {})) childCounts[k] = addChildCounts(childCounts[k] ?? [], h);
        const across = plan.relationships.filter((fk) => !childCounts[relationshipKey(fk)]);
        Object.assign(childCounts, await stageChildCounts(destination, ctx.destinationPassword, plan, stages, across));
        return { rows, ...(relational || Object.keys(childCounts).length ? { childCounts } : {}) };
      } finally {
        ctx.events.off('progress', onProgress);
      }
    },

    async swap(signal) {
      if (destination.kind !== 'database' || !plan) throw new AppError('INTERNAL', 'Nothing was generated to swap in.');
      const rows = await swapShardStages(destination, ctx.destinationPassword, plan, stages, { signal, shifts: stageShifts });
      await ctx.runs.forget(prefix).catch(() => undefined);
      return rows;
    },

    async discard() {
      if (destination.kind !== 'database') return;
      // Shards still running stop (they watch the cancel key); waiting ones are taken off the queue.
      await ctx.stopShards().catch(() => undefined);
      await Promise.all(jobIds.map((id) => ctx.shards.remove(id).catch(() => 0)));
      // A shard that is still writing would leave its staging table after the drop: wait until none runs.
      const until = Date.now() + ctx.stopWaitMs;
      while (Date.now() < until) {
        const states = await Promise.all(jobIds.map((id) => ctx.shards.getJobState(id).catch(() => 'unknown')));
        if (!states.includes('active')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await dropShardStages(destination, ctx.destinationPassword, prefix);
      await ctx.runs.forget(prefix);
    },
  };
}

/**
 * A relational output's shards: runs of whole family chunks of about `shardRows` rows each, one
 * staging table per synthesized table and shard. The chunks, and so the rows, depend on the seed
 * and the root sizes only.
 */
function planFamilyShards(
  built: Parameters<Distributor['generate']>[0]['built'],
  count: number | undefined,
  shardRows: number,
  seed: number,
  prefix: string,
): { shards: Shard[]; shifts: Record<string, KeyShift[]> } {
  const model = built.relational!;
  const { order } = built.prepared;
  const config = model.prepared.input.config;
  const keys = familyKeyShifts(config, model.prepared.plan, model.prepared.prepared);
  if (!('shifts' in keys))
    throw new AppError('BAD_REQUEST', `This relational output cannot be generated in shards: ${keys.problem}.`, {
      fix: 'Set the referenced key to Synthesize (a kept, masked or mocked key, or a key that is itself a foreign key, is not numbered per shard), or run the execution without a site queue.',
    });
  const { rootRows, expected } = relationalOutputRows(built.prepared, count);
  const chunks = familyChunkCount(rootRows);
  const perChunk = Object.values(expected).reduce((a, b) => a + b, 0) / chunks;
  const step = Math.max(1, Math.floor(shardRows / Math.max(1, perChunk)));
  const of = Math.ceil(chunks / step);
  const shards = Array.from({ length: of }, (_, index): Shard => {
    const from = index * step;
    const to = Math.min(chunks, from + step);
    const stages = Object.fromEntries(order.map((t, i) => [t, shardStageName(prefix, i, index)]));
    return {
      table: model.prepared.plan.roots[0]!,
      index,
      of,
      start: from,
      rows: Math.max(1, Math.round(perChunk * (to - from))),
      seed,
      stage: stages[order[0]!]!,
      families: { from, to, rootRows, stages },
    };
  });
  return { shards, shifts: keys.shifts };
}

/** How far each relational shard's keys move when swapped in: by the keys the shards before it numbered, per table. */
function stageKeyShifts(all: Shard[], done: ShardProgress[], shifts: Record<string, KeyShift[]>): Record<string, StageKeyShift[]> {
  const out: Record<string, StageKeyShift[]> = {};
  const offsets: Record<string, number> = {};
  all.forEach((shard, i) => {
    const f = shard.families;
    const tables = done[i]?.tables;
    if (!f || !tables) return;
    for (const [t, stage] of Object.entries(f.stages))
      out[stage] = (shifts[t] ?? []).flatMap((k) => (k.spec.format === 'uuid' ? [] : [{ column: k.column, key: k.spec, by: offsets[k.of] ?? 0 }]));
    for (const [t, x] of Object.entries(tables)) offsets[t] = (offsets[t] ?? 0) + x.keys;
  });
  return out;
}

/**
 * Why a relational synthesis is generated in one process, or null when its families can be
 * sharded: every FK references a regenerated key (numbered per family chunk and shifted by the
 * shards before, whatever its type: an id, a text code, a number) or an original-data table
 * (copied as it is, so its keys are the same in every shard).
 */
function relationalRefusal(config: StartCommand['config']): string | null {
  const original = (t: string): boolean => config.tables[t]?.treatment === 'original';
  for (const fk of activeForeignKeys(config)) {
    if (original(fk.parentTable)) continue;
    if (fk.parentColumns.length !== 1 || !regeneratedKey(config, fk.parentTable, fk.parentColumns[0]!))
      return `the keys "${fk.parentTable}.${fk.parentColumns.join(', ')}" referenced by "${fk.childTable}" are not regenerated (shards number their own keys)`;
  }
  return null;
}

/**
 * Regenerates the first shards of each table up to the report's rows (`reportRows`) (the same rows the workers
 * write; a relational output: the first shard's families, whose keys are the output's since
 * nothing comes before them).
 */
async function sampleForReport(args: Parameters<Distributor['generate']>[0], all: Shard[]): Promise<void> {
  const taken: Record<string, number> = {};
  const cap = reportRows();
  // Original-data tables not sampled yet: the first rows copied (a table the engine holds is the report's real side as it is).
  const originals = all.filter((s) => s.original && !args.sampled.includes(s.table));
  const first = all[0]?.families ? [all[0], ...originals] : all.filter((s) => !s.original || originals.includes(s));
  for (const shard of first) {
    if (!shard.families && (taken[shard.table] ?? 0) >= cap) continue;
    const part = generateStage.part({ built: args.built, part: partOf(shard), seed: shard.seed, batchSize: SHARD_BATCH_ROWS, signal: args.signal });
    for await (const { table, batch } of part) {
      const room = cap - (taken[table] ?? 0);
      if (room <= 0) {
        if (shard.families) continue;
        break;
      }
      const kept = batch.rows.length > room ? { columns: batch.columns, rows: batch.rows.slice(0, room) } : batch;
      args.sample(table, kept);
      taken[table] = (taken[table] ?? 0) + kept.rows.length;
    }
  }
}

/** A shard's final failure as the error it carried (sent as JSON by the shard worker). */
function shardFailure(e: unknown): unknown {
  if (e instanceof AppError) return e;
  const text = e instanceof Error ? e.message : String(e);
  try {
    const shape = appErrorShapeSchema.safeParse(JSON.parse(text));
    if (shape.success) return AppError.fromShape(shape.data);
  } catch {
    // not JSON: a queue-side failure (e.g. a shard that stalled too often)
  }
  return new AppError('EXECUTION_FAILED', `A generation shard failed on the site workers: ${text}`, {
    fix: "Look at the site workers' output; run the execution again once they are healthy.",
  });
}
