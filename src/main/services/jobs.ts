import os from 'node:os';
import type { ApiEvent, ExecutionRecord, JobEvent, SynthesisConfig, WorkerCommand } from '../../shared';
import { AppError, jobEventSchema } from '../../shared';
import { removePartials } from '../../data/platform/partial-files';
import { runSlots, type RunSlot, type RunSlots } from '../../data/store/run-slots';
import type { ProjectStore } from '../../data/store/types';
import type { SpawnWorker, WorkerHandle } from './worker-process';

/** Seconds a worker gets to stop after a cancel before it is killed. */
export const CANCEL_GRACE_MS = 4000;

/** How often queued executions look for a slot freed by another process. */
const SLOT_POLL_MS = 1000;

interface Running {
  worker: WorkerHandle;
  done: Promise<ExecutionRecord>;
  cancelTimer?: NodeJS.Timeout;
  limitTimer?: NodeJS.Timeout;
  canceled: boolean;
  /** Set when the execution's time limit stopped it. */
  timedOut?: number;
}

interface Waiting {
  execution: ExecutionRecord;
  launch: (slot: RunSlot | null) => void;
  done: Promise<ExecutionRecord>;
  settle: (r: ExecutionRecord) => void;
}

/** Executions run at the same time (each trains in its own worker); more wait as "queued". */
export function maxRunningFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DOPPEL_MAX_EXECUTIONS ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

type StartCommand = Extract<WorkerCommand, { type: 'start' }>;
/**
 * Runs executions in worker processes: starts them, folds their events into the project store,
 * forwards them to subscribers, cancels (cooperatively, then by force), and turns a worker that
 * died without a word into a failed execution with WORKER_CRASHED. At most `maxRunning`
 * executions of the project store run at once on this machine, counting those of other processes
 * (the app and terminals share the run slots of src/data/store/run-slots.ts; one training at a
 * time by default, DOPPEL_MAX_EXECUTIONS); the others stay "queued" and start in order as slots
 * free. An execution with a time limit
 * (`maxExecutionSeconds`) is stopped when it runs longer and fails with EXECUTION_TIMED_OUT.
 */
export class JobRunner {
  private readonly running = new Map<string, Running>();
  private readonly waiting: Waiting[] = [];
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly slots: RunSlots;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: ProjectStore,
    private readonly spawn: SpawnWorker,
    private readonly appVersion: string,
    /** How many run at once (a function when it follows a setting that can change, e.g. the site queue). */
    private readonly limit: number | (() => number) = maxRunningFromEnv(),
  ) {
    this.slots = runSlots(store.dir);
  }

  private get maxRunning(): number {
    return typeof this.limit === 'function' ? this.limit() : this.limit;
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while the execution runs or waits in the queue. */
  isRunning(id: string): boolean {
    return this.running.has(id) || this.waiting.some((w) => w.execution.id === id);
  }

  /** Executions ahead of this one in the queue (running ones included, also those of other processes); 0 when it runs. */
  queuedBehind(id: string): number {
    const at = this.waiting.findIndex((w) => w.execution.id === id);
    return at < 0 ? 0 : this.running.size + this.slots.heldElsewhere() + at;
  }

  /**
   * A run slot for the next execution: null when none is free. Executions sent to a site queue
   * (no limit here) take no slot of this machine.
   */
  private slot(executionId: string): RunSlot | null | 'none-needed' {
    const limit = this.maxRunning;
    if (limit >= Number.MAX_SAFE_INTEGER) return 'none-needed';
    if (this.running.size >= limit) return null;
    return this.slots.claim(executionId, limit);
  }

  /**
   * Starts an execution created in the store, or queues it while `maxRunning` run; resolves with
   * its final record.
   */
  start(execution: ExecutionRecord, config: SynthesisConfig, secrets: StartCommand['secrets'], generate?: StartCommand['generate']): Promise<ExecutionRecord> {
    if (this.waiting.length === 0) {
      const slot = this.slot(execution.id);
      if (slot !== null) return this.launch(execution, config, secrets, generate, slot === 'none-needed' ? null : slot);
    }
    let settle!: (r: ExecutionRecord) => void;
    const done = new Promise<ExecutionRecord>((r) => (settle = r));
    this.waiting.push({ execution, done, settle, launch: (slot) => void this.launch(execution, config, secrets, generate, slot).then(settle) });
    this.broadcast(execution.id, {
      type: 'log',
      level: 'info',
      message: `Queued behind ${this.queuedBehind(execution.id)} execution(s): it starts when one ends (${this.maxRunning} at a time on this machine; DOPPEL_MAX_EXECUTIONS sets how many).`,
    });
    this.watchSlots();
    return done;
  }

  /** Starts queued executions while slots are free. */
  private next(): void {
    while (this.waiting.length > 0) {
      const slot = this.slot(this.waiting[0]!.execution.id);
      if (slot === null) break;
      this.waiting.shift()!.launch(slot === 'none-needed' ? null : slot);
    }
    this.watchSlots();
  }

  /** While executions wait, looks now and then for a slot another process freed (keeps the process alive meanwhile). */
  private watchSlots(): void {
    if (this.waiting.length > 0 && this.poll === null) this.poll = setInterval(() => this.next(), SLOT_POLL_MS);
    else if (this.waiting.length === 0 && this.poll !== null) {
      clearInterval(this.poll);
      this.poll = null;
    }
  }

  private launch(
    execution: ExecutionRecord,
    config: SynthesisConfig,
    secrets: StartCommand['secrets'],
    generate: StartCommand['generate'] | undefined,
    slot: RunSlot | null,
  ): Promise<ExecutionRecord> {
    let worker: WorkerHandle;
    try {
      worker = this.spawn();
    } catch (e) {
      slot?.release();
      throw e;
    }
    let fingerprint: Extract<JobEvent, { type: 'fingerprint' }> | null = null;
    let settled = false;
    let resolve!: (r: ExecutionRecord) => void;
    const done = new Promise<ExecutionRecord>((r) => (resolve = r));
    const entry: Running = { worker, done, canceled: false };
    this.running.set(execution.id, entry);

    const settle = (record: ExecutionRecord): void => {
      if (settled) return;
      settled = true;
      if (entry.cancelTimer) clearTimeout(entry.cancelTimer);
      if (entry.limitTimer) clearTimeout(entry.limitTimer);
      this.running.delete(execution.id);
      slot?.release();
      // A worker stopped by force (cancel grace over, time limit, crash) may leave files it had not finished.
      if (record.status !== 'succeeded' && worker.pid !== undefined) removePartials(execution.workspace, worker.pid);
      this.recordAudit(record, config, fingerprint);
      resolve(record);
      this.next();
    };
    // A stop by the time limit ends as failed with its own error, not as a cancel by the user.
    const stopped = (): ExecutionRecord => {
      if (entry.timedOut === undefined) return this.store.executions.finish(execution.id, 'canceled');
      const error = {
        code: 'EXECUTION_TIMED_OUT' as const,
        message: `The execution ran longer than its time limit of ${entry.timedOut} s and was stopped; no output was kept.`,
        fix: 'Raise "Max execution time" in the synth settings (0 = no limit), or lower "Max training rows", the epochs or the output size.',
      };
      this.broadcast(execution.id, { type: 'error', error });
      return this.store.executions.finish(execution.id, 'failed', { error });
    };
    const limit = config.settings.maxExecutionSeconds;
    if (limit > 0) {
      entry.limitTimer = setTimeout(() => {
        entry.timedOut = limit;
        this.cancel(execution.id);
      }, limit * 1000);
    }

    worker.onMessage((raw) => {
      const parsed = jobEventSchema.safeParse(raw);
      if (!parsed.success || settled) return;
      const event = parsed.data;
      if (event.type === 'fingerprint') fingerprint = event;
      this.broadcast(execution.id, event);
      if (event.type === 'result') {
        settle(this.store.executions.finish(execution.id, 'succeeded', { summary: event.summary }));
      } else if (event.type === 'error') {
        const canceled = event.error.code === 'EXECUTION_CANCELED' || entry.canceled;
        if (canceled) settle(stopped());
        else settle(this.store.executions.finish(execution.id, 'failed', { error: event.error }));
      } else {
        this.store.executions.applyEvent(execution.id, event);
      }
    });
    worker.onExit((code, signal) => {
      if (settled) return;
      if (entry.canceled) {
        if (entry.timedOut === undefined)
          this.broadcast(execution.id, { type: 'error', error: { code: 'EXECUTION_CANCELED', message: 'The execution was canceled; no output was kept.' } });
        settle(stopped());
        return;
      }
      const error = {
        code: 'WORKER_CRASHED' as const,
        message: `The synthesis worker stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).`,
        fix: 'Run the execution again. If it keeps crashing, lower "Max training rows" or the model size (it may have run out of memory).',
      };
      const record = this.store.executions.finish(execution.id, 'failed', { error });
      this.broadcast(execution.id, { type: 'error', error });
      settle(record);
    });
    worker.send({
      type: 'start',
      executionId: execution.id,
      config,
      workspace: execution.workspace,
      auditHead: this.store.audit.head(),
      secrets,
      ...(generate ? { generate } : {}),
    } satisfies WorkerCommand);
    return done;
  }

  /** Asks the worker to stop; kills it when it has not stopped within CANCEL_GRACE_MS. */
  cancel(id: string): void {
    const queued = this.waiting.findIndex((w) => w.execution.id === id);
    if (queued >= 0) {
      const [w] = this.waiting.splice(queued, 1);
      const record = this.store.executions.finish(id, 'canceled');
      this.broadcast(id, { type: 'error', error: { code: 'EXECUTION_CANCELED', message: 'The execution was canceled before it started.' } });
      w!.settle(record);
      this.watchSlots();
      return;
    }
    const entry = this.running.get(id);
    if (!entry) {
      const record = this.store.executions.get(id);
      if (record.status === 'queued' || record.status === 'running') this.store.executions.finish(id, 'canceled');
      else throw new AppError('BAD_REQUEST', `Execution "${record.name}" is already ${record.status}.`, { fix: 'Only a running execution can be canceled.' });
      return;
    }
    if (entry.canceled) return;
    entry.canceled = true;
    entry.worker.send({ type: 'cancel' } satisfies WorkerCommand);
    entry.cancelTimer = setTimeout(() => {
      // The log says so: a worker killed leaves the execution canceled too, as one that stopped by itself.
      this.broadcast(id, {
        type: 'log',
        level: 'warn',
        message: `The worker did not stop within ${CANCEL_GRACE_MS / 1000} s of the cancel; it was stopped by force.`,
      });
      entry.worker.kill();
    }, CANCEL_GRACE_MS);
  }

  /** Waits for an execution to end (resolves at once with the stored record when it is not running). */
  wait(id: string): Promise<ExecutionRecord> {
    return this.running.get(id)?.done ?? this.waiting.find((w) => w.execution.id === id)?.done ?? Promise.resolve(this.store.executions.get(id));
  }

  /** Cancels every running execution and waits for them (app shutdown). */
  async stopAll(): Promise<void> {
    for (const w of [...this.waiting]) this.cancel(w.execution.id);
    const ids = [...this.running.keys()];
    for (const id of ids) this.cancel(id);
    await Promise.all(ids.map((id) => this.wait(id)));
  }

  private broadcast(executionId: string, event: JobEvent): void {
    for (const l of this.listeners) l({ channel: 'executions.event', executionId, event });
  }

  private recordAudit(record: ExecutionRecord, config: SynthesisConfig, fingerprint: Extract<JobEvent, { type: 'fingerprint' }> | null): void {
    const report = record.summary;
    this.store.audit.append({
      executionId: record.id,
      payload: {
        status: record.status,
        source: fingerprint ? { schemaHash: fingerprint.schemaHash, contentHash: fingerprint.contentHash, rows: fingerprint.rows } : null,
        config,
        versions: { app: this.appVersion, engine: this.appVersion, node: process.version, platform: `${os.platform()}-${os.arch()}` },
        backend: record.backend,
        privacySettings: config.settings.privacy,
        privacyFigures: report?.privacy ?? null,
        quality: record.quality,
        error: record.error ? { code: record.error.code, message: record.error.message } : null,
      },
    });
  }
}
