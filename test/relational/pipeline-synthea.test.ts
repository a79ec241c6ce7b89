import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import type { RowBatch } from '../../src/shared/values';
import { datasetPath } from '../helpers/datasets';
import { specsFromTableConfig } from '../../src/worker/engine/evaluate/columns';
import { evaluateRelationship } from '../../src/worker/engine/evaluate/relational';
import { expectSynthetic, generatedColumns } from '../helpers/synthetic-checks';
import { column, integrity } from './helpers';
import { inspect, runPipeline, tempWorkspace, type PipelineRun } from './pipeline-helpers';

const workspace = tempWorkspace('synthea');
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** Share of child rows whose date lies within their parent's START–STOP (a day of slack either side). */
function withinParent(child: RowBatch, parent: RowBatch, fk: string, date: string): number {
  const pi = parent.columns.indexOf('Id');
  const span = new Map(
    parent.rows.map((r) => [
      String(r[pi]),
      [
        Date.parse(String(r[parent.columns.indexOf('START')])),
        Date.parse(String(r[parent.columns.indexOf('STOP')] ?? r[parent.columns.indexOf('START')])),
      ] as const,
    ]),
  );
  const day = 86_400_000;
  const ok = child.rows.filter((r) => {
    const s = span.get(String(r[child.columns.indexOf(fk)]));
    const t = Date.parse(String(r[child.columns.indexOf(date)]));
    return s !== undefined && t >= s[0] - day && t <= (Number.isFinite(s[1]) ? s[1] : s[0]) + day;
  });
  return ok.length / Math.max(1, child.rows.length);
}

describe('synthea: patients → encounters → procedures, dates learned relative to the parent', () => {
  let config: SynthesisConfig;
  let run: PipelineRun;
  beforeAll(async () => {
    config = (await inspect({ kind: 'files', path: datasetPath('synthea') })).config;
    for (const t of Object.keys(config.tables)) if (!['patients', 'encounters', 'procedures'].includes(t)) config.tables[t]!.treatment = 'exclude';
    for (const t of ['organizations', 'payers', 'providers']) config.tables[t]!.treatment = 'original';
    config.settings.device = 'wasm';
    config.settings.epochs = 4;
    run = await runPipeline(config, workspace);
  }, 600_000);

  it('is no copy of the source: no unique source row reproduced, quality above independent columns', () => {
    for (const t of run.prepared.order) expectSynthetic(t, run.real[t]!, run.out[t]!, generatedColumns(config, t), { quality: { dependentPairs: 3 } });
  });

  it("learns a procedure's start as an offset from its encounter's start", () => {
    const rel = run.prepared.relational!.relativeTimes;
    expect(rel.procedures!.map((r) => `${r.column}<-${r.parentTable}.${r.parentColumn}`)).toContain('START<-encounters.START');
    expect(run.logs.some((l) => /"procedures": .*START learned relative to "encounters.START"/.test(l))).toBe(true);
    // An encounter's stop is learned from its own start: encounters last minutes to hours, as in the data.
    expect(rel.encounters!.find((r) => r.column === 'STOP')).toMatchObject({ parentTable: null, parentColumn: 'START' });
    const hours = (b: RowBatch) =>
      b.rows
        .map((r) => (Date.parse(String(r[b.columns.indexOf('STOP')])) - Date.parse(String(r[b.columns.indexOf('START')]))) / 3_600_000)
        .sort((x, y) => x - y);
    const syn = hours(run.out.encounters!);
    const median = syn[Math.floor(syn.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(0);
    expect(median).toBeLessThan(24);
  });

  it('puts every procedure within its own encounter, as in the data, with integrity 1.0', () => {
    for (const fk of config.foreignKeys.filter((f) => run.out[f.childTable] && run.out[f.parentTable]))
      expect(integrity(run.out, fk), `${fk.childTable}.${fk.childColumns[0]}`).toBe(1);
    expect(withinParent(run.real.procedures!, run.real.encounters!, 'ENCOUNTER', 'START')).toBeGreaterThan(0.97);
    expect(withinParent(run.out.procedures!, run.out.encounters!, 'ENCOUNTER', 'START')).toBeGreaterThan(0.9);
    // The dates keep the source's form (instants read from the CSV), restored onto the generated encounters.
    const form = (v: unknown) => (v instanceof Date ? 'date' : typeof v);
    expect(new Set(column(run.out.procedures!, 'START').map(form))).toEqual(new Set(column(run.real.procedures!, 'START').map(form)));
  });

  it("generates a patient's encounters as a sequence: each sees the previous one, and the gaps between visits keep their shape", () => {
    expect(run.prepared.relational!.sequences.encounters).toBe('START');
    const fk = config.foreignKeys.find((f) => f.childTable === 'encounters' && f.parentTable === 'patients')!;
    const columns = Object.fromEntries(['patients', 'encounters'].map((t) => [t, specsFromTableConfig(config.tables[t]!)]));
    const r = evaluateRelationship({ relationship: fk, real: { tables: run.real }, synthetic: { tables: run.out }, columns, sequenceColumn: 'START' })!;
    expect(r.sequence?.column).toBe('START');
    expect(r.sequence!.gaps).toBeGreaterThan(0.7);
    // Visits weeks apart, as in the data (not years, not all on one day).
    const day = 86_400_000;
    expect(r.sequence!.medianGap.synthetic! / r.sequence!.medianGap.real!).toBeGreaterThan(0.33);
    expect(r.sequence!.medianGap.synthetic! / r.sequence!.medianGap.real!).toBeLessThan(3);
    expect(r.sequence!.medianGap.real!).toBeGreaterThan(day);
  });
});
