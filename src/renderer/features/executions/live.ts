import type { ExecutionRecord, JobEvent, StepState } from '../../../shared';

export interface LossPoint {
  epoch: number;
  trainLoss?: number;
  valLoss?: number;
  table?: string;
}

/**
 * Applies one worker event to an execution record as the timeline shows it (pure): step
 * status, progress, timings, final status and error.
 */
export function applyJobEvent(record: ExecutionRecord, event: JobEvent, now: Date = new Date()): ExecutionRecord {
  const steps = record.steps.map((s) => ({ ...s }));
  const find = (step: StepState['step']): StepState | undefined => steps.find((s) => s.step === step);
  switch (event.type) {
    case 'ready':
      return { ...record, status: 'running', backend: event.backend };
    case 'step': {
      const s = find(event.step);
      if (s) {
        if (event.status === 'started') {
          s.status = 'running';
          s.startedAt = now.toISOString();
        } else {
          s.status = event.status;
          if (event.seconds !== undefined) s.seconds = event.seconds;
          if (event.status === 'done' && s.total !== undefined) s.done = s.total;
        }
      }
      return { ...record, status: record.status === 'queued' ? 'running' : record.status, steps };
    }
    case 'progress': {
      const s = find(event.step);
      if (s) {
        if (s.status === 'pending') s.status = 'running';
        s.done = event.done;
        s.total = event.total;
        if (event.etaSeconds !== undefined) s.etaSeconds = event.etaSeconds;
        if (event.message !== undefined) s.message = event.message;
      }
      return { ...record, steps };
    }
    case 'result': {
      const sum = event.summary;
      return { ...record, status: sum.status, summary: sum, quality: sum.quality, backend: sum.backend, outputPath: sum.outputPath, finishedAt: now.toISOString(), error: sum.error ?? null, steps };
    }
    case 'error': {
      const canceled = event.error.code === 'EXECUTION_CANCELED';
      for (const s of steps) if (s.status === 'running') s.status = canceled ? 'canceled' : 'failed';
      return { ...record, status: canceled ? 'canceled' : 'failed', error: event.error, finishedAt: now.toISOString(), steps };
    }
    case 'log':
      return record;
  }
}

/** Appends a training-loss point from a progress event (one point per epoch and table). */
export function appendLoss(points: LossPoint[], event: JobEvent): LossPoint[] {
  if (event.type !== 'progress' || !event.metrics) return points;
  const m = event.metrics;
  if (m.trainLoss === undefined && m.valLoss === undefined) return points;
  const epoch = m.epoch ?? event.done;
  const last = points[points.length - 1];
  const point: LossPoint = { epoch, trainLoss: m.trainLoss, valLoss: m.valLoss, table: m.table };
  if (last && last.epoch === epoch && last.table === m.table) return [...points.slice(0, -1), point];
  return [...points, point];
}

/** Seconds an execution took (or has taken so far). */
export function executionSeconds(record: ExecutionRecord, now: Date = new Date()): number | null {
  const start = Date.parse(record.createdAt);
  if (Number.isNaN(start)) return null;
  const end = record.finishedAt ? Date.parse(record.finishedAt) : record.status === 'running' || record.status === 'queued' ? now.getTime() : NaN;
  if (Number.isNaN(end)) {
    const sum = record.steps.reduce((a, s) => a + (s.seconds ?? 0), 0);
    return sum > 0 ? sum : null;
  }
  return Math.max(0, (end - start) / 1000);
}

export function isActive(record: ExecutionRecord): boolean {
  return record.status === 'running' || record.status === 'queued';
}
