import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/worker/jobs/load-data';
import { build, dispose, preprocess, train } from '../../src/worker/engine/pipeline';
import { pgRows } from '../helpers/db';
import { databaseConfig, usePgScratch } from '../helpers/pg-scratch';

/**
 * 6,000 members with 3 visits each; a visit's room (original data) is empty for about a quarter
 * of the visits, spread unevenly over the members. Training reads a sample of 600 members with
 * their whole families.
 */
const MEMBERS = 6000;
const source = usePgScratch(
  'doppel_links',
  `CREATE TABLE members (id integer PRIMARY KEY, age integer NOT NULL, city text NOT NULL);
   INSERT INTO members SELECT g, 18 + g % 60, (ARRAY['Oslo','Lima','Pune'])[1 + g % 3] FROM generate_series(1, ${MEMBERS}) g;
   CREATE TABLE rooms (id integer PRIMARY KEY, name text NOT NULL);
   INSERT INTO rooms SELECT g, 'room ' || g FROM generate_series(1, 20) g;
   CREATE TABLE visits (id integer PRIMARY KEY, member_id integer NOT NULL REFERENCES members(id), room_id integer REFERENCES rooms(id), minutes integer NOT NULL);
   INSERT INTO visits SELECT (m - 1) * 3 + k, m, CASE WHEN (m * 7919 + k * 104729) % 97 < 24 THEN NULL ELSE 1 + (m + k) % 20 END, 10 + (m * k) % 50
     FROM generate_series(1, ${MEMBERS}) m, generate_series(1, 3) k;`,
);
const { dir } = source;

describe('the share of rows linked to no parent, on a sampled table (PostgreSQL)', () => {
  it('is counted over the whole table in the source, and the engine links that share of its rows to nothing', async () => {
    const config = await databaseConfig(source.db().spec, 'links', { members: 'synthesize', visits: 'synthesize', rooms: 'original' });
    config.settings.maxTrainingRows = 600;
    const data = await loadData(config, {});
    const rows = await pgRows<{ n: number; empty: number }>(
      source.db().url,
      'select count(*)::int as n, (count(*) - count(room_id))::int as empty from visits',
    );
    const whole = rows[0]!.empty / rows[0]!.n;
    expect(data.wholeStats.visits!.rows).toBe(MEMBERS * 3);
    expect(data.wholeStats.visits!.columns.room_id!.nulls).toBe(rows[0]!.empty);
    // The premise: the sample's own share differs from the table's.
    const visits = data.tables.visits!;
    expect(visits.rows.length).toBeLessThan(MEMBERS);
    const at = visits.columns.indexOf('room_id');
    const sampled = visits.rows.filter((r) => r[at] === null).length / visits.rows.length;
    expect(sampled).not.toBe(whole);

    const prepared = await preprocess({
      config,
      metadata: data.metadata,
      tables: data.tables,
      sourceRows: data.sourceRows,
      wholeStats: data.wholeStats,
      workspace: mkdtempSync(path.join(dir, 'ws-')),
    });
    const built = await build(prepared);
    try {
      await train(built);
      const lookup = built.relational!.lookups.visits!.find((m) => m.fk.parentTable === 'rooms')!;
      expect(lookup.nullRate).toBe(whole);
    } finally {
      dispose(built);
    }
  }, 600_000);
});
