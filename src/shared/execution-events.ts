import type { AppErrorShape } from './errors';
import type { ExecutionRecord, ExecutionStatus, ExecutionSummary, JobEvent, StepState } from './job';

/**
 * The one fold of worker events into an execution record. The project store (which persists
 * every event) and the app's live timeline (which applies pushed events) both use it, so a
 * record reads the same wherever it is shown.
 */

/** Statuses after which an execution does not change any more (except its name). */
export function isTerminalStatus(status: ExecutionStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled';
}

export function isActiveStatus(status: ExecutionStatus): boolean {
  return status === 'queued' || status === 'running';
}

export type FinalStatus = 'succeeded' | 'failed' | 'canceled';

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
 * The steps of an execution that ends with `status`: a running step becomes done (succeeded),
 * failed or canceled, with the seconds it ran; pending steps stay pending, except on success
 * where the steps that never ran are marked skipped.
 */
export function finishSteps(steps: StepState[], status: FinalStatus, now: Date = new Date()): StepState[] {
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

/** Ends an execution (in place): final status, finish time, steps, error and summary. */
export function finishExecution(
  rec: ExecutionRecord,
  status: FinalStatus,
  opts: { error?: AppErrorShape; summary?: ExecutionSummary } = {},
  now: Date = new Date(),
): void {
  rec.status = status;
  rec.finishedAt = now.toISOString();
  rec.steps = finishSteps(rec.steps, status, now);
  const error = opts.error ?? opts.summary?.error;
  if (error) rec.error = error;
  if (opts.summary) {
    rec.summary = opts.summary;
    rec.quality = opts.summary.quality;
    rec.outputPath = opts.summary.outputPath;
    if (rec.backend === null && opts.summary.backend) rec.backend = opts.summary.backend;
  }
}

/** The final status a terminal event stands for. */
export function finalStatusOf(event: Extract<JobEvent, { type: 'result' | 'error' }>): FinalStatus {
  if (event.type === 'error') return event.error.code === 'EXECUTION_CANCELED' ? 'canceled' : 'failed';
  const s = event.summary.status;
  return s === 'failed' || s === 'canceled' ? s : 'succeeded';
}

/**
 * Folds one worker event into the record, in place (called ~5/s while training: no
 * re-validation, no copies of untouched steps; a changed step is replaced, never mutated, so a
 * shallow copy of the record and its step list is enough to keep the previous state intact).
 * A finished execution does not change; `log` and `fingerprint` events change nothing.
 */
export function foldJobEvent(rec: ExecutionRecord, event: JobEvent, now: Date = new Date()): void {
  if (event.type === 'log' || event.type === 'fingerprint' || isTerminalStatus(rec.status)) return;
  if (event.type === 'result') return finishExecution(rec, finalStatusOf(event), { summary: event.summary }, now);
  if (event.type === 'error') return finishExecution(rec, finalStatusOf(event), { error: event.error }, now);
  if (event.type === 'ready') {
    rec.status = 'running';
    rec.backend = event.backend;
    if (event.notice !== undefined) rec.notice = event.notice;
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

/** The record after one event, leaving `record` untouched (the app's live timeline). */
export function applyJobEvent(record: ExecutionRecord, event: JobEvent, now: Date = new Date()): ExecutionRecord {
  const next: ExecutionRecord = { ...record, steps: record.steps.slice() };
  foldJobEvent(next, event, now);
  return next;
}
