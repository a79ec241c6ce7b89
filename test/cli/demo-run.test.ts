import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { executionSummarySchema, type ExecutionRecord, type RowBatch, type SynthesisConfig } from '../../src/shared';
import { parseReport } from '../../src/report/schema';
import { datasetPath } from '../helpers/datasets';
import { expectSynthetic, generatedColumns } from '../helpers/synthetic-checks';
import { doppel, sqliteTable, tempDir } from './helpers';

const store = tempDir('cli-store');
const work = tempDir('cli-work');
afterAll(() => {
  rmSync(store, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** A CSV file as rows (blank cells null). */
function csvTable(file: string): RowBatch {
  const [columns, ...rows] = parse(readFileSync(file, 'utf8')) as string[][];
  return { columns: columns!, rows: rows.map((r) => r.map((v) => (v === '' ? null : v))) };
}

/** An execution's stored config and workspace. */
function stored(id: string): { config: SynthesisConfig; workspace: string } {
  const db = new Database(path.join(store, 'store.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT config, workspace FROM executions WHERE id = ?').get(id) as { config: string; workspace: string };
    return { config: JSON.parse(row.config) as SynthesisConfig, workspace: row.workspace };
  } finally {
    db.close();
  }
}

describe('doppel demo, run, executions, export, report, audit', () => {
  let demoId = '';
  let runId = '';

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
    // Synthetic penguins: no unique real one copied, more kept than by independent columns.
    expectSynthetic(
      'demo penguins',
      csvTable(fileURLToPath(new URL('../../assets/demo/penguins.csv', import.meta.url))),
      sqliteTable(output!, 'penguins'),
      generatedColumns(stored(demoId).config, 'penguins'),
    );
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
    expect(Object.keys(summary.stepSeconds)).toEqual(['load', 'preprocess', 'build', 'train', 'synthesize', 'report', 'store']);
    runId = summary.executionId;
    const real = csvTable(datasetPath('penguins', 'penguins.csv'));
    const synthetic = sqliteTable(summary.outputPath!, 'penguins');
    expect(synthetic.rows).toHaveLength(1000);
    const figures = expectSynthetic('penguins x1000', real, synthetic, generatedColumns(stored(runId).config, 'penguins'));
    // The summary's figures are its report's.
    const report = parseReport(JSON.parse(readFileSync(path.join(path.dirname(summary.reportPath!), 'report.json'), 'utf8')));
    expect(summary.quality).toBe(report.summary.quality);
    const verdict = report.summary.privacy;
    expect(summary.privacy).toMatchObject({
      dcrShare: verdict.dcrShare ?? null,
      exactMatches: verdict.exactMatches ?? null,
      exactMatchesUnique: verdict.exactMatchesUnique,
      level: verdict.level,
      headline: verdict.headline,
      syntheticRows: 1000,
    });
    expect(report.summary.privacy.exactMatchesUnique).toBe(0);
    expect(report.summary.quality!).toBeGreaterThan(figures.independent!);
    for (const label of ['Data loading', 'Preprocessing', 'Building the model', 'Training the model', 'Synthesis', 'Report generation', 'Storing the data'])
      expect(run.stderr).toContain(label);
  });

  it("the report of the run is its own output's: row counts, every column's chart data, the audit head it started at", async () => {
    const { workspace } = stored(runId);
    const report = parseReport(JSON.parse(readFileSync(path.join(workspace, 'report.json'), 'utf8')));
    const out = sqliteTable(path.join(workspace, 'output.sqlite'), 'penguins');
    expect(report.executionId).toBe(runId);
    expect(report.summary.tables).toEqual([{ name: 'penguins', treatment: 'synthesize', real: 344, synthetic: out.rows.length }]);
    const table = report.tables[0]!;
    expect(table.rows).toMatchObject({ real: 344, synthetic: 1000 });
    const charted = generatedColumns(stored(runId).config, 'penguins')
      .filter((c) => c.sdtype !== 'text')
      .map((c) => c.name);
    expect(charted.length).toBeGreaterThanOrEqual(6);
    expect(table.distributions.map((d) => d.column).sort()).toEqual([...charted].sort());
    for (const d of table.distributions) {
      const i = out.columns.indexOf(d.column);
      const values = out.rows.map((r) => r[i] ?? null);
      const present = values.filter((v) => v !== null);
      expect(d.missing.synthetic, `${d.column} missing`).toBeCloseTo(1 - present.length / values.length, 9);
      if (d.kind === 'categorical') {
        for (const b of d.bins.filter((x) => !x.label.startsWith('(')))
          expect(b.synthetic, `${d.column} = ${b.label}`).toBeCloseTo(present.filter((v) => String(v) === b.label).length / present.length, 9);
      } else {
        const lo = d.bins[0]!.from!;
        const width = d.bins[0]!.to! - lo;
        const at = (v: number): number => Math.max(0, Math.min(d.bins.length - 1, Math.floor((v - lo) / width)));
        const numbers = present.map((v) => (d.kind === 'datetime' ? Date.parse(String(v)) : Number(v)));
        d.bins.forEach((b, k) => expect(b.synthetic, `${d.column} bin ${k}`).toBeCloseTo(numbers.filter((v) => at(v) === k).length / numbers.length, 9));
      }
    }
    // The run started after the demo's audit record: its report names that record as the chain's head.
    const audit = JSON.parse((await doppel(['audit', '--json'], { store })).stdout) as { seq: number; hash: string; executionId: string }[];
    expect(audit.map((r) => r.executionId)).toEqual([demoId, runId]);
    expect(report.auditHead).toEqual({ seq: 1, hash: audit[0]!.hash });
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

  it("audit --verify finds the newest records removed behind Doppel's back, even with the store's head rewritten", async () => {
    expect((await doppel(['audit', '--verify'], { store })).stdout).toContain('Audit chain intact: 2 records');
    const tamper = (sql: string): void => {
      const db = new Database(path.join(store, 'store.sqlite'));
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    };
    tamper('DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2');
    const one = await doppel(['audit', '--verify'], { store });
    expect(one.code).toBe(1);
    expect(one.stdout.trim()).toBe("Audit chain BROKEN at record #2: the newest record (#2) was removed: the store recorded #2 as the chain's head.");
    // Covering the tracks in the store too: the run's report still names record #1, which is gone.
    tamper("DELETE FROM audit; DELETE FROM store_meta WHERE name = 'audit-head'");
    const all = await doppel(['audit', '--verify'], { store });
    expect(all.code).toBe(1);
    expect(all.stdout.trim()).toMatch(
      new RegExp(
        `^Audit chain BROKEN at record #1: the newest record \\(#1\\) was removed: the report of ".+" \\(${runId}\\) recorded #1 as the chain's head\\.$`,
      ),
    );
  });
});
