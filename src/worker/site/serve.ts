/**
 * A site worker: takes executions and generation shards from the site's queue (BullMQ on Redis)
 * and runs them with the same job runner as a local execution. An execution's events go back as
 * BullMQ progress of its job; a shard reports the rows it wrote. Both watch the execution's cancel
 * key. One execution and one shard at a time, so a worker coordinating an execution still
 * generates shards.
 */
import os from 'node:os';
import path from 'node:path';
import { QueueEvents, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError, toErrorShape, type AppErrorShape } from '../../shared/errors';
import type { JobEvent } from '../../shared/job';
import { executionJobSchema, runOfStage, shardJobSchema, shardsQueueName, type SiteWorkerOptions } from '../../shared/site';
import { CANCEL_TTL_SECONDS, cancelKey, openSecrets, redactRedisUrl } from '../../data/queue/site-queue';
import { pingQueue, redisConnection } from '../../data/queue/redis';
import { runJob, type StartCommand } from '../jobs/run-job';
import { queueDistributor } from './distribute';
import { ModelCache, runShard } from './shard';
import { forgetRun, isRecorded, recordRun, sweepStaleRuns } from './stage-registry';

/** Errors a second try cannot mend. */
const FINAL: ReadonlySet<AppErrorShape['code']> = new Set(['EXECUTION_CANCELED', 'BAD_REQUEST', 'CONFIG_INVALID', 'VALIDATION_FAILED', 'DB_AUTH_FAILED']);

export interface SiteWorker {
  readonly name: string;
  close(): Promise<void>;
}

export async function startSiteWorker(o: SiteWorkerOptions, say: (line: string) => void): Promise<SiteWorker> {
  const me = `${os.hostname()}:${process.pid}`;
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const c = redisConnection(o.url);
    c.on('error', () => undefined); // reconnects by itself; a lasting outage shows as stalled jobs
    connections.push(c);
    return c;
  };
  const redis = connect();
  await pingQueue(redis, o.url);
  const shardsName = shardsQueueName(o.name);
  const shardsQueue = new Queue(shardsName, { connection: connect() });
  const shardEvents = new QueueEvents(shardsName, { connection: connect() });
  await shardEvents.waitUntilReady();
  const cache = new ModelCache();
  /** Running work by execution id, stopped when its cancel key appears. */
  const active = new Map<string, Set<AbortController>>();
  const track = (id: string): AbortController => {
    const c = new AbortController();
    (active.get(id) ?? active.set(id, new Set()).get(id)!).add(c);
    return c;
  };
  const untrack = (id: string, c: AbortController): void => {
    active.get(id)?.delete(c);
    if (!active.get(id)?.size) active.delete(id);
  };
  const poll = setInterval(() => {
    for (const [id, set] of active)
      void redis
        .exists(cancelKey(o.name, id))
        .then((n) => {
          if (n) for (const c of set) c.abort();
        })
        .catch(() => undefined);
  }, 1000);
  const executionsQueue = new Queue(o.name, { connection: connect() });
  const sweep = (): Promise<unknown> =>
    sweepStaleRuns(redis, o.name, executionsQueue, o.keyFile, say).catch((e: unknown) => say(`sweep failed: ${(e as Error).message}`));
  const workspaceOf = (p: string): string => (o.workspaceRoot ? path.join(o.workspaceRoot, path.basename(p)) : p);
  const lockMs = o.lockSeconds * 1000;

  // Staging tables of runs that are no longer running go before this worker takes any job.
  await sweep();

  const executions = new Worker(
    o.name,
    async (job: Job) => {
      const d = executionJobSchema.parse(job.data);
      const controller = track(d.executionId);
      let chain: Promise<unknown> = Promise.resolve();
      // Events keep their order: each progress update waits for the one before.
      const emit = (event: JobEvent): void => {
        chain = chain.then(() => job.updateProgress(event)).catch(() => undefined);
      };
      say(`execution ${d.executionId} started`);
      await sweep();
      emit({ type: 'log', level: 'info', message: `Running on site worker ${me}.` });
      try {
        const secrets = openSecrets(o.keyFile, d.sealed);
        const cmd: StartCommand = {
          type: 'start',
          executionId: d.executionId,
          config: d.config,
          workspace: workspaceOf(d.workspace),
          auditHead: d.auditHead ?? null,
          secrets,
          ...(d.generate ? { generate: { ...d.generate, from: workspaceOf(d.generate.from) } } : {}),
        };
        const distributor = queueDistributor({
          executionId: d.executionId,
          config: d.config,
          sealed: d.sealed,
          shardRows: d.shardRows,
          destinationPassword: secrets.destinationPassword,
          queueName: o.name,
          shards: shardsQueue,
          events: shardEvents,
          stopShards: async () => void (await redis.set(cancelKey(o.name, d.executionId), '1', 'EX', CANCEL_TTL_SECONDS)),
          runs: {
            record: (prefix) =>
              recordRun(redis, o.name, prefix, {
                executionId: d.executionId,
                jobId: job.id!,
                attempt: job.processedOn ?? null,
                destination: d.config.destination,
                sealed: d.sealed,
              }),
            forget: (prefix) => forgetRun(redis, o.name, prefix),
          },
          stopWaitMs: 2 * lockMs + 5000,
          log: (message) => emit({ type: 'log', level: 'info', message }),
        });
        const summary = await runJob(cmd, emit, controller.signal, { distributor });
        await chain;
        say(`execution ${d.executionId} done`);
        return summary;
      } catch (e) {
        // The job runner tells a cancel from a failure (a failure's discard sets the cancel key too, which aborts this controller).
        const error = toErrorShape(e);
        emit({ type: 'error', error });
        await chain;
        say(`execution ${d.executionId} failed: ${error.message}`);
        throw new UnrecoverableError(JSON.stringify(error));
      } finally {
        untrack(d.executionId, controller);
      }
    },
    // An execution holds its lock while it trains: a longer lock, so a long step is never taken for a dead worker.
    { connection: connect(), concurrency: 1, lockDuration: Math.max(60_000, 4 * lockMs), stalledInterval: Math.max(30_000, 2 * lockMs), maxStalledCount: 1 },
  );

  const shards = new Worker(
    shardsName,
    async (job: Job) => {
      const d = shardJobSchema.parse(job.data);
      const label = `shard ${d.shard.index + 1}/${d.shard.of} of "${d.shard.table}" (${d.executionId})`;
      const controller = track(d.executionId);
      try {
        if (await redis.exists(cancelKey(o.name, d.executionId))) throw new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.');
        // A shard of a run that was given up (its coordinator died and the execution started again) is not written.
        if (!(await isRecorded(redis, o.name, runOfStage(d.shard.stage))))
          throw new AppError('EXECUTION_CANCELED', 'This shard belongs to a sharded run that was given up; nothing was written.');
        say(`${label} started (attempt ${job.attemptsStarted})`);
        const result = await runShard(d, {
          keyFile: o.keyFile,
          cache,
          worker: me,
          signal: controller.signal,
          progress: (p) => void job.updateProgress(p).catch(() => undefined),
        });
        say(`${label} done: ${result.rows} rows`);
        return result;
      } catch (e) {
        const error = toErrorShape(controller.signal.aborted ? new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.') : e);
        say(`${label} failed: ${error.message}`);
        throw FINAL.has(error.code) ? new UnrecoverableError(JSON.stringify(error)) : new Error(JSON.stringify(error));
      } finally {
        untrack(d.executionId, controller);
      }
    },
    { connection: connect(), concurrency: 1, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 3 },
  );
  for (const w of [executions, shards]) w.on('error', (e) => say(`queue error: ${e.message}`));
  await Promise.all([executions.waitUntilReady(), shards.waitUntilReady()]);
  say(`Doppel site worker ${me} on queue "${o.name}" at ${redactRedisUrl(o.url)} (site key ${o.keyFile}); waiting for executions.`);

  return {
    name: me,
    async close() {
      clearInterval(poll);
      await Promise.allSettled([executions.close(), shards.close()]);
      await Promise.allSettled([shardEvents.close(), shardsQueue.close(), executionsQueue.close()]);
      await cache.clear();
      for (const c of connections) c.disconnect();
    },
  };
}
