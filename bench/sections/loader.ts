/**
 * Loading: what the worker holds and how long it takes to read a large table when "Max training
 * rows" is set (a sample drawn in the source plus whole-table statistics from aggregates) against
 * reading every row, and the two engines of a large file's whole-table passes: DuckDB (the
 * default for a large UTF-8 CSV) and the streamed JavaScript pass (the fallback), each measured
 * through the file source, so both read the file identically (test/data/file-engine.test.ts). Each
 * measurement runs in a child process of its own, so its peak RSS is its own.
 *
 * DOPPEL_BENCH_LOADER_ROWS (PostgreSQL rows, default 2,000,000) and DOPPEL_BENCH_LOADER_CSV_ROWS
 * (CSV rows, default 2,000,000, about 100 MB; 20,000,000 makes a 1 GB file) size it.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceSpec } from '../../src/shared/source';

const PG_ROWS = Number(process.env.DOPPEL_BENCH_LOADER_ROWS ?? 2_000_000);
const CSV_ROWS = Number(process.env.DOPPEL_BENCH_LOADER_CSV_ROWS ?? 2_000_000);
const MAX_TRAINING_ROWS = 100_000;
const CATEGORIES = ['city', 'job', 'note'];
const RANGES = ['age', 'income', 'born'];

type Mode = 'load-whole' | 'load-sample' | 'stats' | 'sample';
/** The engine of a file's whole-table passes (DuckDB from 0 bytes, or never). */
type Engine = 'duckdb' | 'js';
interface ChildResult {
  seconds: number;
  peakRssMiB: number;
  rows: number;
  error?: string;
}

// ---------------------------------------------------------------- child process

async function child(mode: Mode, source: SourceSpec): Promise<ChildResult> {
  const t0 = performance.now();
  let rows: number;
  const { openSource } = await import('../../src/data/sources/connector');
  if (mode === 'load-whole' || mode === 'load-sample') {
    const { defaultConfig } = await import('../../src/shared/defaults');
    const { loadData } = await import('../../src/worker/jobs/load-data');
    const src = await openSource(source);
    const metadata = await src.introspect({ inferKeys: false });
    await src.close();
    const config = defaultConfig(metadata, source, { name: 'loader' });
    if (mode === 'load-sample') config.settings.maxTrainingRows = MAX_TRAINING_ROWS;
    const data = await loadData(config, {});
    rows = Object.values(data.tables).reduce((a, b) => a + b.rows.length, 0);
  } else {
    const src = await openSource(source);
    const table = (await src.introspect({ inferKeys: false })).tables[0]!.name;
    if (mode === 'stats') rows = (await src.tableStats(table, { categories: CATEGORIES, ranges: RANGES })).rows;
    else rows = (await src.sample(table, { rows: MAX_TRAINING_ROWS, random: true, seed: 1 })).rows.length;
    await src.close();
  }
  return { seconds: (performance.now() - t0) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024, rows };
}

if (process.env.DOPPEL_BENCH_LOADER) {
  const { mode, source, engine } = JSON.parse(process.env.DOPPEL_BENCH_LOADER) as { mode: Mode; source: SourceSpec; engine: Engine };
  process.env['DOPPEL_DUCKDB_MIN_BYTES'] = engine === 'duckdb' ? '0' : String(Number.MAX_SAFE_INTEGER);
  let out: ChildResult;
  try {
    out = await child(mode, source);
  } catch (e) {
    out = { seconds: 0, peakRssMiB: process.resourceUsage().maxRSS / 1024, rows: 0, error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- parent

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function measure(mode: Mode, source: SourceSpec, engine: Engine = 'duckdb'): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, DOPPEL_BENCH_LOADER: JSON.stringify({ mode, source, engine }) },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ChildResult;
  } catch {
    return { seconds: 0, peakRssMiB: 0, rows: 0, error: r.stderr.slice(-300) };
  }
}

const row = (label: string, r: ChildResult): string =>
  r.error ? `| ${label} | failed: ${r.error.replace(/\|/g, '/')} ||| ` : `| ${label} | ${fmt(r.rows)} | ${r.seconds.toFixed(1)} | ${fmt(r.peakRssMiB)} MiB |`;

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const cities = ['Lyon', 'Berlin', 'Porto', 'Graz', 'Turku', 'Malmo', 'Gent', 'Cork'];
  const jobs = ['nurse', 'clerk', 'driver', 'teacher', 'welder', 'analyst'];
  out.write('id,age,income,city,job,born,note\n');
  let buf: string[] = [];
  for (let g = 1; g <= rows; g++) {
    const born = new Date(Date.UTC(1950, 0, 1) + ((g * 37) % 18000) * 86_400_000).toISOString().slice(0, 10);
    buf.push(
      `${g},${18 + ((g * 7) % 70)},${g % 17 ? ((g * 7919) % 100000) / 100 : ''},${cities[g % 8]},${g % 13 ? jobs[(g * 3) % 6] : ''},${born},${g % 10 ? `"text, ${g % 97}"` : ''}`,
    );
    if (buf.length === 10_000) {
      if (!out.write(`${buf.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = [];
    }
  }
  out.write(buf.length ? `${buf.join('\n')}\n` : '');
  await new Promise<void>((r) => out.end(() => r()));
}

export async function run(): Promise<string> {
  const { createPgScratch } = await import('../../test/helpers/db');
  const lines = [
    '## Loading',
    '',
    `Each line is a child process (peak RSS is its own); load average ${loadavg()[0]!.toFixed(1)} when the section started. "Sample" is "Max training rows" ${fmt(MAX_TRAINING_ROWS)}: a sample drawn in the source plus the whole-table statistics (value counts of the discrete columns, empty cells, extremes and the rows at them) from aggregates or one streamed pass.`,
    '',
    '| Read | Rows held | Seconds | Peak RSS |',
    '|---|---:|---:|---:|',
  ];
  const db = await createPgScratch(
    'doppel_bench_loader',
    `CREATE TABLE people (id bigint PRIMARY KEY, age integer, income double precision, city text, job text, born date, note text);
     INSERT INTO people SELECT g, 18 + (g * 7) % 70, CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 7919) % 100000) / 100.0 END,
       (ARRAY['Lyon','Berlin','Porto','Graz','Turku','Malmo','Gent','Cork'])[1 + g % 8], CASE WHEN g % 13 = 0 THEN NULL ELSE (ARRAY['nurse','clerk','driver','teacher','welder','analyst'])[1 + (g * 3) % 6] END,
       date '1950-01-01' + ((g * 37) % 18000)::integer, CASE WHEN g % 10 = 0 THEN NULL ELSE 'text, ' || (g % 97) END
     FROM generate_series(1::bigint, ${PG_ROWS}) g;
     ANALYZE people;`,
  );
  try {
    lines.push(row(`PostgreSQL ${fmt(PG_ROWS)} rows, every row (no "Max training rows")`, measure('load-whole', db.spec)));
    lines.push(row(`PostgreSQL ${fmt(PG_ROWS)} rows, sample + whole-table statistics`, measure('load-sample', db.spec)));
  } finally {
    await db.drop();
  }
  const dir = mkdtempSync(join(tmpdir(), 'doppel-bench-loader-'));
  try {
    const csv = join(dir, 'people.csv');
    await writeCsv(csv, CSV_ROWS);
    const spec: SourceSpec = { kind: 'files', path: csv };
    const size = `CSV ${fmt(CSV_ROWS)} rows (${fmt(statSync(csv).size / 2 ** 20)} MB)`;
    lines.push(row(`${size}, sample + whole-table statistics (DuckDB engine)`, measure('load-sample', spec, 'duckdb')));
    lines.push(row(`${size}, sample + whole-table statistics (streamed JavaScript pass)`, measure('load-sample', spec, 'js')));
    lines.push(
      '',
      `The two engines of a large file's whole-table passes on the same CSV, through the file source (each line includes the pass made when the file is opened: row count and key candidates; types come from the first rows): the statistics (value counts of ${CATEGORIES.join(', ')}; empty cells; extremes of ${RANGES.join(', ')} and the rows at them) and a ${fmt(MAX_TRAINING_ROWS)}-row seeded reservoir sample. DuckDB reads every field as text with the dialect the reader detected and the reader's converters type the values, so both engines give the same statistics and the same sampled rows (test/data/file-engine.test.ts). A large UTF-8 CSV is read by DuckDB, and so is a large Parquet file whose columns DuckDB reads as our reader does (not nested, INT96, times, JSON, binary, UUID or float16); other encodings, single-quoted files, workbooks, and any file DuckDB fails on, by the streamed pass.`,
      '',
      '| Read | Rows | Seconds | Peak RSS |',
      '|---|---:|---:|---:|',
      row('Streamed JavaScript pass: statistics', measure('stats', spec, 'js')),
      row('DuckDB engine: statistics', measure('stats', spec, 'duckdb')),
      row('Streamed JavaScript pass: reservoir sample', measure('sample', spec, 'js')),
      row('DuckDB engine: reservoir sample', measure('sample', spec, 'duckdb')),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines.join('\n');
}
