import { describe, expect, it } from 'vitest';
import { convertText, inferSdtype, inferTextColumn } from '../../src/data/introspection/infer-types';
import { namesMatch } from '../../src/data/introspection/infer-keys';
import type { TableMeta } from '../../src/shared/metadata';

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('sdtype and datetime inference from text values', () => {
  it.each([
    ['created', ['2024-03-20', '2023-12-01'], 'ISO', new Date(Date.UTC(2024, 2, 20))],
    ['created', ['2024-03-20 13:45:07', '2023-12-01 00:00:00'], 'ISO', new Date(Date.UTC(2024, 2, 20, 13, 45, 7))],
    ['created', ['2024-03-20T13:45:07Z', '2023-12-01T00:00:00+02:00'], 'ISO', new Date(Date.UTC(2024, 2, 20, 13, 45, 7))],
    ['born', ['20/03/2024', '01/12/2023'], 'DD/MM/YYYY', new Date(Date.UTC(2024, 2, 20))],
    ['born', ['03/20/2024', '12/01/2023'], 'MM/DD/YYYY', new Date(Date.UTC(2024, 2, 20))],
    ['value', ['20240320', '20231201'], 'YYYYMMDD', new Date(Date.UTC(2024, 2, 20))],
    ['date', ['930101', '971231'], 'YYMMDD', new Date(Date.UTC(1993, 0, 1))],
  ])('%s %j -> %s', (name, values, format, first) => {
    const col = inferTextColumn(name, values);
    expect(col.sdtype).toBe('datetime');
    expect(col.datetimeFormat).toBe(format);
    expect(convertText(values[0], col)).toEqual(first);
  });

  it('six-digit numbers are only dates when the column name says so', () => {
    expect(
      inferTextColumn(
        'amount',
        times(30, (i) => String(930101 + i)),
      ).sdtype,
    ).toBe('numerical');
    expect(
      inferTextColumn(
        'amount',
        times(30, (i) => String(20240101 + i * 1000)),
      ).sdtype,
    ).not.toBe('datetime');
  });

  it('booleans, categorical codes, ids, numbers and free text', () => {
    expect(
      inferTextColumn(
        'smoker',
        times(20, (i) => (i % 2 ? 'Yes' : 'no')),
      ),
    ).toMatchObject({ storageType: 'boolean', sdtype: 'boolean' });
    expect(
      inferTextColumn(
        'flag',
        times(20, (i) => String(i % 2)),
      ),
    ).toMatchObject({ storageType: 'integer', sdtype: 'boolean' });
    expect(
      inferTextColumn(
        'rating',
        times(100, (i) => String((i % 5) + 1)),
      ).sdtype,
    ).toBe('categorical');
    expect(
      inferTextColumn(
        'zip',
        times(100, (i) => String(10000 + (i % 40))),
      ).sdtype,
    ).toBe('categorical');
    expect(
      inferTextColumn(
        'customer_id',
        times(100, (i) => String(i + 1)),
      ).sdtype,
    ).toBe('id');
    expect(
      inferTextColumn(
        'age',
        times(100, (i) => String(18 + (i % 60))),
      ).sdtype,
    ).toBe('numerical');
    expect(
      inferTextColumn(
        'price',
        times(100, (i) => (i * 1.25).toFixed(2)),
      ).sdtype,
    ).toBe('numerical');
    expect(
      inferTextColumn(
        'color',
        times(100, (i) => ['red', 'green', 'blue'][i % 3] ?? ''),
      ),
    ).toMatchObject({ storageType: 'string', sdtype: 'categorical' });
    expect(
      inferTextColumn(
        'review',
        times(100, (i) => `Review number ${i}: this product was fine, I would buy it again maybe.`),
      ).sdtype,
    ).toBe('text');
    expect(
      inferSdtype(
        'ref',
        'string',
        times(10, (i) => `0b1c2d3e-0000-4000-8000-00000000000${i}`),
      ),
    ).toBe('id');
  });

  it('FK names: same name, <table>_id to plural tables, bare upper-case names, prefixed names', () => {
    const table = (name: string, pk: string): TableMeta => ({ name, primaryKey: [pk], rowCount: 1, columns: [] });
    expect(namesMatch('account_id', table('account', 'account_id'))).toBe(true);
    expect(namesMatch('patient_id', table('patients', 'id'))).toBe(true);
    expect(namesMatch('PATIENT', table('patients', 'Id'))).toBe(true);
    expect(namesMatch('SECONDARY_PAYER', table('payers', 'Id'))).toBe(true);
    expect(namesMatch('categoryId', table('categories', 'id'))).toBe(true);
    expect(namesMatch('account_to', table('account', 'account_id'))).toBe(false);
    expect(namesMatch('id', table('patients', 'id'))).toBe(false);
  });
});
