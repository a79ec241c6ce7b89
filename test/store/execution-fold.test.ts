import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/data/store/index';
import type { ProjectStore } from '../../src/data/store/types';
import { useExecutions } from '../../src/renderer/features/executions/store';
import type { ExecutionRecord, JobEvent } from '../../src/shared/job';
import { sampleConfig, storeDirs } from './helpers';

const dirs = storeDirs('store-fold');
afterAll(() => dirs.cleanup());

function started(store: ProjectStore): ExecutionRecord {
  const source = store.sources.add({ spec: { kind: 'files', path: '/data/customers.csv' } });
  const synthesis = store.syntheses.save({ name: 'Customers', sourceId: source.id, config: sampleConfig() });
  return store.executions.create({ synthesisId: synthesis.id, config: sampleConfig() });
}

/** What a user sees of a record: status, backend, error, and each step's state and counts. */
function seen(r: ExecutionRecord) {
  return {
    status: r.status,
    backend: r.backend,
    notice: r.notice,
    quality: r.quality,
    error: r.error?.code ?? null,
    finished: r.finishedAt !== null,
    steps: r.steps.map((s) => ({ step: s.step, status: s.status, done: s.done, total: s.total, eta: s.etaSeconds, message: s.message })),
  };
}

/** Feeds the same events to the project store (as the host does) and to the app's live timeline. */
function both(events: JobEvent[]): { stored: ExecutionRecord; live: ExecutionRecord } {
  const store = openStore(dirs.make());
  const created = started(store);
  useExecutions.setState({ byId: { [created.id]: created }, losses: {}, logs: {} });
  const stored: ExecutionRecord[] = [];
  for (const event of events) {
    if (event.type === 'result') stored.push(store.executions.finish(created.id, 'succeeded', { summary: event.summary }));
    else if (event.type === 'error')
      stored.push(store.executions.finish(created.id, event.error.code === 'EXECUTION_CANCELED' ? 'canceled' : 'failed', { error: event.error }));
    else stored.push(store.executions.applyEvent(created.id, event));
    useExecutions.getState().receive({ channel: 'executions.event', executionId: created.id, event });
    // After every event, not only at the end.
    expect(seen(useExecutions.getState().byId[created.id]!)).toEqual(seen(store.executions.get(created.id)));
  }
  const live = useExecutions.getState().byId[created.id]!;
  store.close();
  return { stored: stored[stored.length - 1]!, live };
}

const running: JobEvent[] = [
  { type: 'ready', backend: 'wasm', notice: 'The GPU was requested but is not available here.' },
  { type: 'step', step: 'load', status: 'started' },
  { type: 'progress', step: 'load', done: 50, total: 100, etaSeconds: 3 },
  { type: 'progress', step: 'load', done: 80, total: 100 },
  { type: 'step', step: 'load', status: 'done', seconds: 1.5 },
  { type: 'step', step: 'preprocess', status: 'skipped' },
  { type: 'log', level: 'info', message: 'model built' },
  { type: 'progress', step: 'train', done: 1, total: 4, etaSeconds: 9, message: 'epoch 1', metrics: { epoch: 1, trainLoss: 3 } },
];

describe('one fold of execution events', () => {
  it('shows the same steps, progress and final state in the store and in the app for a run that succeeds', () => {
    const { stored, live } = both([
      ...running,
      { type: 'step', step: 'train', status: 'done' },
      { type: 'step', step: 'synthesize', status: 'started' },
      {
        type: 'result',
        summary: {
          executionId: 'x',
          status: 'succeeded',
          stepSeconds: {},
          rows: { customers: 10 },
          backend: 'wasm',
          quality: 0.9,
          outputPath: '/o',
          reportPath: null,
        },
      },
    ]);
    expect(seen(live)).toEqual(seen(stored));
    expect(stored.status).toBe('succeeded');
    expect(stored.steps.find((s) => s.step === 'synthesize')!.status).toBe('done');
    expect(stored.steps.find((s) => s.step === 'store')!.status).toBe('skipped');
    expect(stored.steps.find((s) => s.step === 'load')).toMatchObject({ status: 'done', done: 100, total: 100 });
  });

  it('shows the same failed or canceled state in both, with the running step marked', () => {
    for (const code of ['WORKER_CRASHED', 'EXECUTION_CANCELED'] as const) {
      const { stored, live } = both([...running, { type: 'error', error: { code, message: 'Stopped.' } }]);
      expect(seen(live)).toEqual(seen(stored));
      const status = code === 'EXECUTION_CANCELED' ? 'canceled' : 'failed';
      expect(stored.status).toBe(status);
      expect(stored.steps.find((s) => s.step === 'train')!.status).toBe(status);
      expect(stored.steps.find((s) => s.step === 'store')!.status).toBe('pending');
    }
  });
});
