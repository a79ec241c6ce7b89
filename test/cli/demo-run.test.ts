import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { executionSummarySchema, type ExecutionRecord } from '../../src/shared';
import { datasetPath } from '../helpers/datasets';
import { doppel, tempDir } from './helpers';

const store = tempDir('cli-store');
const work = tempDir('cli-work');
afterAll(() => {
  rmSync(store, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('doppel demo, run, executions, export, report, audit', () => {
  let demoId = '';

  it('demo runs the whole flow and prints where the synthetic data and report are', async () => {
    const r = await doppel(['demo'], { store });
    expect(r.stderr).toContain('Training the model');
    expect(r.code).toBe(0);
    const output = /Synthetic data \(SQLite\): (\S+)/.exec(r.stdout)?.[1];
    const report = /Report \(HTML\):\s+(\S+)/.exec(r.stdout)?.[1];
    expect(output && existsSync(output)).toBeTruthy();
    expect(report && readFileSync(report!, 'utf8')).toContain('<svg');
    const db = new Database(output!, { readonly: true });
    const n = (db.prepare('select count(*) as n from penguins').get() as { n: number }).n;
    const species = (db.prepare('select distinct species from penguins').all() as { species: string }[]).map((x) => x.species).sort();
    db.close();
    expect(n).toBe(344);
    expect(species).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    demoId = /execution (\w+),/.exec(r.stdout)![1]!;
  });

  it('executions lists it; rename changes the name; unknown ids fail with exit code 1 and a fix', async () => {
    const list = await doppel(['executions', 'list', '--json'], { store });
    const rows = JSON.parse(list.stdout) as ExecutionRecord[];
    expect(rows.map((e) => [e.id, e.status])).toContainEqual([demoId, 'succeeded']);
    expect((await doppel(['executions', 'rename', demoId, 'First demo'], { store })).code).toBe(0);
    expect((await doppel(['executions'], { store })).stdout).toContain('First demo');
    const bad = await doppel(['executions', 'rename', 'nope', 'x'], { store });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: .*nope[\s\S]*fix: /);
  });

  it('export by execution id writes a CSV with the synthetic rows; the audit chain verifies', async () => {
    const out = path.join(work, 'penguins.csv');
    const r = await doppel(['export', demoId, '--format', 'csv', '--out', out], { store });
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toContain('species');
    expect(lines).toHaveLength(345);
    const audit = await doppel(['audit', '--verify'], { store });
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/intact/i);
  });

  it('init + validate + run on a CSV gives a summary JSON on stdout and the timeline on stderr', async () => {
    const config = path.join(work, 'config.json');
    const init = await doppel(['init', datasetPath('penguins', 'penguins.csv'), '-o', config], { store });
    expect(init.code).toBe(0);
    const c = JSON.parse(readFileSync(config, 'utf8')) as { settings: Record<string, unknown>; name: string };
    c.settings = { ...c.settings, outputSize: { mode: 'rows', rows: 1000 } };
    c.name = 'Penguins x1000';
    writeFileSync(config, JSON.stringify(c));
    const validate = await doppel(['validate', config], { store });
    expect(validate.code).toBe(0);
    const run = await doppel(['run', config, '--json'], { store });
    expect(run.code).toBe(0);
    const summary = executionSummarySchema.parse(JSON.parse(run.stdout));
    expect(summary.status).toBe('succeeded');
    expect(summary.rows).toEqual({ penguins: 1000 });
    expect(summary.backend).toMatch(/wasm|cpu|tensorflow/);
    expect(summary.quality).toBeGreaterThan(0.7);
    expect(Object.keys(summary.stepSeconds)).toEqual(['load', 'preprocess', 'build', 'train', 'synthesize', 'report', 'store']);
    for (const label of ['Data loading', 'Preprocessing', 'Building the model', 'Training the model', 'Synthesis', 'Report generation', 'Storing the data']) expect(run.stderr).toContain(label);
  });

  it('a broken config file and a config with validation errors exit with 1 and say what to fix', async () => {
    const broken = path.join(work, 'broken.json');
    writeFileSync(broken, '{"tables": 3');
    const r1 = await doppel(['run', broken], { store });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/not valid JSON[\s\S]*fix:/);
    const config = path.join(work, 'bad-pk.json');
    const init = await doppel(['init', datasetPath('penguins', 'penguins.csv')], { store });
    const c = JSON.parse(init.stdout) as { tables: Record<string, { primaryKey: string[] }> };
    c.tables.penguins!.primaryKey = ['species']; // not unique
    writeFileSync(config, JSON.stringify(c));
    const v = await doppel(['validate', config, '--json'], { store });
    expect(v.code).toBe(1);
    const problems = JSON.parse(v.stdout) as { code: string; severity: string; table?: string; fix?: string }[];
    const pk = problems.find((p) => p.severity === 'error' && p.table === 'penguins');
    expect(pk?.fix).toBeTruthy();
    const run = await doppel(['run', config], { store });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot run/);
  });
});
