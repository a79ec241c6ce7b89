import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/shared/validation';
import { buildPlan } from '../../src/worker/engine/relational/plan';
import { shopDb } from './generated-db';
import { integrity, synthesizeInMemory } from './helpers';

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
