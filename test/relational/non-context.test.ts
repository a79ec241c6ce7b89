/**
 * A non-context FK between two synthesized tables chosen by the learned matcher: a club's visits
 * under their member (the context) reference a course group (matched after generation) whose level
 * must be the visit's own, at the site the member keeps across visits, with minutes that depend on
 * the group's format. Awkward table and column names, text keys.
 */
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared/values';
import { validateConfig } from '../../src/shared/validation';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { planFromData } from '../../src/worker/engine/relational/links';
import { clubDb } from './generated-db';
import { childCounts, integrity, synthesizeInMemory } from './helpers';

const VISITS = 'Besuch (2024)';
const GROUPS = 'Kurs/Gruppe';

interface Figures {
  /** Visits whose level is their group's level. */
  levelMatch: number;
  /** Members whose visits are all at one site. */
  oneSite: number;
  /** Mean minutes of visits in long groups minus those in short ones. */
  formatEffect: number;
}

function figures(tables: Record<string, RowBatch>): Figures {
  const g = tables[GROUPS]!;
  const at = (b: RowBatch, c: string): number => b.columns.indexOf(c);
  const group = new Map(g.rows.map((r) => [String(r[at(g, 'Gruppe ID')]), r]));
  const v = tables[VISITS]!;
  let match = 0;
  const sites = new Map<string, Set<string>>();
  const minutes = { lang: [] as number[], kurz: [] as number[] };
  for (const r of v.rows) {
    const p = group.get(String(r[at(v, 'Gruppe')]))!;
    if (p[at(g, 'Stufe')] === r[at(v, 'Stufe')]) match++;
    const m = String(r[at(v, 'Mitglied')]);
    sites.set(m, (sites.get(m) ?? new Set()).add(String(p[at(g, 'Ort')])));
    minutes[p[at(g, 'Format')] === 'lang' ? 'lang' : 'kurz'].push(Number(r[at(v, 'Minuten')]));
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    levelMatch: match / v.rows.length,
    oneSite: [...sites.values()].filter((s) => s.size === 1).length / sites.size,
    formatEffect: mean(minutes.lang) - mean(minutes.kurz),
  };
}

describe('a non-context FK between synthesized tables (visits under members, matched to course groups)', () => {
  it("matches each visit to a group agreeing with its own level, its earlier visits' site and its minutes, with the real group sizes", async () => {
    const db = clubDb();
    expect(validateConfig(db.config, db.metadata).filter((p) => p.severity === 'error')).toEqual([]);
    const plan = planFromData(db.config, db.tables)!;
    expect(plan.roots).toEqual(['Mitglied Liste', GROUPS]);
    expect(plan.tables[VISITS]!.context?.parentTable).toBe('Mitglied Liste');
    expect(plan.tables[VISITS]!.assigned.map((f) => f.parentTable)).toEqual([GROUPS]);
    const logs: string[] = [];
    const out = await synthesizeInMemory({ ...db, log: (_l: string, m: string) => logs.push(m) } as typeof db);
    expect(logs.join('\n')).toContain(
      `"${VISITS}": Gruppe chosen among the "${GROUPS}" rows by a learned matcher (Stufe = ${GROUPS}.Stufe, ${GROUPS}.Ort kept across siblings`,
    );
    for (const f of db.config.foreignKeys) {
      expect(integrity(out, f), f.childColumns[0]).toBe(1);
      // Every group's number of visits (none included) and every member's follow the data.
      const ks = ksComplement(Float64Array.from(childCounts(db.tables, f)), Float64Array.from(childCounts(out, f)));
      expect(ks, f.childColumns[0]).toBeGreaterThanOrEqual(0.9);
    }
    // Every visit has a group (no empty values in the data).
    expect(out[VISITS]!.rows.every((r) => typeof r[2] === 'string' && r[2] !== '')).toBe(true);
    const real = figures(db.tables);
    const syn = figures(out);
    expect(real.levelMatch).toBe(1);
    expect(syn.levelMatch).toBeGreaterThanOrEqual(0.95);
    // A member's visits stay at one site as often as in the data (drawn row by row: almost never).
    expect(Math.abs(syn.oneSite - real.oneSite)).toBeLessThanOrEqual(0.1);
    // Long courses: 40 minutes more in the data; kept within a quarter.
    expect(Math.abs(syn.formatEffect - real.formatEffect) / real.formatEffect).toBeLessThanOrEqual(0.25);
  }, 600_000);
});
