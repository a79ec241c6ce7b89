import type { ExecutionRecord, ExecutionStatus, JobEvent, StepState } from '../../shared/job';

/** Statuses after which an execution does not change any more (except its name). */
export function isTerminal(status: ExecutionStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled';
}

export function isActive(status: ExecutionStatus): boolean {
  return status === 'queued' || status === 'running';
}

function secondsSince(startedAt: string | undefined, now: Date): number | undefined {
  if (startedAt === undefined) return undefined;
  const ms = now.getTime() - Date.parse(startedAt);
  return Number.isFinite(ms) ? Math.max(0, ms / 1000) : undefined;
}

function withoutProgress(s: StepState): StepState {
  const { etaSeconds: _eta, ...rest } = s;
  return rest;
}

/**
 * Folds one worker event into the record, in place (called ~5/s while training: no
 * re-validation, no copies of untouched steps). Events after a terminal status only record
 * a `result` or `error`; `log` and `fingerprint` events change nothing (the terminal status is
 * set by `finish`, unlike the renderer's live `applyJobEvent`).
 */
export function foldEvent(rec: ExecutionRecord, event: JobEvent, now: Date = new Date()): void {
  if (event.type === 'result') {
    rec.summary = event.summary;
    rec.quality = event.summary.quality;
    rec.outputPath = event.summary.outputPath;
    if (rec.backend === null && event.summary.backend) rec.backend = event.summary.backend;
    return;
  }
  if (event.type === 'error') {
    rec.error = event.error;
    return;
  }
  if (event.type === 'log' || event.type === 'fingerprint' || isTerminal(rec.status)) return;
  if (event.type === 'ready') {
    rec.status = 'running';
    rec.backend = event.backend;
    return;
  }
  rec.status = 'running';
  const i = rec.steps.findIndex((s) => s.step === event.step);
  const step = rec.steps[i];
  if (!step) return;
  if (event.type === 'progress') {
    const next: StepState = { ...step, done: event.done, total: event.total };
    if (step.status === 'pending') {
      next.status = 'running';
      next.startedAt = now.toISOString();
    }
    if (event.etaSeconds !== undefined) next.etaSeconds = event.etaSeconds;
    else delete next.etaSeconds;
    if (event.message !== undefined) next.message = event.message;
    rec.steps[i] = next;
    return;
  }
  if (event.status === 'started') {
    rec.steps[i] = { step: step.step, status: 'running', startedAt: now.toISOString() };
  } else if (event.status === 'done') {
    const seconds = event.seconds ?? secondsSince(step.startedAt, now);
    const next: StepState = { ...withoutProgress(step), status: 'done' };
    if (seconds !== undefined) next.seconds = seconds;
    if (next.total !== undefined) next.done = next.total;
    rec.steps[i] = next;
  } else {
    rec.steps[i] = { step: step.step, status: 'skipped' };
  }
}

/**
 * The steps of an execution that ends with `status`: a running step becomes done (succeeded),
 * failed or canceled, with the seconds it ran; pending steps stay pending, except on success
 * where the steps that never ran are marked skipped.
 */
export function finishSteps(steps: StepState[], status: 'succeeded' | 'failed' | 'canceled', now: Date = new Date()): StepState[] {
  return steps.map((s) => {
    if (s.status === 'running') {
      const next: StepState = { ...withoutProgress(s), status: status === 'succeeded' ? 'done' : status };
      const seconds = secondsSince(s.startedAt, now);
      if (seconds !== undefined && next.seconds === undefined) next.seconds = seconds;
      return next;
    }
    if (s.status === 'pending' && status === 'succeeded') return { step: s.step, status: 'skipped' };
    return s;
  });
}
