import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, STORE_FILE } from '../../src/data/store/index';
import { migrate, migrations } from '../../src/data/store/migrations';
import type { ProjectStore } from '../../src/data/store/types';
import { AppError } from '../../src/shared/errors';
import { jobSteps, type ExecutionSummary } from '../../src/shared/job';
import { sampleConfig, storeDirs } from './helpers';

const dirs = storeDirs('store-executions');
afterAll(() => dirs.cleanup());

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

function withSynthesis(store: ProjectStore, name = 'Customers') {
  const source = store.sources.add({ spec: { kind: 'files', path: '/data/customers.csv' } });
  return store.syntheses.save({ name, sourceId: source.id, config: sampleConfig(name) });
}

const summary = (executionId: string): ExecutionSummary => ({
  executionId,
  status: 'succeeded',
  stepSeconds: { load: 1.5, train: 12 },
  rows: { customers: 500 },
  backend: 'wasm',
  quality: 0.87,
  privacy: { dcrShare: 0.51, exactMatches: 0 },
  outputPath: '/tmp/out.sqlite',
  reportPath: '/tmp/report.json',
});

describe('syntheses', () => {
  it('saves (insert then update), lists, gets and stores configs without passwords', () => {
    const store = openStore(dirs.make());
    const created = withSynthesis(store);
    expect(created.name).toBe('Customers');
    expect(created.createdAt).toBe(created.updatedAt);
    expect(created.config.tables.customers?.columns.email?.treatment).toBe('mock');
    expect(created.config.source).not.toHaveProperty('password');
    expect(JSON.stringify(store.syntheses.list())).not.toMatch(/src-pass-123|dst-pass-456/);

    const updated = store.syntheses.save({ id: created.id, name: 'Customers v2', sourceId: null, config: { ...created.config, name: 'v2' } });
    expect(updated.id).toBe(created.id);
    expect(updated.sourceId).toBeNull();
    expect(updated.config.name).toBe('v2');
    expect(updated.createdAt).toBe(created.createdAt);
    expect(store.syntheses.get(created.id).name).toBe('Customers v2');
    expect(store.syntheses.list()).toHaveLength(1);

    expect(caught(() => store.syntheses.get('nope1234')).code).toBe('NOT_FOUND');
    expect(caught(() => store.syntheses.save({ id: 'nope1234', name: 'x', sourceId: null, config: created.config })).message).toContain('nope1234');
    const badSource = caught(() => store.syntheses.save({ name: 'x', sourceId: 'gone0000', config: created.config }));
    expect(badSource.code).toBe('NOT_FOUND');
    expect(badSource.message).toContain('gone0000');
    expect(caught(() => store.syntheses.save({ name: '  ', sourceId: null, config: created.config })).code).toBe('BAD_REQUEST');
    store.close();
  });

  it('deleting a synthesis deletes its executions and their workspaces, but not while one runs', () => {
    const store = openStore(dirs.make());
    const keep = withSynthesis(store, 'Keep');
    const drop = withSynthesis(store, 'Drop');
    const kept = store.executions.create({ synthesisId: keep.id, config: keep.config });
    const a = store.executions.create({ synthesisId: drop.id, config: drop.config });
    const b = store.executions.create({ synthesisId: drop.id, config: drop.config });
    writeFileSync(join(a.workspace, 'output.sqlite'), 'data');
    store.executions.finish(a.id, 'succeeded');
    store.executions.applyEvent(b.id, { type: 'ready', backend: 'wasm' });

    const refused = caught(() => store.syntheses.delete(drop.id));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toContain(b.id);
    expect(store.executions.list({ synthesisId: drop.id })).toHaveLength(2);

    store.executions.finish(b.id, 'canceled');
    store.syntheses.delete(drop.id);
    expect(store.syntheses.list().map((s) => s.name)).toEqual(['Keep']);
    expect(store.executions.list().map((e) => e.id)).toEqual([kept.id]);
    expect(existsSync(a.workspace)).toBe(false);
    expect(existsSync(b.workspace)).toBe(false);
    expect(existsSync(kept.workspace)).toBe(true);
    expect(caught(() => store.syntheses.delete(drop.id)).code).toBe('NOT_FOUND');
    store.close();
  });
});

describe('executions', () => {
  it('creates queued executions with a workspace folder, initial steps and a config snapshot', () => {
    const dir = dirs.make();
    const store = openStore(dir);
    const syn = withSynthesis(store);
    const first = store.executions.create({ synthesisId: syn.id, config: syn.config });
    const second = store.executions.create({ synthesisId: syn.id, name: 'Nightly', config: { ...syn.config, name: 'changed later' } });
    expect(first).toMatchObject({
      synthesisId: syn.id,
      name: 'Execution #1',
      status: 'queued',
      finishedAt: null,
      backend: null,
      quality: null,
      error: null,
      summary: null,
    });
    expect(second.name).toBe('Nightly');
    expect(first.steps).toEqual(jobSteps.map((step) => ({ step, status: 'pending' })));
    expect(first.workspace).toBe(join(dir, 'executions', first.id));
    expect(existsSync(first.workspace)).toBe(true);
    expect(store.executions.config(second.id).name).toBe('changed later');
    const snapshot = store.executions.config(first.id);
    expect(snapshot.source).not.toHaveProperty('password');
    expect(snapshot.destination.kind === 'database' && snapshot.destination.target).not.toHaveProperty('password');

    const other = withSynthesis(store, 'Other');
    store.executions.create({ synthesisId: other.id, config: other.config });
    expect(store.executions.list()).toHaveLength(3);
    expect(store.executions.list({ synthesisId: syn.id }).map((e) => e.name)).toEqual(['Execution #1', 'Nightly']);
    expect(caught(() => store.executions.create({ synthesisId: 'missing0', config: syn.config })).code).toBe('NOT_FOUND');
    expect(caught(() => store.executions.get('missing0')).code).toBe('EXECUTION_NOT_FOUND');
    store.close();
  });

  it('folds the worker events into status, steps, timings and the summary', () => {
    const store = openStore(dirs.make());
    const syn = withSynthesis(store);
    const ex = store.executions.create({ synthesisId: syn.id, config: syn.config });
    const apply = store.executions.applyEvent.bind(store.executions, ex.id);

    expect(apply({ type: 'ready', backend: 'wasm' })).toMatchObject({ status: 'running', backend: 'wasm' });
    const started = apply({ type: 'step', step: 'load', status: 'started' }).steps[0];
    expect(started?.status).toBe('running');
    expect(Number.isNaN(Date.parse(started?.startedAt ?? ''))).toBe(false);
    apply({ type: 'progress', step: 'load', done: 400, total: 1000, etaSeconds: 3, message: 'customers' });
    expect(store.executions.steps(ex.id)[0]).toMatchObject({ status: 'running', done: 400, total: 1000, etaSeconds: 3, message: 'customers' });
    apply({ type: 'log', level: 'info', message: 'nothing to store' });
    apply({ type: 'step', step: 'load', status: 'done', seconds: 1.5 });
    apply({ type: 'step', step: 'preprocess', status: 'skipped' });
    apply({ type: 'step', step: 'build', status: 'started' });
    apply({ type: 'step', step: 'build', status: 'done' });
    apply({ type: 'progress', step: 'train', done: 3, total: 50, metrics: { epoch: 3, valLoss: 1.2 } });
    apply({ type: 'step', step: 'train', status: 'done', seconds: 12 });
    for (const step of ['synthesize', 'report', 'store'] as const) {
      apply({ type: 'step', step, status: 'started' });
      apply({ type: 'step', step, status: 'done', seconds: 0.25 });
    }
    const withResult = apply({ type: 'result', summary: summary(ex.id) });
    // a result ends the execution just as the app's live timeline shows it
    expect(withResult.status).toBe('succeeded');
    expect(withResult).toMatchObject({ quality: 0.87, outputPath: '/tmp/out.sqlite', summary: { rows: { customers: 500 } } });

    const done = store.executions.finish(ex.id, 'succeeded');
    expect(done.status).toBe('succeeded');
    expect(Number.isNaN(Date.parse(done.finishedAt ?? ''))).toBe(false);
    const byStep = Object.fromEntries(done.steps.map((s) => [s.step, s]));
    expect(byStep.load).toMatchObject({ status: 'done', seconds: 1.5, done: 1000, total: 1000 });
    expect(byStep.load).not.toHaveProperty('etaSeconds');
    expect(byStep.preprocess).toEqual({ step: 'preprocess', status: 'skipped' });
    expect(byStep.build?.status).toBe('done');
    expect(byStep.build?.seconds).toBeGreaterThanOrEqual(0);
    expect(byStep.train).toMatchObject({ status: 'done', seconds: 12, done: 50, total: 50 });
    expect(byStep.store).toMatchObject({ status: 'done', seconds: 0.25 });
    // the stored record is what a later reader gets
    expect(store.executions.get(ex.id)).toEqual(done);
    // late events after the end do not move a finished timeline
    apply({ type: 'step', step: 'train', status: 'started' });
    expect(store.executions.get(ex.id).steps).toEqual(done.steps);
    store.close();
  });

  it('finish(failed|canceled) turns the running step into failed/canceled and leaves later steps pending', () => {
    const store = openStore(dirs.make());
    const syn = withSynthesis(store);
    const failed = store.executions.create({ synthesisId: syn.id, config: syn.config });
    store.executions.applyEvent(failed.id, { type: 'ready', backend: 'cpu' });
    store.executions.applyEvent(failed.id, { type: 'step', step: 'load', status: 'started' });
    store.executions.applyEvent(failed.id, { type: 'step', step: 'load', status: 'done', seconds: 1 });
    store.executions.applyEvent(failed.id, { type: 'step', step: 'preprocess', status: 'started' });
    const error = { code: 'SOURCE_UNREADABLE' as const, message: 'customers.csv line 12 has 4 fields, expected 3.', fix: 'Fix line 12.' };
    store.executions.applyEvent(failed.id, { type: 'error', error });
    const f = store.executions.finish(failed.id, 'failed');
    expect(f.status).toBe('failed');
    expect(f.error).toEqual(error);
    expect(f.steps.map((s) => s.status)).toEqual(['done', 'failed', 'pending', 'pending', 'pending', 'pending', 'pending']);
    expect(f.steps[1]?.seconds).toBeGreaterThanOrEqual(0);

    const canceled = store.executions.create({ synthesisId: syn.id, config: syn.config });
    store.executions.applyEvent(canceled.id, { type: 'step', step: 'load', status: 'started' });
    const c = store.executions.finish(canceled.id, 'canceled', { error: { code: 'EXECUTION_CANCELED', message: 'Canceled by the user.' } });
    expect(c.status).toBe('canceled');
    expect(c.steps.map((s) => s.status)).toEqual(['canceled', 'pending', 'pending', 'pending', 'pending', 'pending', 'pending']);
    expect(c.error?.code).toBe('EXECUTION_CANCELED');

    const withSummary = store.executions.create({ synthesisId: syn.id, config: syn.config });
    const s = store.executions.finish(withSummary.id, 'succeeded', { summary: summary(withSummary.id) });
    expect(s).toMatchObject({ quality: 0.87, outputPath: '/tmp/out.sqlite', backend: 'wasm' });
    store.close();
  });

  it('renames, and deletes the record and its workspace, but not while queued or running', () => {
    const store = openStore(dirs.make());
    const syn = withSynthesis(store);
    const ex = store.executions.create({ synthesisId: syn.id, config: syn.config });
    expect(store.executions.rename(ex.id, '  Baseline  ').name).toBe('Baseline');
    expect(caught(() => store.executions.rename(ex.id, ' ')).code).toBe('BAD_REQUEST');
    expect(caught(() => store.executions.rename('missing0', 'x')).code).toBe('EXECUTION_NOT_FOUND');

    writeFileSync(join(ex.workspace, 'report.json'), '{}');
    const queued = caught(() => store.executions.delete(ex.id));
    expect(queued.code).toBe('BAD_REQUEST');
    expect(queued.message).toContain('Baseline');
    expect(queued.fix).toContain('Cancel');
    store.executions.applyEvent(ex.id, { type: 'ready', backend: 'wasm' });
    expect(caught(() => store.executions.delete(ex.id)).message).toContain('running');
    store.executions.finish(ex.id, 'canceled');
    store.executions.delete(ex.id);
    expect(existsSync(ex.workspace)).toBe(false);
    expect(store.executions.list()).toEqual([]);
    expect(caught(() => store.executions.delete(ex.id)).code).toBe('EXECUTION_NOT_FOUND');
    store.close();
  });

  it("deletes an execution's artifact key with it (also through its synthesis, and keys left by an older store)", () => {
    const dir = dirs.make();
    const store = openStore(dir);
    const keys = (): string[] => {
      const db = new Database(join(dir, STORE_FILE), { readonly: true });
      try {
        return db.prepare("SELECT name FROM secrets WHERE name LIKE 'artifact-key:%' ORDER BY name").pluck().all() as string[];
      } finally {
        db.close();
      }
    };
    const syn = withSynthesis(store);
    const other = withSynthesis(store, 'Other');
    const a = store.executions.create({ synthesisId: syn.id, config: syn.config });
    const b = store.executions.create({ synthesisId: other.id, config: other.config });
    const c = store.executions.create({ synthesisId: other.id, config: other.config });
    for (const e of [a, b, c]) {
      store.artifactKey(e.id);
      store.executions.finish(e.id, 'succeeded');
    }
    const keyOfB = store.artifactKey(b.id);
    expect(keys()).toHaveLength(3);

    store.executions.delete(a.id);
    expect(keys()).toEqual([b.id, c.id].map((id) => `artifact-key:${id}`).sort());
    // A deleted execution's key is not made again.
    expect(caught(() => store.artifactKey(a.id)).code).toBe('EXECUTION_NOT_FOUND');
    expect(keys()).not.toContain(`artifact-key:${a.id}`);
    expect(store.artifactKey(b.id)).toBe(keyOfB);

    store.syntheses.delete(other.id);
    expect(keys()).toEqual([]);
    store.close();

    // A store whose executions were deleted before keys went with them: the upgrade removes the strays.
    const old = dirs.make();
    const db = new Database(join(old, STORE_FILE));
    migrate(db, 'old', migrations.slice(0, 3));
    db.prepare('INSERT INTO secrets (name, value) VALUES (?, ?)').run('artifact-key:gone0000', Buffer.from('x'));
    db.prepare('INSERT INTO secrets (name, value) VALUES (?, ?)').run('mocking-key', Buffer.from('x'));
    db.close();
    openStore(old).close();
    const after = new Database(join(old, STORE_FILE), { readonly: true });
    expect(after.prepare('SELECT name FROM secrets ORDER BY name').pluck().all()).toEqual(['mocking-key']);
    after.close();
  });

  it('on open, marks executions of a process that died as failed with WORKER_CRASHED', () => {
    const dir = dirs.make();
    const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, dir], { encoding: 'utf8' });
    expect(run.signal).toBe('SIGKILL');
    const ids = JSON.parse(run.stdout) as { queued: string; running: string };

    // an execution this (live) process owns must survive another open of the store
    const mine = openStore(dir);
    const alive = mine.executions.create({ synthesisId: mine.executions.get(ids.queued).synthesisId, config: sampleConfig() });
    mine.executions.applyEvent(alive.id, { type: 'ready', backend: 'wasm' });

    const store = openStore(dir);
    const crashed = store.executions.get(ids.running);
    expect(crashed.status).toBe('failed');
    expect(crashed.error).toMatchObject({ code: 'WORKER_CRASHED', message: 'Doppel stopped while this execution was running.' });
    expect(crashed.error?.fix).toBeTruthy();
    expect(crashed.finishedAt).not.toBeNull();
    expect(crashed.steps.map((s) => s.status)).toEqual(['done', 'pending', 'pending', 'failed', 'pending', 'pending', 'pending']);
    expect(store.executions.get(ids.queued)).toMatchObject({ status: 'failed', error: { code: 'WORKER_CRASHED' } });
    expect(store.executions.get(alive.id).status).toBe('running');
    expect(store.executions.recoverInterrupted()).toBe(0);
    store.close();
    mine.close();
  });
});
