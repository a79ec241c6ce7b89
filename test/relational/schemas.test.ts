import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/shared/validation';
import { buildPlan } from '../../src/worker/engine/relational/plan';
import { resolveLinks } from '../../src/worker/engine/relational/links';
import { depthsOf, learnForest } from '../../src/worker/engine/relational/forest';
import { cycleDb, shopDb, staffDb } from './generated-db';
import { integrity, synthesizeInMemory } from './helpers';
import { specsFromTableConfig } from '../../src/worker/engine/evaluate/columns';
import { evaluateRelationship } from '../../src/worker/engine/evaluate/relational';
import { relationalSection } from '../../src/report/html-sections';
import { relationshipReportSchema } from '../../src/report/schema';

describe('schemas as they come: several roots', () => {
  it('generates every root at its own size, with children under both', async () => {
    const db = shopDb();
    expect(validateConfig(db.config, db.metadata).filter((p) => p.severity === 'error')).toEqual([]);
    expect(buildPlan(db.config)!.roots).toEqual(['customers', 'products']);
    const out = await synthesizeInMemory(db);
    expect(out.customers!.rows.length).toBe(300);
    expect(out.products!.rows.length).toBe(120);
    const ratio = out.orders!.rows.length / db.tables.orders!.rows.length;
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
    for (const f of db.config.foreignKeys) expect(integrity(out, f), f.childColumns[0]).toBe(1);
  }, 120_000);
});

describe('self-references and cycles', () => {
  it('generates a self-reference as a forest with the real depth and fan-out, managers at the top', async () => {
    const db = staffDb();
    expect(validateConfig(db.config, db.metadata).filter((p) => p.severity === 'error')).toEqual([]);
    const out = await synthesizeInMemory(db);
    const rel = db.config.foreignKeys[0]!;
    expect(integrity(out, rel)).toBe(1);
    const staff = out.staff!;
    const idx = (c: string) => staff.columns.indexOf(c);
    const link = resolveLinks(staff, 'manager_id', staff, 'id');
    const depth = depthsOf(link);
    // No cycles: every chain ends at a root within the table's size.
    for (let i = 0; i < link.length; i++) {
      let r = i;
      for (let k = 0; k <= link.length && r >= 0; k++) r = link[r]!;
      expect(r).toBe(-1);
    }
    expect(Math.max(...depth)).toBeGreaterThanOrEqual(3);
    const real = learnForest(resolveLinks(db.tables.staff!, 'manager_id', db.tables.staff!, 'id'));
    const syn = learnForest(link);
    real.depthShare.forEach((s, d) => expect(Math.abs((syn.depthShare[d] ?? 0) - s), `depth ${d}`).toBeLessThan(0.05));
    // The people at the top are the directors and managers, as in the data.
    const top = staff.rows.filter((_, i) => depth[i]! <= 1).map((r) => r[idx('title')]);
    expect(top.filter((t) => t === 'director' || t === 'manager').length / top.length).toBeGreaterThan(0.6);
    // Fan-out of the managers (depth 1) keeps the real spread: some with many reports.
    const fan = (f: typeof real) => (f.fanout[1] ?? []).reduce((a, b) => Math.max(a, b), 0);
    expect(fan(syn)).toBeGreaterThan(0.4 * fan(real));
    // The report shows the same: depth and fan-out per self-reference, with the deepest levels.
    const columns = { staff: specsFromTableConfig(db.config.tables.staff!) };
    const r = evaluateRelationship({ relationship: rel, real: { tables: db.tables }, synthetic: { tables: out }, columns })!;
    expect(r.forest!.depth).toBeGreaterThanOrEqual(0.9);
    expect(r.forest!.maxDepth).toEqual({ real: 3, synthetic: 3 });
    const html = await relationalSection([relationshipReportSchema.parse(r)]);
    expect(html).toContain('Depth / fan-out');
    expect(html).toMatch(/deepest 3 \/ 3/);
  }, 120_000);

  it('runs a cycle broken at init (departments ↔ staff), every FK pointing at an output row', async () => {
    const db = cycleDb();
    const broken = db.config.foreignKeys.filter((f) => f.context === false);
    expect(broken.map((f) => `${f.childTable}.${f.childColumns[0]}`)).toEqual(['departments.head_id']);
    const problems = validateConfig(db.config, db.metadata);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems.find((p) => p.code === 'FK_CYCLE_BROKEN')?.message).toMatch(/departments\(head_id\) → staff\(id\) is non-context/);
    const out = await synthesizeInMemory(db);
    for (const f of db.config.foreignKeys) expect(integrity(out, f), f.childColumns[0]).toBe(1);
    expect(out.departments!.rows.length).toBe(60);
  }, 120_000);
});
