/**
 * Executions submitted to the site's queue instead of a local worker process: a `SpawnWorker`
 * whose handle turns the start command into a BullMQ job (secrets sealed with the site key, never
 * in clear), the job's progress back into job events, a cancel into the execution's cancel key,
 * and the job's end into the handle's exit. The JobRunner sees no difference.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { appErrorShapeSchema, toErrorShape, type AppErrorShape } from '../../shared/errors';
import { jobEventSchema, workerCommandSchema, type JobEvent } from '../../shared/job';
import { DEFAULT_SHARD_ROWS, type ExecutionJob, type SiteQueue } from '../../shared/site';
import { CANCEL_TTL_SECONDS, cancelKey, redactRedisUrl, sealSecrets, siteKeyPath } from '../../data/queue/site-queue';
import type { ProjectStore } from '../../data/store/types';
import type { SpawnWorker, WorkerHandle } from './worker-process';

/** The site queue from the settings: DOPPEL_QUEUE (a redis:// URL), DOPPEL_QUEUE_NAME, DOPPEL_SHARD_ROWS, DOPPEL_SITE_KEY. */
export function siteQueueFromEnv(storeDir: string, env: NodeJS.ProcessEnv = process.env): SiteQueue | undefined {
  if (!env.DOPPEL_QUEUE) return undefined;
  return siteQueue(env.DOPPEL_QUEUE, {
    storeDir,
    env,
    ...(env.DOPPEL_QUEUE_NAME ? { name: env.DOPPEL_QUEUE_NAME } : {}),
    shardRows: Number(env.DOPPEL_SHARD_ROWS) || undefined,
  });
}

/** The site queue stored in the app's settings (its password put back from the sealed secrets), if any. */
export function siteQueueFromSettings(store: ProjectStore, env: NodeJS.ProcessEnv = process.env): SiteQueue | undefined {
  const stored = store.settings.siteQueue();
  const url = store.settings.siteQueueUrl();
  if (!stored || !url) return undefined;
  return siteQueue(url, { storeDir: store.dir, env, name: stored.name, shardRows: stored.shardRows });
}

/**
 * Whether the site queue answers and how many site workers (`doppel worker`) wait on it now. Never
 * throws: an unreachable queue is an answer with its message (the URL shown without password).
 */
export async function siteQueueStatus(site: Pick<SiteQueue, 'url' | 'name'>): Promise<{ reachable: boolean; workers: number; message: string }> {
  const [{ Queue }, { pingQueue, redisConnection }] = await Promise.all([import('bullmq'), import('../../data/queue/redis')]);
  const redis = redisConnection(site.url);
  redis.on('error', () => undefined);
  try {
    await pingQueue(redis, site.url);
    const queue = new Queue(site.name, { connection: redis });
    try {
      const workers = (await queue.getWorkers()).length;
      const where = `the queue "${site.name}" at ${redactRedisUrl(site.url)}`;
      return {
        reachable: true,
        workers,
        message: workers
          ? `${workers} site worker${workers === 1 ? '' : 's'} connected to ${where}.`
          : `No site worker is connected to ${where}; executions wait there until one starts (doppel worker --queue …).`,
      };
    } finally {
      await queue.close();
    }
  } catch (e) {
    return { reachable: false, workers: 0, message: toErrorShape(e).message };
  } finally {
    redis.disconnect();
  }
}

export function siteQueue(
  url: string,
  o: { storeDir: string; name?: string | undefined; shardRows?: number | undefined; keyFile?: string | undefined; env?: NodeJS.ProcessEnv },
): SiteQueue {
  return { url, name: o.name ?? 'doppel', shardRows: o.shardRows ?? DEFAULT_SHARD_ROWS, keyFile: o.keyFile ?? siteKeyPath(o.storeDir, o.env) };
}

/** A failed job's reason as the error it carried (JSON from the site worker), or a queue-side failure. */
function failureOf(reason: string): AppErrorShape {
  try {
    const parsed = appErrorShapeSchema.safeParse(JSON.parse(reason));
    if (parsed.success) return parsed.data;
  } catch {
    // a failure of the queue itself, e.g. a worker that stalled too often
  }
  return {
    code: 'WORKER_CRASHED',
    message: `The site worker running the execution stopped: ${reason}.`,
    fix: 'Check the site workers (`doppel worker`) and run the execution again.',
  };
}

export function queueSpawner(site: SiteQueue): SpawnWorker {
  return () => {
    const messages: Array<(m: unknown) => void> = [];
    const exits: Array<(code: number | null, signal: string | null) => void> = [];
    let executionId: string | null = null;
    let queue: Queue | null = null;
    let events: QueueEvents | null = null;
    let redis: Redis | null = null;
    let ended = false;
    const deliver = (event: JobEvent): void => {
      for (const l of messages) l(event);
    };
    const end = (code: number | null, signal: string | null): void => {
      if (ended) return;
      ended = true;
      for (const l of exits) l(code, signal);
      void Promise.allSettled([events?.close(), queue?.close()]).then(() => redis?.disconnect());
    };

    const submit = async (cmd: Extract<ReturnType<typeof workerCommandSchema.parse>, { type: 'start' }>): Promise<void> => {
      executionId = cmd.executionId;
      // The queue client loads only when a queue is used.
      const [{ Queue, QueueEvents }, { pingQueue, redisConnection }] = await Promise.all([import('bullmq'), import('../../data/queue/redis')]);
      redis = redisConnection(site.url);
      redis.on('error', () => undefined);
      await pingQueue(redis, site.url);
      events = new QueueEvents(site.name, { connection: redisConnection(site.url) });
      events.on('progress', ({ jobId, data }) => {
        if (jobId !== jobIdOf(cmd.executionId)) return;
        const parsed = jobEventSchema.safeParse(data);
        if (parsed.success) deliver(parsed.data);
      });
      events.on('completed', ({ jobId }) => {
        if (jobId === jobIdOf(cmd.executionId)) end(0, null);
      });
      events.on('failed', ({ jobId, failedReason }) => {
        if (jobId !== jobIdOf(cmd.executionId)) return;
        deliver({ type: 'error', error: failureOf(failedReason) });
        end(1, null);
      });
      await events.waitUntilReady();
      queue = new Queue(site.name, { connection: redis });
      const data: ExecutionJob = {
        executionId: cmd.executionId,
        config: cmd.config,
        workspace: cmd.workspace,
        auditHead: cmd.auditHead ?? null,
        sealed: sealSecrets(site.keyFile, cmd.secrets, { create: true }),
        ...(cmd.generate ? { generate: cmd.generate } : {}),
        shardRows: site.shardRows,
      };
      await queue.add('execution', data, { jobId: jobIdOf(cmd.executionId), attempts: 1, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 604_800 } });
      deliver({
        type: 'log',
        level: 'info',
        message: `Submitted to the site queue "${site.name}" at ${redactRedisUrl(site.url)}; a site worker (\`doppel worker\`) runs it.`,
      });
    };

    const handle: WorkerHandle = {
      pid: undefined,
      send(message) {
        const parsed = workerCommandSchema.safeParse(message);
        if (!parsed.success) return;
        const cmd = parsed.data;
        if (cmd.type === 'start') {
          submit(cmd).catch((e: unknown) => {
            deliver({ type: 'error', error: toErrorShape(e) });
            end(1, null);
          });
          return;
        }
        if (executionId && redis) void redis.set(cancelKey(site.name, executionId), '1', 'EX', CANCEL_TTL_SECONDS).catch(() => undefined);
      },
      onMessage: (l) => messages.push(l),
      onExit: (l) => exits.push(l),
      kill() {
        // A job still waiting is taken off the queue; one running stops on its cancel key.
        if (executionId && queue) void queue.remove(jobIdOf(executionId)).catch(() => 0);
        end(null, 'SIGKILL');
      },
    };
    return handle;
  };
}

/** The queue's job id of an execution: BullMQ refuses custom ids that read as integers (an id of hex digits can). */
function jobIdOf(executionId: string): string {
  return `execution-${executionId}`;
}
