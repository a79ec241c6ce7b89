import { describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import { defaultConfig } from '../../src/shared/defaults';
import type { DatasetMetadata, Relationship } from '../../src/shared/metadata';
import { validateConfig } from '../../src/shared/validation';
import { buildPlan, relationalProblems } from '../../src/worker/engine/relational/plan';

const table = (name: string, cols: string[], pk = `${name}_id`) => ({
  name,
  primaryKey: [pk],
  rowCount: 1000,
  columns: [pk, ...cols].map((c) => ({ name: c, storageType: 'integer' as const, sdtype: c === pk || c.endsWith('_id') ? ('id' as const) : ('numerical' as const), nullable: true })),
});
const fk = (childTable: string, childColumn: string, parentTable: string, parentColumn = `${parentTable}_id`): Relationship => ({ childTable, childColumns: [childColumn], parentTable, parentColumns: [parentColumn], origin: 'declared' });

function config(tables: ReturnType<typeof table>[], relationships: Relationship[]): { config: SynthesisConfig; metadata: DatasetMetadata } {
  const metadata: DatasetMetadata = { tables, relationships };
  return { metadata, config: defaultConfig(metadata, { kind: 'sqlite', path: 'x.sqlite' }) };
}

describe('generation plan', () => {
  it('orders a depth-3 schema from its root, picks one context FK per table and assigns the other', () => {
    const { config: c } = config(
      [table('district', ['a']), table('account', ['district_id', 'b']), table('client', ['district_id']), table('disp', ['account_id', 'client_id']), table('card', ['disp_id']), table('region', ['name'])],
      [fk('account', 'district_id', 'district'), fk('client', 'district_id', 'district'), fk('disp', 'client_id', 'client'), fk('disp', 'account_id', 'account'), fk('card', 'disp_id', 'disp'), fk('district', 'a', 'region')],
    );
    c.tables.region!.treatment = 'original';
    const plan = buildPlan(c, { contextScore: (r) => (r.parentTable === 'account' ? 1 : 0) })!;
    expect(plan.roots).toEqual(['district']);
    expect(plan.order.indexOf('district')).toBe(0);
    for (const t of ['account', 'client']) expect(plan.order.indexOf(t)).toBeLessThan(plan.order.indexOf('disp'));
    expect(plan.order.indexOf('disp')).toBeLessThan(plan.order.indexOf('card'));
    expect(plan.tables.disp!.context?.parentTable).toBe('account');
    expect(plan.tables.disp!.assigned.map((r) => r.parentTable)).toEqual(['client']);
    expect(plan.tables.card!.depth).toBe(3);
    expect(plan.tables.district!.lookups.map((r) => r.parentTable)).toEqual(['region']);
    expect(plan.tables.account!.children.map((r) => r.childTable)).toEqual(['disp']);
    expect(plan.order).not.toContain('region');
  });

  it('explains a store ↔ staff cycle with the FKs to delete or the table to keep as original data', () => {
    const { config: c, metadata } = config(
      [table('store', ['manager_staff_id']), table('staff', ['store_id']), table('customer', ['store_id'])],
      [fk('store', 'manager_staff_id', 'staff', 'staff_id'), fk('staff', 'store_id', 'store'), fk('customer', 'store_id', 'store')],
    );
    expect(buildPlan(c)).toBeNull();
    const cycle = validateConfig(c, metadata).find((p) => p.code === 'FK_CYCLE');
    expect(cycle?.message).toMatch(/store/);
    expect(cycle?.message).toMatch(/staff/);
    expect(cycle?.fix).toMatch(/staff\(store_id\)|store\(manager_staff_id\)/);
    expect(cycle?.fix).toMatch(/original data/);
    // The user's choice resolves it: store.manager_staff_id no longer a foreign key.
    c.foreignKeys = c.foreignKeys.filter((r) => r.childColumns[0] !== 'manager_staff_id');
    const plan = buildPlan(c)!;
    expect(plan.roots).toEqual(['store']);
    expect(plan.order).toEqual(['store', 'staff', 'customer']);
  });

  it('rejects a synthesized self-reference, accepts it on original data', () => {
    const { config: c, metadata } = config([table('employee', ['reports_to']), table('customer', ['employee_id'])], [fk('employee', 'reports_to', 'employee'), fk('customer', 'employee_id', 'employee')]);
    const self = validateConfig(c, metadata).find((p) => p.code === 'FK_SELF_REFERENCE');
    expect(self?.message).toMatch(/employee/);
    expect(self?.fix).toMatch(/original data/);
    c.tables.employee!.treatment = 'original';
    expect(validateConfig(c, metadata).filter((p) => p.severity === 'error')).toEqual([]);
    expect(buildPlan(c)?.tables.customer?.lookups.map((r) => r.childColumns[0])).toEqual(['employee_id']);
  });

  it('rejects composite keys between synthesized tables and FK columns that are not synthesized', () => {
    const { config: c } = config(
      [table('invoice', ['n']), table('line', ['invoice_id', 'n2'])],
      [{ childTable: 'line', childColumns: ['invoice_id', 'n2'], parentTable: 'invoice', parentColumns: ['invoice_id', 'n'], origin: 'declared' }],
    );
    const composite = relationalProblems(c);
    expect(composite).toHaveLength(1);
    expect(composite[0]!.message).toMatch(/line\(invoice_id, n2\) → invoice\(invoice_id, n\)/);
    expect(composite[0]!.fix).toMatch(/original data/);
    const { config: c2 } = config([table('invoice', ['n']), table('line', ['invoice_id'])], [fk('line', 'invoice_id', 'invoice')]);
    expect(relationalProblems(c2)).toEqual([]);
    c2.tables.line!.columns.invoice_id!.treatment = 'mock';
    const p = relationalProblems(c2);
    expect(p[0]?.table).toBe('line');
    expect(p[0]?.column).toBe('invoice_id');
    expect(p[0]?.message).toMatch(/mock/);
  });
});
