import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { openSource } from '../../src/data/sources/connector';
import { csvTable, detectDialect } from '../../src/data/sources/formats/csv';
import { csvEngineRoute } from '../../src/data/sources/formats/csv-duckdb';
import { parquetTable } from '../../src/data/sources/formats/parquet';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteFile } from 'hyparquet-writer';
import { DistinctCheck } from '../../src/data/sources/distinct-check';
import type { DatasetMetadata } from '../../src/shared/metadata';
import { QUANTILE_POINTS, discreteOffset, type TableStats } from '../../src/shared/table-stats';
import type { RowBatch } from '../../src/shared/values';
import { createRng } from '../../src/shared/rng';

/**
 * The two engines of a file's whole-table passes (DuckDB for large CSVs, the streamed JavaScript
 * pass otherwise) read the same awkward files into the same table: types, row count, key
 * candidates, statistics and the rows of a seeded sample.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doppel-file-engine-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
});

interface Read {
  meta: DatasetMetadata;
  stats: TableStats;
  sample: RowBatch;
  firstRows: RowBatch;
}

/** Everything a load reads of a file's one table, with DuckDB for every file size (`duckdb`) or never. */
async function readWith(engine: 'duckdb' | 'js', path: string, sampleRows = 300): Promise<Read> {
  process.env['DOPPEL_DUCKDB_MIN_BYTES'] = engine === 'duckdb' ? '0' : String(Number.MAX_SAFE_INTEGER);
  const src = await openSource({ kind: 'files', path });
  try {
    const meta = await src.introspect();
    const t = meta.tables[0]!;
    const names = t.columns.map((c) => c.name);
    const stats = await src.tableStats(t.name, { categories: names, ranges: names });
    const sample = await src.sample(t.name, { rows: sampleRows, random: true, seed: 11 });
    const firstRows = await src.sample(t.name, { rows: 5, random: false, seed: 11, columns: names.slice(0, 3) });
    return { meta, stats, sample, firstRows };
  } finally {
    await src.close();
  }
}

/** The discrete quantiles at QUANTILE_POINTS of every non-empty cell of a file's numeric or datetime column, as the streamed reader reads them (times in milliseconds). */
async function readerQuantiles(path: string, column: string): Promise<number[]> {
  process.env['DOPPEL_DUCKDB_MIN_BYTES'] = String(Number.MAX_SAFE_INTEGER);
  const src = await openSource({ kind: 'files', path });
  try {
    const t = (await src.introspect()).tables[0]!;
    const all = await src.sample(t.name, { rows: t.rowCount!, random: false, seed: 0, columns: [column] });
    const ms = all.rows.flatMap(([v]) => (v instanceof Date ? [v.getTime()] : typeof v === 'number' ? [v] : [])).sort((x, y) => x - y);
    expect(ms.length).toBe(all.rows.filter(([v]) => v !== null).length);
    return QUANTILE_POINTS.map((p) => ms[discreteOffset(p, ms.length)]!);
  } finally {
    await src.close();
  }
}

/** Statistics with the categories as a map (two values held by as many rows may come in either order); the quantiles are exact on both sides for files this small. */
function comparable(stats: TableStats): unknown {
  return {
    rows: stats.rows,
    columns: Object.fromEntries(
      Object.entries(stats.columns).map(([name, s]) => [
        name,
        {
          ...s,
          categories: s.categories && new Map(s.categories.map(([v, n]) => [v instanceof Date ? `d${v.getTime()}` : `${typeof v}:${String(v)}`, n])),
        },
      ]),
    ),
  };
}

async function expectSameRead(path: string): Promise<{ duck: Read; js: Read }> {
  const duck = await readWith('duckdb', path);
  const js = await readWith('js', path);
  expect(duck.meta).toEqual(js.meta);
  expect(comparable(duck.stats)).toEqual(comparable(js.stats));
  expect(duck.sample).toEqual(js.sample);
  expect(duck.firstRows).toEqual(js.firstRows);
  return { duck, js };
}

const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** A semicolon CSV with a BOM, CRLF line ends and the cells users' exports hold. */
function awkwardCsv(rows: number): string {
  const rng = createRng(5);
  const header = ['Sepal.Length', 'code', 'big_id', 'note', 'when', 'amount', 'flag', 'empty or null', 'Sepal.Width'];
  const lines = [header.map((h, i) => (i === 3 ? q(h) : h)).join(';')];
  const towns = ['Zürich', 'Genève', 'São Paulo', '東京', 'Köln; Süd'];
  for (let i = 0; i < rows; i++) {
    const note = [`line one\nline two ${i % 7}`, `say "hi" ${i % 3}`, towns[Math.floor(i / 5) % towns.length]!, '', '  padded  '][i % 5]!;
    const when =
      i % 11 === 0
        ? `${String(1 + (i % 28)).padStart(2, '0')}/03/2020`
        : `2020-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    lines.push(
      [
        (4 + rng.next() * 4).toFixed(1),
        String(i % 40).padStart(5, '0'),
        String(9007199254740993n + BigInt(i) * 1000n),
        q(note),
        when,
        i % 13 === 0 ? '' : (rng.next() * 1000 - 500).toFixed(2),
        ['yes', 'no', 'Yes', ''][i % 4]!,
        i % 3 === 0 ? '' : i % 3 === 1 ? '""' : 'NULL',
        i % 9 === 0 ? '' : (2 + rng.int(30) / 10).toFixed(1),
      ].join(';'),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

describe('DuckDB and the streamed pass read files identically', () => {
  it('an awkward semicolon CSV: BOM, quoted newlines and quotes, empty vs NULL, huge integers, leading zeros, mixed dates, dotted names', async () => {
    const path = join(dir, 'awkward.csv');
    await writeFile(path, awkwardCsv(3000));
    const { duck } = await expectSameRead(path);
    const t = duck.meta.tables[0]!;
    expect(t.rowCount).toBe(3000);
    expect(t.columns.map((c) => c.name)).toEqual(['Sepal.Length', 'code', 'big_id', 'note', 'when', 'amount', 'flag', 'empty or null', 'Sepal.Width']);
    // the huge integers are distinct, so they are the key; leading zeros are kept as written
    expect(t.primaryKey).toEqual(['big_id']);
    const code = duck.stats.columns['code']!.categories!.map(([v]) => v);
    expect(code).toContain('00007');
    const note = duck.stats.columns['note']!.categories!.map(([v]) => v);
    expect(note).toContain('line one\nline two 3');
    expect(note).toContain('Köln; Süd');
    expect(duck.sample.rows).toHaveLength(300);
    // (the table engine really is DuckDB here)
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
    const engine = await csvTable(path, 'awkward').engine!(t.columns.length);
    expect(engine?.name).toBe('duckdb');
    expect(await engine!.profile([0, 2])).toEqual({ rows: 3000, unique: [false, true] });
  });

  it('a comma CSV without a header, gzipped, and a tab-separated file with a repeated and an empty header cell', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++)
      lines.push(`${i + 1},${i % 4 === 0 ? '' : 'v' + (i % 6)},${(i * 0.25).toFixed(2)},1990-01-${String(1 + (i % 28)).padStart(2, '0')}`);
    const gz = join(dir, 'headless.csv.gz');
    await writeFile(gz, gzipSync(`${lines.join('\n')}\n`));
    const { duck } = await expectSameRead(gz);
    expect(duck.meta.tables[0]!.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3', 'column_4']);
    expect(duck.meta.tables[0]!.rowCount).toBe(500);

    const tsv = join(dir, 'people.tsv');
    const rows = ['id\tname\tname\t\tage'];
    for (let i = 0; i < 400; i++) rows.push(`${1000 + i}\tname ${i % 50}\tn${i % 3}\t${i % 2 ? 'x' : ''}\t${i % 90}`);
    await writeFile(tsv, `${rows.join('\n')}\n\n`);
    const second = await expectSameRead(tsv);
    expect(second.duck.meta.tables[0]!.columns.map((c) => c.name)).toEqual(['id', 'name', 'name_2', 'column_4', 'age']);
    expect(second.duck.meta.tables[0]!.primaryKey).toEqual(['id']);
  });

  it('a header value that a data row holds too, and a header-only file', async () => {
    const path = join(dir, 'echo.csv');
    await writeFile(path, 'id,kind\n1,kind\n2,id\nid,a\n');
    await expectSameRead(path);
    const only = join(dir, 'only-header.csv');
    await writeFile(only, 'id,kind\n');
    const duck = await readWith('duckdb', only);
    expect(duck.meta.tables[0]!.rowCount).toBe(0);
    expect(duck).toEqual(await readWith('js', only));
  });
});

/** Writes the result of `select` as a Parquet file with DuckDB (row groups of 400 rows). */
async function duckdbParquet(path: string, select: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`copy (${select}) to '${path}' (format parquet, row_group_size 400)`);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('DuckDB and the streamed pass read Parquet files identically', () => {
  it('nulls, decimals, dates and timestamps before 1970 (milli-, micro-, nanoseconds), integers beyond 2^53, unsigned, float32, empty texts, dotted names', async () => {
    const path = join(dir, 'awkward.parquet');
    await duckdbParquet(
      path,
      `select 'K-' || lpad(i::varchar, 5, '0') as "id.code",
        case when i % 7 = 0 then null else (((i * 7919) % 100000 - 50000) / 100)::decimal(18, 4) end as "amount.eur",
        ((i % 13) - 6.25)::decimal(5, 2) as tiny,
        case when i % 11 = 0 then null else date '1969-12-20' + (i % 40)::integer end as born,
        timestamp '1969-12-31 23:59:59.9985' + (i % 9) * interval 250 microsecond + (i % 5) * interval 1 day as seen,
        (timestamp '2001-02-03 04:05:06.789' + i * interval 1 second)::timestamp_ms as seen_ms,
        (timestamp_ns '1960-05-06 07:08:09.123456789' + (i % 20) * interval 1 hour) as seen_ns,
        9007199254740993 + (i % 50) * 3 as big,
        (i % 200)::utinyint as u8,
        ((i % 17) / 3)::float as ratio,
        case when i % 5 = 0 then null else (i % 4 = 1) end as flag,
        case i % 6 when 0 then null when 1 then '' when 2 then 'a.b.c' when 3 then 'Köln; Süd' else 'say "hi" ' || (i % 3) end as note,
        ['Lyon', 'Porto', 'Graz'][1 + i % 3] as city
      from range(3000) t(i)`,
    );
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
    const engine = await parquetTable(path, 'awkward').engine!(13);
    expect(engine?.name).toBe('duckdb');
    const { duck } = await expectSameRead(path);
    const t = duck.meta.tables[0]!;
    expect(t.rowCount).toBe(3000);
    expect(await engine!.profile([0, 7])).toEqual({ rows: 3000, unique: [true, false] });
    expect(duck.stats.columns['amount.eur']!.nulls).toBe(429);
    expect(duck.stats.columns['big']!.categories).toContainEqual(['9007199254740993', 60]);
    expect(duck.stats.columns['note']!.categories!.map(([v]) => v)).toContain('Köln; Süd');
    expect(duck.sample.rows).toHaveLength(300);
    // Decimals (ordered by value, not by their digits), and dates and times before 1970 (milli-, micro-, nanoseconds): DuckDB's quantiles are the values the streamed reader reads.
    for (const c of ['amount.eur', 'tiny', 'born', 'seen', 'seen_ms', 'seen_ns'])
      expect(duck.stats.columns[c]!.quantiles).toEqual(await readerQuantiles(path, c));
  });

  it('empty and repeated column names, and a file DuckDB would not read identically (a nested column) stays on the streamed pass', async () => {
    const path = join(dir, 'names.parquet');
    const n = 1200;
    // (the writer finds columns by name: the second "Qz8" is written as "Qz9", then renamed in the file's bytes)
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: '', data: Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : `v${i % 23}`)), type: 'STRING' },
        { name: 'Qz8', data: Array.from({ length: n }, (_, i) => BigInt(1_000_000_000_000 + i)), type: 'INT64' },
        { name: 'Qz9', data: Array.from({ length: n }, (_, i) => (i % 4) * 1.5), type: 'DOUBLE' },
        { name: 'a.b', data: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 3_600_000)), type: 'TIMESTAMP' },
      ],
      rowGroupSize: 250,
    });
    await writeFile(path, Buffer.from((await readFile(path)).toString('latin1').replaceAll('Qz9', 'Qz8'), 'latin1'));
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
    expect((await parquetTable(path, 'names').engine!(4))?.name).toBe('duckdb');
    const { duck } = await expectSameRead(path);
    expect(duck.meta.tables[0]!.columns.map((c) => c.name)).toEqual(['column_1', 'Qz8', 'Qz8_2', 'a.b']);
    expect(duck.stats.columns['Qz8_2']!.categories).toHaveLength(4);

    const nested = join(dir, 'nested.parquet');
    await duckdbParquet(nested, `select i as id, {'x': i, 'y': 'a' || i} as point from range(500) t(i)`);
    expect(await parquetTable(nested, 'nested').engine!(2)).toBeUndefined();
    await expectSameRead(nested);
  });
});

describe('routing between the engines', () => {
  it('files DuckDB would not read as our reader does go to the streamed pass, and read the same', async () => {
    const latin = join(dir, 'latin.csv');
    await writeFile(latin, iconv.encode('nom;ville\nAndré;Zürich\nBéatrice;Genève\n', 'latin1'));
    const single = join(dir, 'single.csv');
    await writeFile(single, "id,name\n1,'Smith, J'\n2,'Doe, A'\n");
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
    expect(csvEngineRoute(await detectDialect(latin), 1e9)).toMatchObject({ engine: 'js' });
    expect(csvEngineRoute(await detectDialect(single), 1e9)).toMatchObject({ engine: 'js' });
    expect(await csvTable(latin, 'latin').engine!(2)).toBeUndefined();
    expect(await csvTable(single, 'single').engine!(2)).toBeUndefined();
    const { duck } = await expectSameRead(latin);
    expect(duck.sample.rows.map((r) => r[1])).toEqual(['Zürich', 'Genève']);
    expect((await expectSameRead(single)).duck.sample.rows.map((r) => r[1])).toEqual(['Smith, J', 'Doe, A']);
    // small files stay on the streamed pass by default; large UTF-8 ones go to DuckDB
    delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
    const utf8 = await detectDialect(join(dir, 'echo.csv'));
    expect(csvEngineRoute(utf8, 1000)).toMatchObject({ engine: 'js' });
    expect(csvEngineRoute(utf8, 1e9)).toEqual({ engine: 'duckdb' });
  });

  it("a malformed file fails with the reader's own message whichever engine is asked", async () => {
    const path = join(dir, 'ragged.csv');
    await writeFile(path, 'a,b\n1,2\n3,4,5\n');
    const failure = async (engine: 'duckdb' | 'js'): Promise<string> =>
      readWith(engine, path).then(
        () => 'read',
        (e: unknown) => (e as Error).message,
      );
    const js = await failure('js');
    expect(js).toMatch(/different number of fields/);
    expect(await failure('duckdb')).toBe(js);
  });
});

describe('key candidates in bounded memory', () => {
  it('a check over many values tells distinct columns from those with one repeat', () => {
    const distinct = new DistinctCheck();
    const repeated = new DistinctCheck();
    for (let i = 0; i < 300_000; i++) {
      distinct.add(`k${i}`);
      repeated.add(`k${i}`);
    }
    expect(distinct.distinct).toBe(true);
    repeated.add('k123');
    expect(repeated.distinct).toBe(false);
    const late = new DistinctCheck();
    for (let i = 0; i < 300_000; i++) late.add(String(i));
    late.add('299999');
    expect(late.distinct).toBe(false);
  });
});
