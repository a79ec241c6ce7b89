import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { SynthesisConfig } from '../../src/shared';
import { doppel, tempDir } from '../cli/helpers';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';

// PostgreSQL → PostgreSQL and MariaDB → MariaDB reproduce every column type of the source
// exactly (information_schema.columns compared), and views (a materialized one too) are inspected,
// keyed by the user and synthesized like tables.

const scratch: ScratchDatabase[] = [];
const dir = tempDir('types');
const store = path.join(dir, 'store');
afterAll(async () => {
  for (const s of scratch) await s.drop().catch(() => undefined);
});

/** init → user keys on the views → validate → run --to the empty destination. */
async function synthesize(source: ScratchDatabase, destination: ScratchDatabase, views: string[]): Promise<void> {
  const file = path.join(dir, `${source.name}.json`);
  const init = await doppel(['init', source.url, '-o', file], { store });
  expect(init.code, init.stderr).toBe(0);
  const config = JSON.parse(readFileSync(file, 'utf8')) as SynthesisConfig;
  expect(Object.keys(config.tables).sort()).toEqual(['person', ...views].sort());
  for (const v of views) {
    expect(config.tables[v]!.primaryKey).toEqual([]);
    config.tables[v]!.primaryKey = ['id'];
    config.tables[v]!.columns.id!.sdtype = 'id';
  }
  config.settings.epochs = 1;
  config.settings.preset = 'fast';
  writeFileSync(file, JSON.stringify(config));
  const v = await doppel(['validate', file], { store });
  expect(v.code, v.stdout).toBe(0);
  const r = await doppel(['run', file, '--to', destination.url, '--json'], { store });
  expect(r.code, r.stderr).toBe(0);
  const rows = (JSON.parse(r.stdout) as { rows: Record<string, number> }).rows;
  for (const v of views) expect(rows[v]).toBeGreaterThan(50);
}

/** A valid time of day, as PostgreSQL and MariaDB print one. */
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?$/;

/** Synthesized times are valid times of day with more than a handful of values; texts fit their varchar. */
async function expectValidTimes(url: string): Promise<void> {
  const k = new pg.Client({ connectionString: url });
  await k.connect();
  try {
    const rows = (await k.query<{ opens: string | null; closes: string | null; email: string | null }>('select opens::text, closes::text, email from person'))
      .rows;
    const times = rows.flatMap((r) => [r.opens, r.closes]).filter((t): t is string => t !== null);
    expect(times.length).toBeGreaterThan(100);
    expect(times.filter((t) => !TIME_OF_DAY.test(t))).toEqual([]);
    expect(new Set(times).size).toBeGreaterThan(20);
    expect(rows.filter((r) => r.email !== null && [...r.email].length > 12)).toEqual([]);
  } finally {
    await k.end();
  }
}

describe('exact types and views', () => {
  it('PostgreSQL → PostgreSQL: every column type as in the source; a view and a materialized view synthesized', async () => {
    const src = await createPgDatabase('doppel_types');
    const dst = await createPgDatabase('doppel_types_out');
    scratch.push(src, dst);
    const c = new pg.Client({ connectionString: src.url });
    await c.connect();
    await c.query(`
      create table person (id integer primary key, amount numeric(10,2), created timestamp, seen timestamptz(0), code varchar(17) not null, cc char(3),
        small smallint, active boolean, born date, note text, score double precision, r real, big bigint, opens time, closes time(0), email varchar(12));
      insert into person select i, (i * 7 % 1000) / 10.0 + 0.25, timestamp '2020-01-01' + i * interval '7 hours', timestamptz '2021-03-01 00:00+00' + i * interval '1 day',
        'code-' || (i % 7), 'K' || (i % 5) || 'x', i % 100, i % 3 = 0, date '1970-01-01' + i * 37, 'n' || (i % 4), i / 3.0, i / 7.0, i::bigint * 1000000000,
        time '00:00' + i * interval '8 minutes 59 seconds', time '06:00' + i * interval '3 minutes 7 seconds', 'u' || i || '@x.io'
        from generate_series(1, 160) i;
      create view adults as select id, amount, code, born from person where small > 10;
      create materialized view totals as select id, amount, active from person;`);
    await c.end();
    await synthesize(src, dst, ['adults', 'totals']);
    const typesOf = async (db: ScratchDatabase, table: string) => {
      const k = new pg.Client({ connectionString: db.url });
      await k.connect();
      try {
        return (
          await k.query(
            `select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, datetime_precision, is_nullable
          from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
            [table],
          )
        ).rows;
      } finally {
        await k.end();
      }
    };
    const source = await typesOf(src, 'person');
    expect(source).toHaveLength(16);
    expect(await typesOf(dst, 'person')).toEqual(source);
    await expectValidTimes(dst.url);
    // The view's columns keep the types of the table they come from.
    expect((await typesOf(dst, 'adults')).map((x) => [x.column_name, x.data_type, x.character_maximum_length, x.numeric_scale])).toEqual(
      (await typesOf(src, 'adults')).map((x) => [x.column_name, x.data_type, x.character_maximum_length, x.numeric_scale]),
    );
    expect((await typesOf(dst, 'totals')).map((x) => x.data_type)).toEqual(['integer', 'numeric', 'boolean']);
  }, 400_000);

  it('MariaDB → MariaDB: every COLUMN_TYPE as in the source (unsigned, enum, precision); a view synthesized', async () => {
    const src = await createMysqlDatabase('doppel_types');
    const dst = await createMysqlDatabase('doppel_types_out');
    scratch.push(src, dst);
    const c = await mysql.createConnection({ uri: src.url, multipleStatements: true });
    await c.query(`
      create table person (id int unsigned primary key, amount decimal(10,2), created datetime, ts datetime(3), code varchar(17) not null, cc char(3),
        small smallint, active tinyint(1), born date, note text, score double, status enum('new','old','gone'), big bigint, opens time, email varchar(12));
      create view adults as select id, amount, code, born from person where small > 10;`);
    const rows = Array.from({ length: 160 }, (_, k) => {
      const i = k + 1;
      return [
        i,
        ((i * 7) % 1000) / 10 + 0.25,
        `2020-01-${String(1 + (i % 28)).padStart(2, '0')} 0${i % 10}:00:00`,
        `2021-02-0${1 + (i % 9)} 10:00:00.123`,
        `code-${i % 7}`,
        `K${i % 5}x`,
        i % 100,
        i % 3 === 0 ? 1 : 0,
        `19${50 + (i % 49)}-0${1 + (i % 9)}-1${i % 10}`,
        `n${i % 4}`,
        i / 3,
        ['new', 'old', 'gone'][i % 3],
        i * 1000000000,
        `${String(Math.floor((i * 539) / 3600)).padStart(2, '0')}:${String(Math.floor((i * 539) / 60) % 60).padStart(2, '0')}:${String((i * 539) % 60).padStart(2, '0')}`,
        `u${i}@x.io`,
      ];
    });
    await c.query('insert into person values ?', [rows]);
    await c.end();
    await synthesize(src, dst, ['adults']);
    const typesOf = async (db: ScratchDatabase, table: string) => {
      const k = await mysql.createConnection(db.url);
      try {
        const [r] = await k.query(
          'select column_name as name, column_type as type, is_nullable as nullable from information_schema.columns where table_schema = database() and table_name = ? order by ordinal_position',
          [table],
        );
        return r;
      } finally {
        await k.end();
      }
    };
    const source = (await typesOf(src, 'person')) as unknown[];
    expect(source).toHaveLength(15);
    expect(await typesOf(dst, 'person')).toEqual(source);
    const k = await mysql.createConnection(dst.url);
    try {
      const [times] = await k.query('select cast(opens as char) as t, email from person where opens is not null or email is not null');
      expect((times as Array<{ t: string | null; email: string | null }>).length).toBeGreaterThan(50);
      for (const { t, email } of times as Array<{ t: string | null; email: string | null }>) {
        if (t !== null) expect(t).toMatch(TIME_OF_DAY);
        if (email !== null) expect([...email].length).toBeLessThanOrEqual(12);
      }
    } finally {
      await k.end();
    }
    expect(((await typesOf(dst, 'adults')) as Array<{ type: string }>).map((x) => x.type)).toEqual(
      ((await typesOf(src, 'adults')) as Array<{ type: string }>).map((x) => x.type),
    );
  }, 400_000);
});
