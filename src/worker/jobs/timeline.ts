import type { JobEvent, JobStep, TrainMetrics } from '../../shared/job';

/** How often progress events may be sent per step (the UI and CLI redraw at ~5/s). */
const PROGRESS_INTERVAL_MS = 200;

/**
 * The timeline of one job as events: step started/done with timings, throttled progress with an
 * ETA, log lines. `run(step, fn)` wraps a step; its seconds are kept for the summary.
 */
export class Timeline {
  readonly seconds: Partial<Record<JobStep, number>> = {};
  private lastProgress = 0;
  private stepStart = 0;

  constructor(private readonly emit: (event: JobEvent) => void) {}

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.emit({ type: 'log', level, message });
  }

  async run<T>(step: JobStep, fn: () => Promise<T>): Promise<T> {
    this.emit({ type: 'step', step, status: 'started' });
    this.stepStart = performance.now();
    this.lastProgress = 0;
    const value = await fn();
    const seconds = (performance.now() - this.stepStart) / 1000;
    this.seconds[step] = seconds;
    this.emit({ type: 'step', step, status: 'done', seconds });
    return value;
  }

  skip(step: JobStep): void {
    this.emit({ type: 'step', step, status: 'skipped' });
  }

  /** A progress event, at most every 200 ms unless `force` (e.g. the last one of a step). */
  progress(step: JobStep, done: number, total: number, extra: { message?: string; metrics?: TrainMetrics; force?: boolean } = {}): void {
    const now = performance.now();
    if (!extra.force && now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    const elapsed = (now - this.stepStart) / 1000;
    const fraction = total > 0 ? done / total : 0;
    const event: JobEvent = { type: 'progress', step, done, total };
    if (fraction > 0.02 && fraction < 1 && elapsed > 1) event.etaSeconds = (elapsed * (1 - fraction)) / fraction;
    if (extra.message !== undefined) event.message = extra.message;
    if (extra.metrics !== undefined) event.metrics = extra.metrics;
    this.emit(event);
  }
}
