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
  columns: [pk, ...cols].map((c) => ({
    name: c,
    storageType: 'integer' as const,
    sdtype: c === pk || c.endsWith('_id') ? ('id' as const) : ('numerical' as const),
    nullable: true,
  })),
});
const fk = (childTable: string, childColumn: string, parentTable: string, parentColumn = `${parentTable}_id`): Relationship => ({
  childTable,
  childColumns: [childColumn],
  parentTable,
  parentColumns: [parentColumn],
  origin: 'declared',
});

function config(tables: ReturnType<typeof table>[], relationships: Relationship[]): { config: SynthesisConfig; metadata: DatasetMetadata } {
  const metadata: DatasetMetadata = { tables, relationships };
  return { metadata, config: defaultConfig(metadata, { kind: 'sqlite', path: 'x.sqlite' }) };
}

describe('generation plan', () => {
  it('orders a depth-3 schema from its root, picks one context FK per table and assigns the other', () => {
    const { config: c } = config(
      [
        table('district', ['a']),
        table('account', ['district_id', 'b']),
        table('client', ['district_id']),
        table('disp', ['account_id', 'client_id']),
        table('card', ['disp_id']),
        table('region', ['name']),
      ],
      [
        fk('account', 'district_id', 'district'),
        fk('client', 'district_id', 'district'),
        fk('disp', 'client_id', 'client'),
        fk('disp', 'account_id', 'account'),
        fk('card', 'disp_id', 'disp'),
        fk('district', 'a', 'region'),
      ],
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

  it('breaks a store ↔ staff cycle at init (a nullable FK made non-context) and explains it; a cycle the user makes is an error with the fix', () => {
    const { config: c, metadata } = config(
      [table('store', ['manager_staff_id']), table('staff', ['store_id']), table('customer', ['store_id'])],
      [fk('store', 'manager_staff_id', 'staff', 'staff_id'), fk('staff', 'store_id', 'store'), fk('customer', 'store_id', 'store')],
    );
    // Every column of the generated metadata is nullable: the smaller table's FK (equal sizes: the first) is chosen.
    const broken = c.foreignKeys.filter((f) => f.context === false);
    expect(broken).toHaveLength(1);
    const plan = buildPlan(c)!;
    expect(plan.order[plan.order.length - 1]).toBe('customer');
    const ps = validateConfig(c, metadata);
    expect(ps.filter((p) => p.severity === 'error')).toEqual([]);
    const why = ps.find((p) => p.code === 'FK_CYCLE_BROKEN');
    expect(why?.message).toMatch(/store → staff → store|staff → store → staff/);
    expect(why?.message).toMatch(/non-context/);
    // A NOT NULL FK is kept as context when the other one is nullable.
    metadata.tables.find((t) => t.name === 'staff')!.columns.find((x) => x.name === 'store_id')!.nullable = false;
    const again = defaultConfig(metadata, { kind: 'sqlite', path: 'x.sqlite' });
    expect(again.foreignKeys.filter((f) => f.context === false).map((f) => f.childTable)).toEqual(['store']);
    // The user makes it a context again: the cycle is an error naming the FKs and the fix.
    broken[0]!.context = undefined;
    expect(buildPlan(c)).toBeNull();
    const cycle = validateConfig(c, metadata).find((p) => p.code === 'FK_CYCLE');
    expect(cycle?.fix).toMatch(/staff\(store_id\)|store\(manager_staff_id\)/);
    expect(cycle?.fix).toMatch(/non-context/);
  });

  it('plans a synthesized self-reference as a forest over the table, and a lookup when the table is original data', () => {
    const { config: c, metadata } = config(
      [table('employee', ['reports_to']), table('customer', ['employee_id'])],
      [fk('employee', 'reports_to', 'employee'), fk('customer', 'employee_id', 'employee')],
    );
    expect(validateConfig(c, metadata).filter((p) => p.severity === 'error')).toEqual([]);
    const plan = buildPlan(c)!;
    expect(plan.roots).toEqual(['employee']);
    expect(plan.tables.employee!.selfRefs.map((r) => r.childColumns[0])).toEqual(['reports_to']);
    expect(plan.tables.customer!.context?.parentTable).toBe('employee');
    c.tables.employee!.treatment = 'original';
    expect(validateConfig(c, metadata).filter((p) => p.severity === 'error')).toEqual([]);
    expect(buildPlan(c)?.tables.customer?.lookups.map((r) => r.childColumns[0])).toEqual(['employee_id']);
  });

  it('follows the context chosen in the configuration; a non-context FK breaks a cycle, which validation explains', () => {
    const { config: c, metadata } = config(
      [table('store', ['manager_staff_id']), table('staff', ['store_id']), table('rental', ['staff_id', 'store_id'])],
      [
        fk('store', 'manager_staff_id', 'staff', 'staff_id'),
        fk('staff', 'store_id', 'store'),
        fk('rental', 'staff_id', 'staff', 'staff_id'),
        fk('rental', 'store_id', 'store'),
      ],
    );
    c.foreignKeys.find((f) => f.childTable === 'store')!.context = false;
    const plan = buildPlan(c)!;
    expect(plan.order).toEqual(['store', 'staff', 'rental']);
    expect(plan.tables.store!.assigned.map((r) => r.parentTable)).toEqual(['staff']);
    expect(plan.tables.rental!.context?.parentTable).toBe('staff');
    const ps = validateConfig(c, metadata);
    expect(ps.filter((p) => p.severity === 'error')).toEqual([]);
    expect(ps.find((p) => p.code === 'FK_CYCLE_BROKEN')?.message).toMatch(/store\(manager_staff_id\) → staff\(staff_id\) is non-context/);
    c.foreignKeys.find((f) => f.childTable === 'rental' && f.parentTable === 'store')!.context = true;
    const chosen = buildPlan(c)!;
    expect(chosen.tables.rental!.context?.parentTable).toBe('store');
    expect(chosen.tables.rental!.assigned.map((r) => r.parentTable)).toEqual(['staff']);
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
