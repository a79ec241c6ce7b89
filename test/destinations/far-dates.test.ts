import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDestination } from '../../src/data/destinations/write';
import { columnFormatters } from '../../src/data/dialects/load-rows';
import { dateTextFormatter } from '../../src/data/dialects/sqlite-values';
import type { TableMeta } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import type { Row } from '../../src/shared/values';
import { dest, fixtureFor, readAll, reader, removeTmp } from './harness';

afterAll(() => removeTmp());

/** A date of any year (Date.UTC reads the years 0–99 as 1900–1999). */
function at(year: number, ms = 0): Date {
  const d = new Date(Date.UTC(2000, 2, 1, 13, 4, 5, ms));
  d.setUTCFullYear(year);
  return d;
}
const midnight = (d: Date): Date => new Date(Math.floor(d.getTime() / 86_400_000) * 86_400_000);

const table: TableMeta = {
  name: 'far.dates',
  primaryKey: ['id'],
  rowCount: 0,
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
    { name: 'day.of', storageType: 'date', sdtype: 'datetime', nullable: true },
    { name: 'at', storageType: 'datetime', sdtype: 'datetime', nullable: true },
  ],
};
const plan = { tables: [table], relationships: [] };
const rowsOf = (years: number[]): Row[] => years.map((y, i) => [i + 1, midnight(at(y)), at(y, i * 7)]);

const ANY_YEAR = [-3, -1, 0, 1, 50, 999, 1969, 9999, 10000, 123456];
const MARIADB_YEARS = [0, 1, 50, 999, 1969, 9999];

describe.each(['sqlite', 'postgres'] as const)('%s destination: dates of any year', (kind) => {
  const fx = fixtureFor(kind);
  afterAll(() => fx.cleanup());

  it('reads back the same instants for years before 1, year 0 and years past 9999', async () => {
    const spec = await fx.spec();
    const rows = rowsOf(ANY_YEAR);
    await writeDestination(dest(spec), plan, reader({ [table.name]: rows }, 4, [table]));
    const back = (await readAll(spec)).tables[table.name]!;
    expect(back.map((r) => r.map((v) => (v instanceof Date ? v.toISOString() : v)))).toEqual(
      rows.map((r) => r.map((v) => (v instanceof Date ? v.toISOString() : v))),
    );
  });
});

describe('postgresql COPY text: the text of far dates', () => {
  const fx = fixtureFor('postgres');
  afterAll(() => fx.cleanup());

  it('is read by PostgreSQL as the same instant (year −3 is 4 BC)', async () => {
    const spec = (await fx.spec()) as Extract<SourceSpec, { kind: 'postgres' }>;
    const [dayText, atText] = columnFormatters(['date', 'datetime'], true);
    const c = new pg.Client({ host: spec.host, port: spec.port, user: spec.user, database: spec.database });
    await c.connect();
    try {
      for (const y of ANY_YEAR) {
        const d = at(y, 250);
        const r = await c.query<{ ms: string; day: string; bc: string }>(
          `select (extract(epoch from $1::timestamp(3)) * 1000)::bigint::text as ms, (extract(epoch from $2::date) * 1000)::bigint::text as day, to_char($2::date, 'YYYY BC') as bc`,
          [atText!(d), dayText!(d)],
        );
        expect(Number(r.rows[0]!.ms)).toBe(d.getTime());
        expect(Number(r.rows[0]!.day)).toBe(midnight(d).getTime());
        expect(r.rows[0]!.bc).toBe(y <= 0 ? `${String(1 - y).padStart(4, '0')} BC` : `${String(y).padStart(4, '0')} AD`);
      }
    } finally {
      await c.end();
    }
  });
});

describe('mariadb destination: dates of any year', () => {
  const fx = fixtureFor('mysql');
  afterAll(() => fx.cleanup());

  it('reads back the years 0 to 9999 as written', async () => {
    const spec = await fx.spec();
    const rows = rowsOf(MARIADB_YEARS);
    await writeDestination(dest(spec), plan, reader({ [table.name]: rows }, 4, [table]));
    const whole = (v: unknown): unknown => (v instanceof Date ? new Date(Math.floor(v.getTime() / 1000) * 1000).toISOString() : v);
    const back = (await readAll(spec)).tables[table.name]!;
    expect(back.map((r) => r.map(whole))).toEqual(rows.map((r) => r.map(whole)));
  });

  it.each([-3, 10000])('refuses year %i naming the column and the value, and keeps nothing', async (year) => {
    const spec = await fx.spec();
    const rows = rowsOf([1969, year, 1970]);
    await expect(writeDestination(dest(spec), plan, reader({ [table.name]: rows }, 4, [table]))).rejects.toMatchObject({
      code: 'DESTINATION_WRITE_FAILED',
      message: expect.stringMatching(new RegExp(`^Column "day\\.of" cannot hold the date ${midnight(at(year)).toISOString().replace(/[.+]/g, '\\$&')}`)),
    });
    expect((await readAll(spec)).tables[table.name] ?? []).toEqual([]);
  });
});

describe('the per-column date formatter', () => {
  it('writes the same text as one date at a time, in each style', () => {
    for (const style of ['iso', 'postgres'] as const)
      for (const y of ANY_YEAR) {
        const d = at(y, 7);
        expect(dateTextFormatter('datetime', false, style)(d)).toMatch(
          style === 'iso' ? /^[-+]?\d{4,6}-03-01 13:04:05\.007$/ : /^\d{4,6}-03-01 13:04:05\.007( BC)?$/,
        );
      }
    expect(dateTextFormatter('date', true, 'iso')(at(-3))).toBe('-000003-03-01');
    expect(dateTextFormatter('time', true, 'mysql', 'clock')(at(-3))).toBe('13:04:05'); // a time of day has no year to refuse
    expect(dateTextFormatter('datetime', true, 'postgres')(at(-3))).toBe('0004-03-01 13:04:05 BC');
    expect(dateTextFormatter('date', true, 'postgres')(at(0))).toBe('0001-03-01 BC');
    expect(dateTextFormatter('date', true, 'iso')(at(10000))).toBe('+010000-03-01');
    expect(() => dateTextFormatter('date', true, 'mysql', 'born')(midnight(at(-3)))).toThrow(/Column "born" cannot hold the date -000003-03-01T00:00:00\.000Z/);
  });
});
