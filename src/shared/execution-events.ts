import type { ExecutionRecord, JobEvent, StepState } from './job';

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
      return {
        ...record,
        status: sum.status,
        summary: sum,
        quality: sum.quality,
        backend: sum.backend,
        outputPath: sum.outputPath,
        finishedAt: now.toISOString(),
        error: sum.error ?? null,
        steps,
      };
    }
    case 'error': {
      const canceled = event.error.code === 'EXECUTION_CANCELED';
      for (const s of steps) if (s.status === 'running') s.status = canceled ? 'canceled' : 'failed';
      return { ...record, status: canceled ? 'canceled' : 'failed', error: event.error, finishedAt: now.toISOString(), steps };
    }
    case 'log':
    case 'fingerprint':
      return record;
  }
}
