import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type SynthesisConfig } from '../../src/shared';
import { DEFAULT_BATCH_SIZE, openSource } from '../../src/data/sources/connector';
import { loadData } from '../../src/worker/jobs/load-data';
import { HELD_SAMPLE_ROWS } from '../../src/worker/engine/original-data';
import { readWhole, runPipeline } from '../relational/pipeline-helpers';
import { readOutputTable } from '../../src/data/exporters/table-reader';
import { createPgDatabase, pgRows, type ScratchDatabase } from '../helpers/db';
import { databaseConfig, usePgScratch } from '../helpers/pg-scratch';

/**
 * 300,000 events kept as original data, each of a kind (a small original-data table), and 1,500
 * synthesized people, each pointing at the last event they attended.
 */
const EVENTS = 300_000;
const PEOPLE = 1500;
const source = usePgScratch(
  'doppel_copy',
  `CREATE TABLE kinds (kind text PRIMARY KEY, label text NOT NULL);
   INSERT INTO kinds VALUES ('open', 'Opened'), ('close', 'Closed'), ('move', 'Moved');
   CREATE TABLE events (id integer PRIMARY KEY, kind text NOT NULL REFERENCES kinds(kind), amount double precision, note text);
   INSERT INTO events SELECT g, (ARRAY['open','close','move'])[1 + g % 3], g * 0.25, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || (g % 11) END
     FROM generate_series(1, ${EVENTS}) g;
   CREATE TABLE people (id integer PRIMARY KEY, age integer NOT NULL, city text NOT NULL, last_event integer REFERENCES events(id));
   INSERT INTO people SELECT g, 18 + g % 60, (ARRAY['Oslo','Lima','Pune'])[1 + g % 3], 1 + (g * 7919) % ${EVENTS} FROM generate_series(1, ${PEOPLE}) g;`,
);
const { dir } = source;
let dest: ScratchDatabase;

/** One digest of a table's rows in key order, the same text for equal rows in any PostgreSQL database. */
const digestSql = "select count(*)::int as n, md5(string_agg(concat_ws('|', id, kind, amount, coalesce(note, '∅')), ';' order by id)) as h from events";

beforeAll(async () => {
  dest = await createPgDatabase('doppel_copy_out');
});

afterAll(async () => {
  await dest?.drop();
});

async function configOf(): Promise<SynthesisConfig> {
  const config = await databaseConfig(source.db().spec, 'copy', { events: 'original', kinds: 'original', people: 'synthesize' });
  config.destination = { kind: 'database', target: dest.spec, tableMode: 'create', batchSize: 10_000, parallel: 1 };
  return config;
}

describe('a large original-data table beside a small synthesized one (PostgreSQL)', () => {
  it('is copied from the source to the local output and the destination batch by batch, equal to the source, never loaded whole', async () => {
    const config = await configOf();
    // The loader holds the events the people reference and a sample of the others; kinds (referenced by original data only) stays in the source.
    const data = await loadData(config, {});
    expect(data.copied.sort()).toEqual(['events', 'kinds']);
    expect(data.tables.kinds).toBeUndefined();
    expect(data.tables.people!.rows.length).toBe(PEOPLE);
    expect(data.sourceRows.events).toBe(EVENTS);
    const held = data.tables.events!;
    expect(held.rows.length).toBeLessThanOrEqual(PEOPLE + HELD_SAMPLE_ROWS);
    expect(held.rows.length).toBeGreaterThan(HELD_SAMPLE_ROWS / 2);
    const heldIds = new Set(held.rows.map((r) => r[held.columns.indexOf('id')]));
    const lastAt = data.tables.people!.columns.indexOf('last_event');
    expect(data.tables.people!.rows.every((r) => heldIds.has(r[lastAt]))).toBe(true);

    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status).toBe('succeeded');
    expect(run.summary.rows).toMatchObject({ events: EVENTS, kinds: 3, people: PEOPLE });
    // The copy went through the sink one source batch at a time: the largest batch held is the reader's.
    const copy = run.logs
      .map((l) => /Copied ([\d,]+) rows of the original-data table "events" from the source in ([\d,]+) batch\(es\) of at most ([\d,]+) rows/.exec(l))
      .find(Boolean);
    expect(copy, run.logs.join('\n')).toBeTruthy();
    const [rows, batches, largest] = copy!.slice(1).map((s) => Number(s.replace(/,/g, '')));
    expect(rows).toBe(EVENTS);
    expect(largest).toBeLessThanOrEqual(DEFAULT_BATCH_SIZE);
    expect(batches).toBeGreaterThanOrEqual(EVENTS / DEFAULT_BATCH_SIZE);

    // The destination holds the source's rows, value for value.
    const [inSource] = await pgRows<{ n: number; h: string }>(source.db().url, digestSql);
    const [inDestination] = await pgRows<{ n: number; h: string }>(dest.url, digestSql);
    expect(inDestination).toEqual(inSource);
    expect(inSource!.n).toBe(EVENTS);
    // So does the local output.
    const local = await readWhole(readOutputTable(run.outputPath, 'events', 10_000));
    const real = run.real.events!;
    expect(local.columns).toEqual(real.columns);
    const byId = (b: typeof local): typeof local.rows => [...b.rows].sort((a, c) => Number(a[0]) - Number(c[0]));
    expect(byId(local)).toEqual(byId(real));
    // Every synthetic person points at an event of the output (the destination's FK constraints hold too).
    const people = run.out.people!;
    const lastOut = people.columns.indexOf('last_event');
    const ids = new Set(local.rows.map((r) => r[0]));
    expect(people.rows.filter((r) => r[lastOut] !== null && !ids.has(r[lastOut])).length).toBe(0);
    expect(people.rows.filter((r) => r[lastOut] !== null).length).toBeGreaterThan(PEOPLE / 2);
    // The report shows the table as copied.
    expect(run.report.tables.find((t) => t.name === 'events')!.treatment).toBe('original');
  }, 600_000);
});

describe('a large original-data table of a folder of CSV files', () => {
  const FILE_EVENTS = 60_000;
  const LATE = 52_345;

  /** events.csv (text keys, a dotted name, a yes/no column with one other word far past the rows types are guessed from) and people.csv. */
  function writeFolder(): string {
    const folder = mkdtempSync(path.join(dir, 'files-'));
    const events = ['event_id,kind,amount.eur,checked'];
    for (let g = 1; g <= FILE_EVENTS; g++)
      events.push(
        `E-${String(g).padStart(6, '0')},${['open', 'close', 'move'][g % 3]},${g % 9 ? (g * 0.25).toFixed(2) : ''},${g === LATE ? 'Steady' : g % 2 ? 'yes' : 'no'}`,
      );
    writeFileSync(path.join(folder, 'events.csv'), `${events.join('\n')}\n`);
    const people = ['person_id,age,city,event_id'];
    for (let g = 1; g <= PEOPLE; g++)
      people.push(`${g},${18 + (g % 60)},${['Oslo', 'Lima', 'Pune'][g % 3]},E-${String(1 + ((g * 7919) % FILE_EVENTS)).padStart(6, '0')}`);
    writeFileSync(path.join(folder, 'people.csv'), `${people.join('\n')}\n`);
    return folder;
  }

  it('is copied batch by batch, its guessed types widened over every row beforehand, equal to the file', async () => {
    const spec = { kind: 'files' as const, path: writeFolder() };
    const source = await openSource(spec);
    const config = defaultConfig(await source.introspect(), spec, { name: 'file-copy' });
    await source.close();
    config.tables.events!.treatment = 'original';
    config.tables.people!.treatment = 'synthesize';
    config.settings.preset = 'fast';
    config.settings.epochs = 1;
    expect(config.foreignKeys.map((fk) => `${fk.childTable}.${fk.childColumns.join()}->${fk.parentTable}`).sort()).toContain('people.event_id->events');
    // guessed from the first rows as yes/no; one later row holds a word
    expect(config.tables.events!.columns['checked']).toBeDefined();

    const data = await loadData(config, {});
    expect(data.copied).toContain('events');
    expect(data.sourceRows.events).toBe(FILE_EVENTS);
    expect(data.tables.events?.rows.length ?? 0).toBeLessThanOrEqual(PEOPLE + HELD_SAMPLE_ROWS);
    const checked = data.metadata.tables.find((t) => t.name === 'events')!.columns.find((c) => c.name === 'checked')!;
    expect(checked.storageType).toBe('string');

    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status, run.logs.join('\n')).toBe('succeeded');
    const copy = run.logs
      .map((l) => /Copied ([\d,]+) rows of the original-data table "events" from the source in ([\d,]+) batch\(es\) of at most ([\d,]+) rows/.exec(l))
      .find(Boolean);
    expect(copy, run.logs.join('\n')).toBeTruthy();
    const [rows, batches, largest] = copy!.slice(1).map((s) => Number(s.replace(/,/g, '')));
    expect(rows).toBe(FILE_EVENTS);
    expect(largest).toBeLessThanOrEqual(DEFAULT_BATCH_SIZE);
    expect(batches).toBeGreaterThanOrEqual(FILE_EVENTS / DEFAULT_BATCH_SIZE);
    const local = await readWhole(readOutputTable(run.outputPath, 'events', 10_000));
    const real = run.real.events!;
    expect(local.columns).toEqual(real.columns);
    const at = local.columns.indexOf('checked');
    const rowsOf = (b: typeof local): string[] => b.rows.map((r) => JSON.stringify(r)).sort();
    expect(rowsOf(local)).toEqual(rowsOf(real));
    expect(local.rows.filter((r) => r[at] === 'Steady').map((r) => r[0])).toEqual([`E-0${LATE}`]);
    // The widened column's other cells are the file's words, not typed values.
    const word = (id: unknown): string => {
      const g = Number(String(id).slice(2));
      return g === LATE ? 'Steady' : g % 2 ? 'yes' : 'no';
    };
    expect(local.rows.filter((r) => r[at] !== word(r[0])).slice(0, 3)).toEqual([]);
  }, 600_000);
});
