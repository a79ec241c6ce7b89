import { describe, expect, it } from 'vitest';
import { nameRules, storedNames, storedNamesOf } from '../../src/shared/stored-names';
import { headerNames } from '../../src/data/sources/formats/header';

const bytes = (s: string): number => new TextEncoder().encode(s).length;

describe('names a database can hold', () => {
  it('keeps every name that fits and renames case twins and over-long names deterministically', () => {
    const long = `${'é'.repeat(40)}_tail`;
    const names = ['group', 'Group', 'GROUP', 'group_2', long, `${long}x`, 'Sepal.Length'];
    const my = storedNamesOf(names, nameRules.mysql);
    expect(my.get('group')).toBe('group');
    expect(my.get('group_2')).toBe('group_2');
    expect(my.get('Group')).toBe('Group_3');
    expect(my.get('GROUP')).toBe('GROUP_4');
    expect(my.get('Sepal.Length')).toBe('Sepal.Length');
    for (const s of my.values()) expect(bytes(s)).toBeLessThanOrEqual(64);
    expect(my.get(long)).not.toBe(my.get(`${long}x`));
    expect(storedNamesOf(names, nameRules.mysql)).toEqual(my);
    const pg = storedNamesOf(names, nameRules.postgres);
    expect(pg.get('Group')).toBe('Group');
    for (const s of pg.values()) expect(bytes(s)).toBeLessThanOrEqual(63);
    expect(new Set([...pg.values()].map((s) => s)).size).toBe(names.length);
  });

  it('lists the renames of tables and columns', () => {
    const r = storedNames(
      [
        { name: 'T', columns: [{ name: 'a' }, { name: 'A' }] },
        { name: 't', columns: [{ name: 'x' }] },
      ],
      nameRules.sqlite,
    );
    expect(r.renames).toEqual([
      { table: 'T', column: 'A', to: 'A_2' },
      { table: 't', to: 't_2' },
    ]);
  });

  it('gives empty and repeated header cells names of their own', () => {
    expect(headerNames(['a', '', ' b ', 'a', 'a_2', 'a', null])).toEqual(['a', 'column_2', 'b', 'a_3', 'a_2', 'a_4', 'column_7']);
  });
});
