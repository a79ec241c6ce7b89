import type { JobEvent, JobStep, TrainMetrics } from '../../shared/job';
import { progressGate } from '../../shared/progress-gate';

/**
 * The timeline of one job as events: step started/done with timings, throttled progress with an
 * ETA, log lines. `run(step, fn)` wraps a step; its seconds are kept for the summary.
 */
export class Timeline {
  readonly seconds: Partial<Record<JobStep, number>> = {};
  private readonly gate = progressGate();
  private stepStart = 0;

  constructor(private readonly emit: (event: JobEvent) => void) {}

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.emit({ type: 'log', level, message });
  }

  async run<T>(step: JobStep, fn: () => Promise<T>): Promise<T> {
    this.emit({ type: 'step', step, status: 'started' });
    this.stepStart = performance.now();
    this.gate.reset();
    const value = await fn();
    const seconds = (performance.now() - this.stepStart) / 1000;
    this.seconds[step] = seconds;
    this.emit({ type: 'step', step, status: 'done', seconds });
    return value;
  }

  skip(step: JobStep): void {
    this.emit({ type: 'step', step, status: 'skipped' });
  }

  /** A progress event, at most one per progress interval unless `force` (e.g. the last one of a step); callers report as often as they like. */
  progress(step: JobStep, done: number, total: number, extra: { message?: string; metrics?: TrainMetrics; force?: boolean } = {}): void {
    if (!this.gate.due(extra.force)) return;
    const now = performance.now();
    const elapsed = (now - this.stepStart) / 1000;
    const fraction = total > 0 ? done / total : 0;
    const event: JobEvent = { type: 'progress', step, done, total };
    if (fraction > 0.02 && fraction < 1 && elapsed > 1) event.etaSeconds = (elapsed * (1 - fraction)) / fraction;
    if (extra.message !== undefined) event.message = extra.message;
    if (extra.metrics !== undefined) event.metrics = extra.metrics;
    this.emit(event);
  }
}
