/**
 * Links that carry meaning, on a database generated here (registryDb): people with yearly records
 * ordered by an integer grade (no date column), each record also referencing one of 2,000 classes
 * kept as original data, whose own grade is the record's and whose school a person keeps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared/values';
import { validateConfig } from '../../src/shared/validation';
import { registryDb, writeSqlite } from './generated-db';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { childCounts, column, integrity, loadDataset, synthesizeInMemory } from './helpers';
import { tempWorkspace } from './pipeline-helpers';

interface Figures {
  /** Share of people whose grades are unique and rising in record order. */
  rising: number;
  /** Share of people with a skipped grade. */
  gaps: number;
  /** Share of records whose class has the record's grade. */
  sameGrade: number;
  /** Share of people (2+ records) whose records all point to classes of one school. */
  oneSchool: number;
  /** Mean score of records in advanced classes minus that in regular ones. */
  effect: number;
}

function figures(tables: Record<string, RowBatch>): Figures {
  const records = tables.records!;
  const classes = tables.classes!;
  const byId = new Map(classes.rows.map((r) => [Number(r[0]), r]));
  const ci = (c: string) => classes.columns.indexOf(c);
  const person = column(records, 'person_id').map(Number);
  const grade = column(records, 'grade').map(Number);
  const cls = column(records, 'class_id').map(Number);
  const score = column(records, 'score').map(Number);
  const families = new Map<number, number[]>();
  person.forEach((p, i) => families.set(p, [...(families.get(p) ?? []), i]));
  let rising = 0;
  let gaps = 0;
  let stable = 0;
  let multi = 0;
  for (const rows of families.values()) {
    const g = rows.map((i) => grade[i]!);
    if (g.every((x, k) => k === 0 || x > g[k - 1]!)) rising++;
    if (g.some((x, k) => k > 0 && x - g[k - 1]! > 1)) gaps++;
    if (rows.length > 1) {
      multi++;
      if (new Set(rows.map((i) => byId.get(cls[i]!)?.[ci('school_id')])).size === 1) stable++;
    }
  }
  let same = 0;
  const sums = { advanced: [0, 0], regular: [0, 0] } as Record<string, [number, number]>;
  records.rows.forEach((_, i) => {
    const c = byId.get(cls[i]!);
    if (c && Number(c[ci('grade')]) === grade[i]) same++;
    const s = sums[String(c?.[ci('track')])];
    if (s) {
      s[0] += score[i]!;
      s[1] += 1;
    }
  });
  return {
    rising: rising / families.size,
    gaps: gaps / families.size,
    sameGrade: same / records.rows.length,
    oneSchool: stable / Math.max(1, multi),
    effect: sums.advanced![0] / sums.advanced![1] - sums.regular![0] / sums.regular![1],
  };
}

describe('links that carry meaning (a generated registry)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempWorkspace('registry');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps integer-step sequences, the second parent matching the step, stable memberships and the effect of its attribute', async () => {
    const file = path.join(dir, 'registry.sqlite');
    writeSqlite(registryDb(), file);
    const db = await loadDataset({ kind: 'sqlite', path: file });
    // The classes are kept as original data (real rows in the output), like the schools.
    db.config.tables.classes!.treatment = 'original';
    db.config.tables.schools!.treatment = 'original';
    db.config.settings.epochs = 4;
    db.config.settings.device = 'wasm';
    expect(validateConfig(db.config, db.metadata).filter((p) => p.severity === 'error')).toEqual([]);
    const out = await synthesizeInMemory(db);
    const all = { ...db.tables, ...out };
    for (const f of db.config.foreignKeys) expect(integrity(all, f), f.childColumns[0]).toBe(1);
    // No key value replaced (by a protected token or an empty value): every record has a class.
    expect(column(out.records!, 'class_id').filter((v) => v === null || v === undefined || v === '')).toEqual([]);
    const real = figures(db.tables);
    const syn = figures(all);
    // Each class referenced about as often as in the data.
    const classFk = db.config.foreignKeys.find((f) => f.childColumns[0] === 'class_id')!;
    const degree = ksComplement(Float64Array.from(childCounts(db.tables, classFk)), Float64Array.from(childCounts(all, classFk)));
    expect(real.rising).toBe(1);
    expect(syn.rising).toBeGreaterThanOrEqual(0.99);
    expect(syn.gaps).toBeLessThan(real.gaps + 0.05);
    expect(syn.sameGrade).toBeGreaterThanOrEqual(0.98);
    expect(Math.abs(syn.oneSchool - real.oneSchool)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(syn.effect - real.effect) / real.effect).toBeLessThanOrEqual(0.1);
    expect(degree).toBeGreaterThanOrEqual(0.9);
  }, 600_000);
});
