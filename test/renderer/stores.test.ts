import { beforeEach, describe, expect, it } from 'vitest';
import { initialSteps, type ExecutionRecord, type JobEvent } from '../../src/shared';
import { useWizard, initialWizardState, problemsOfStep } from '../../src/renderer/features/wizard/store';
import {
  setColumnSensitive,
  setColumnTreatment,
  setTableTreatment,
  removeForeignKeys,
  togglePrimaryKey,
  setSettings,
  setColumnOption,
} from '../../src/renderer/features/wizard/config-edit';
import { useExecutions, initialExecutionsState, executionsOf } from '../../src/renderer/features/executions/store';
import { appendLoss, applyJobEvent, executionSeconds } from '../../src/renderer/features/executions/live';
import { formatRoute, parseRoute } from '../../src/renderer/app/nav-store';
import { relationshipKey } from '../../src/shared';
import { shopConfig } from './fixtures';

function record(id: string, synthesisId = 's1', createdAt = '2026-01-01T10:00:00.000Z'): ExecutionRecord {
  return {
    id,
    synthesisId,
    name: `Run ${id}`,
    status: 'queued',
    createdAt,
    finishedAt: null,
    steps: initialSteps(),
    backend: null,
    notice: null,
    trainedBy: null,
    quality: null,
    outputPath: null,
    workspace: '/tmp/w',
    error: null,
    summary: null,
  };
}

describe('wizard store', () => {
  beforeEach(() => {
    const { metadata, config } = shopConfig();
    useWizard.setState({ ...initialWizardState, status: 'ready', metadata, config, problems: [] });
  });

  it('re-validates on every edit and files problems under their step', () => {
    const w = useWizard.getState();
    w.update((c) => c);
    expect(useWizard.getState().problems).toEqual([]);
    // A foreign key that targets a column other than the primary key is an error of the foreign-keys step.
    const fk = useWizard.getState().config!.foreignKeys.find((f) => f.parentTable === 'Category')!;
    w.update((c) => ({ ...c, foreignKeys: [...c.foreignKeys, { ...fk, parentColumns: ['Label'], childColumns: [fk.childColumns[0]!] }] }));
    expect(problemsOfStep(useWizard.getState().problems, 'foreign-keys').map((p) => p.code)).toContain('FK_TARGET_NOT_PK');
    // Several roots are fine: with the FKs to Category deleted, Category and the rest are generated side by side.
    w.update((c) => removeForeignKeys(c, c.foreignKeys.filter((f) => f.parentTable === 'Category').map(relationshipKey)));
    const problems = useWizard.getState().problems;
    expect(problemsOfStep(problems, 'foreign-keys')).toEqual([]);
    // Marking the lookup table as original data without an inbound FK is an error of the treatment step.
    w.update((c) => setTableTreatment(c, 'Category', 'original'));
    expect(problemsOfStep(useWizard.getState().problems, 'treatment').map((p) => p.code)).toEqual(['ORIGINAL_WITHOUT_INBOUND_FK']);
  });

  it('warns about a sensitive column kept as in the source, and the warning goes away when it is synthesized', () => {
    const w = useWizard.getState();
    w.update((c) => setColumnTreatment(setColumnSensitive(c, 'Customer', 'Email', true), 'Customer', 'Email', 'keep'));
    const warn = useWizard.getState().problems.find((p) => p.code === 'SENSITIVE_NOT_SYNTHESIZED');
    expect(warn).toMatchObject({ table: 'Customer', column: 'Email', severity: 'warning', step: 'treatment' });
    w.update((c) => setColumnTreatment(c, 'Customer', 'Email', 'mock'));
    expect(useWizard.getState().problems.some((p) => p.code === 'SENSITIVE_NOT_SYNTHESIZED')).toBe(false);
  });

  it('edits never mutate the previous config', () => {
    const before = useWizard.getState().config!;
    const snapshot = JSON.stringify(before);
    useWizard
      .getState()
      .update((c) => togglePrimaryKey(setSettings(setColumnOption(c, 'Invoice', 'Total', 'precision', 2), { epochs: 3 }), 'Invoice', 'InvoiceId'));
    expect(JSON.stringify(before)).toBe(snapshot);
    const after = useWizard.getState().config!;
    expect(after.tables['Invoice']!.primaryKey).toEqual([]);
    expect(after.tables['Invoice']!.columns['Total']!.options.precision).toBe(2);
    expect(after.settings.epochs).toBe(3);
    useWizard.getState().update((c) => setSettings(setColumnOption(c, 'Invoice', 'Total', 'precision', undefined), { epochs: undefined }));
    expect('precision' in useWizard.getState().config!.tables['Invoice']!.columns['Total']!.options).toBe(false);
    expect('epochs' in useWizard.getState().config!.settings).toBe(false);
  });

  it('clamps the step to the seven wizard steps', () => {
    useWizard.getState().setStep(12);
    expect(useWizard.getState().step).toBe(6);
    useWizard.getState().setStep(-3);
    expect(useWizard.getState().step).toBe(0);
  });
});

describe('execution timeline', () => {
  it('follows the worker events: steps start and finish with timings, progress, the final result', () => {
    let r = record('e1');
    const events: JobEvent[] = [
      { type: 'ready', backend: 'wasm' },
      { type: 'step', step: 'load', status: 'started' },
      { type: 'progress', step: 'load', done: 50, total: 100 },
      { type: 'step', step: 'load', status: 'done', seconds: 1.5 },
      { type: 'step', step: 'train', status: 'started' },
      { type: 'progress', step: 'train', done: 1, total: 4, metrics: { epoch: 1, trainLoss: 3.2, valLoss: 3.4 } },
    ];
    for (const e of events) r = applyJobEvent(r, e);
    expect(r.status).toBe('running');
    expect(r.backend).toBe('wasm');
    expect(r.steps.find((s) => s.step === 'load')).toMatchObject({ status: 'done', seconds: 1.5, done: 100, total: 100 });
    expect(r.steps.find((s) => s.step === 'train')).toMatchObject({ status: 'running', done: 1, total: 4 });
    expect(r.steps.find((s) => s.step === 'store')!.status).toBe('pending');
    r = applyJobEvent(
      r,
      {
        type: 'result',
        summary: {
          executionId: 'e1',
          status: 'succeeded',
          stepSeconds: {},
          rows: { T: 10 },
          backend: 'wasm',
          quality: 0.87,
          outputPath: '/o',
          reportPath: null,
        },
      },
      new Date('2026-01-01T10:00:30.000Z'),
    );
    expect(r.status).toBe('succeeded');
    expect(r.quality).toBe(0.87);
    expect(executionSeconds(r)).toBe(30);
  });

  it('marks the running step canceled on a cancel error and failed on any other error', () => {
    let r = applyJobEvent(record('e2'), { type: 'step', step: 'train', status: 'started' });
    const canceled = applyJobEvent(r, { type: 'error', error: { code: 'EXECUTION_CANCELED', message: 'Canceled.' } });
    expect(canceled.status).toBe('canceled');
    expect(canceled.steps.find((s) => s.step === 'train')!.status).toBe('canceled');
    r = applyJobEvent(r, { type: 'error', error: { code: 'WORKER_CRASHED', message: 'The worker stopped.', fix: 'Run again.' } });
    expect(r.status).toBe('failed');
    expect(r.error?.fix).toBe('Run again.');
    expect(r.steps.find((s) => s.step === 'train')!.status).toBe('failed');
  });

  it('collects one loss point per epoch, replacing repeated reports of the same epoch', () => {
    let pts = appendLoss([], { type: 'progress', step: 'train', done: 1, total: 3, metrics: { epoch: 1, trainLoss: 2 } });
    pts = appendLoss(pts, { type: 'progress', step: 'train', done: 1, total: 3, metrics: { epoch: 1, trainLoss: 1.9, valLoss: 2.1 } });
    pts = appendLoss(pts, { type: 'progress', step: 'train', done: 2, total: 3, metrics: { epoch: 2, trainLoss: 1.5 } });
    pts = appendLoss(pts, { type: 'progress', step: 'load', done: 2, total: 3 });
    expect(pts).toEqual([
      { epoch: 1, trainLoss: 1.9, valLoss: 2.1, table: undefined },
      { epoch: 2, trainLoss: 1.5, valLoss: undefined, table: undefined },
    ]);
  });

  it('the executions store applies pushed events to the record it holds and lists runs newest first', () => {
    useExecutions.setState({
      ...initialExecutionsState,
      byId: { a: record('a', 's1', '2026-01-01T10:00:00Z'), b: record('b', 's1', '2026-01-02T10:00:00Z'), c: record('c', 's2') },
    });
    useExecutions.getState().receive({ channel: 'executions.event', executionId: 'a', event: { type: 'step', step: 'load', status: 'started' } });
    useExecutions.getState().receive({
      channel: 'executions.event',
      executionId: 'a',
      event: { type: 'progress', step: 'train', done: 1, total: 2, metrics: { epoch: 1, trainLoss: 1 } },
    });
    const s = useExecutions.getState();
    expect(s.byId['a']!.steps[0]!.status).toBe('running');
    expect(s.losses['a']).toHaveLength(1);
    expect(executionsOf(s.byId, 's1').map((r) => r.id)).toEqual(['b', 'a']);
  });
});

describe('navigation', () => {
  it('round-trips routes through the location hash', () => {
    for (const r of [
      { name: 'sources' },
      { name: 'wizard' },
      { name: 'syntheses' },
      { name: 'syntheses', synthesisId: 'x/1' },
      { name: 'execution', id: 'e 1' },
    ] as const) {
      expect(parseRoute(formatRoute(r))).toEqual(r);
    }
    expect(parseRoute('#/nonsense')).toEqual({ name: 'sources' });
  });
});
