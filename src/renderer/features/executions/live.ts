import { isActiveStatus, type ExecutionRecord, type JobEvent } from '../../../shared';
export { applyJobEvent } from '../../../shared';

export interface LossPoint {
  epoch: number;
  trainLoss?: number;
  valLoss?: number;
  table?: string;
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
  return isActiveStatus(record.status);
}
