/** A key and every foreign key linked to it, through further links too, are text when any of them is. */
import { describe, expect, it } from 'vitest';
import type { Relationship, TableMeta } from '../../src/shared/metadata';
import { linkedKeyColumns, textKeyGroups } from '../../src/worker/jobs/linked-key-types';

const table = (name: string, columns: Record<string, string>): TableMeta =>
  ({ name, primaryKey: [], columns: Object.entries(columns).map(([n, storageType]) => ({ name: n, storageType, sdtype: 'id' })) }) as unknown as TableMeta;
const link = (parentTable: string, parentColumn: string, childTable: string, childColumn: string): Relationship => ({
  parentTable,
  parentColumns: [parentColumn],
  childTable,
  childColumns: [childColumn],
  origin: 'user',
});
const types = (tables: TableMeta[]): Record<string, string> =>
  Object.fromEntries(tables.flatMap((t) => t.columns.map((c) => [`${t.name}.${c.name}`, c.storageType])));

describe('textKeyGroups', () => {
  it('makes a whole link group text when a foreign key is text, and leaves other columns and groups alone', () => {
    const tables = [
      table('region', { 'region.id': 'integer', name: 'string' }),
      table('shop', { id: 'integer', region: 'integer', opened: 'date' }),
      table('visit', { shop: 'string', qty: 'integer' }),
      table('depot', { id: 'integer' }),
      table('trip', { depot: 'bigint' }),
    ];
    const links = [link('region', 'region.id', 'shop', 'region'), link('shop', 'id', 'visit', 'shop'), link('depot', 'id', 'trip', 'depot')];
    expect(textKeyGroups(links, tables)).toEqual({ shop: ['id'] });
    expect(types(tables)).toMatchObject({ 'shop.id': 'string', 'visit.shop': 'string', 'region.region.id': 'integer', 'shop.region': 'integer' });
    expect(types(tables)).toMatchObject({ 'shop.opened': 'date', 'visit.qty': 'integer', 'depot.id': 'integer', 'trip.depot': 'bigint' });
  });

  it('carries a text key along a chain of links, to parents and children alike', () => {
    const tables = [table('a', { k: 'integer' }), table('b', { k: 'integer', a: 'string' }), table('c', { b: 'integer' })];
    const links = [link('a', 'k', 'b', 'a'), link('b', 'a', 'c', 'b')];
    expect(textKeyGroups(links, tables)).toEqual({ a: ['k'], c: ['b'] });
    expect(types(tables)).toEqual({ 'a.k': 'string', 'b.k': 'integer', 'b.a': 'string', 'c.b': 'string' });
  });

  it('names the key columns of each linked table once, skipping columns a table does not have', () => {
    const tables = [table('a', { k: 'integer' }), table('b', { a: 'integer', a2: 'integer' })];
    const keys = linkedKeyColumns([link('a', 'k', 'b', 'a'), link('a', 'k', 'b', 'a2'), link('a', 'gone', 'b', 'a')], tables);
    expect(Object.fromEntries(keys)).toEqual({ a: ['k'], b: ['a', 'a2'] });
  });
});
