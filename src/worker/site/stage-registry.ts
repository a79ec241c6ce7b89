/**
 * The site's list of sharded runs whose staging tables (`doppel_shard_…`) may exist in a
 * destination, kept in Redis next to the queue: the coordinating worker records a run before its
 * first shard and forgets it once the shards are swapped in or dropped. A run whose execution is
 * no longer running under that coordinator (it failed, was canceled, or its worker died and the
 * execution started again elsewhere) is stale: any worker drops its staging tables when it starts
 * and before each execution it takes, and shards of a stale run are refused.
 *
 * An entry holds the destination and the execution's sealed secrets (as its job description
 * does), never a password in clear.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { destinationSchema } from '../../shared/config';
import { openSecrets } from '../../data/queue/site-queue';
import { dropShardStages, SHARD_STAGE_PREFIX } from '../../data/destinations/shard-stages';

const entrySchema = z.object({
  executionId: z.string(),
  /** The execution's job on the executions queue, and when the coordinating attempt of it started. */
  jobId: z.string(),
  attempt: z.number().nullable(),
  destination: destinationSchema,
  sealed: z.string(),
});
export type StageRun = z.infer<typeof entrySchema>;

export const stagesKey = (queue: string): string => `doppel:${queue}:stages`;

export async function recordRun(redis: Redis, queue: string, prefix: string, run: StageRun): Promise<void> {
  await redis.hset(stagesKey(queue), prefix, JSON.stringify(run));
}

export async function forgetRun(redis: Redis, queue: string, prefix: string): Promise<void> {
  await redis.hdel(stagesKey(queue), prefix);
}

/** True while the run is recorded (its shards are still wanted). */
export async function isRecorded(redis: Redis, queue: string, prefix: string): Promise<boolean> {
  return (await redis.hexists(stagesKey(queue), prefix)) === 1;
}

/** True when the run's execution is no longer running under the attempt that recorded it. */
async function isStale(executions: Queue, run: StageRun): Promise<boolean> {
  const job = await executions.getJob(run.jobId);
  if (!job) return true;
  if ((await job.getState()) !== 'active') return true;
  return (job.processedOn ?? null) !== run.attempt;
}

/**
 * Drops the staging tables of every stale run and forgets it; returns the tables dropped. A run
 * whose destination cannot be reached now stays listed for the next sweep.
 */
export async function sweepStaleRuns(redis: Redis, queue: string, executions: Queue, keyFile: string, say: (line: string) => void): Promise<string[]> {
  const all = await redis.hgetall(stagesKey(queue));
  const dropped: string[] = [];
  for (const [prefix, text] of Object.entries(all)) {
    let run: StageRun;
    try {
      run = entrySchema.parse(JSON.parse(text));
    } catch {
      await forgetRun(redis, queue, prefix);
      continue;
    }
    if (!prefix.startsWith(SHARD_STAGE_PREFIX) || run.destination.kind !== 'database') {
      await forgetRun(redis, queue, prefix);
      continue;
    }
    try {
      if (!(await isStale(executions, run))) continue;
      // Forgotten first: a shard of this run that starts now is refused instead of writing again.
      await forgetRun(redis, queue, prefix);
      const secrets = openSecrets(keyFile, run.sealed);
      const names = await dropShardStages(run.destination, secrets.destinationPassword, prefix);
      dropped.push(...names);
      say(`dropped ${names.length} staging table(s) of execution ${run.executionId}, no longer running (${prefix})`);
    } catch (e) {
      await recordRun(redis, queue, prefix, run).catch(() => undefined);
      say(`could not drop the staging tables of execution ${run.executionId} yet (${prefix}): ${(e as Error).message}`);
    }
  }
  return dropped;
}
