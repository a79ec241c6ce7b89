/**
 * Destinations and downloads: rows/s writing a 1M-row, 10-column table into PostgreSQL, MariaDB
 * and SQLite through writeDestination, next to the native bulk path measured in the same run
 * (psql \copy, mariadb LOAD DATA LOCAL INFILE, sqlite3 .import) from a pre-written TSV file; the
 * local output writer; export rows/s per format. Every measurement runs in its own child process
 * (this file with DOPPEL_BENCH_DEST set) so peak RSS is its own. DOPPEL_BENCH_DEST_KINDS (e.g.
 * `sqlite` or `postgres,mysql`) measures only those destinations against their native loaders and
 * skips the parallel, local output and download parts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExportFormat } from '../../src/data/exporters/export-dataset';
import type { TableMeta } from '../../src/shared/metadata';
import type { Row, RowBatch } from '../../src/shared/values';

const ROWS = Number(process.env.DOPPEL_BENCH_DEST_ROWS ?? 1_000_000);
const WORKBOOK_ROWS = Math.min(ROWS, 100_000);
const BATCH = 10_000;
const KINDS = process.env.DOPPEL_BENCH_DEST_KINDS?.split(',').map((k) => k.trim());
const measured = (kind: string): boolean => !KINDS || KINDS.includes(kind);
const PARALLEL_TABLES = 4;
/** JS heap caps for the full-size exports (MiB). */
const HEAP_CAP_MIB: Partial<Record<string, number>> = { csv: 64, tsv: 64, parquet: 192 };

const table: TableMeta = {
  name: 'bench_rows',
  primaryKey: ['id'],
  rowCount: ROWS,
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
    { name: 'age', storageType: 'integer', sdtype: 'numerical', nullable: true },
    { name: 'income', storageType: 'float', sdtype: 'numerical', nullable: true },
    { name: 'ratio', storageType: 'float', sdtype: 'numerical', nullable: true },
    { name: 'score', storageType: 'float', sdtype: 'numerical', nullable: true },
    { name: 'city', storageType: 'string', sdtype: 'categorical', nullable: true, maxLength: 40 },
    { name: 'job', storageType: 'string', sdtype: 'categorical', nullable: true, maxLength: 40 },
    { name: 'born', storageType: 'date', sdtype: 'datetime', nullable: true },
    { name: 'seen_at', storageType: 'datetime', sdtype: 'datetime', nullable: true },
    { name: 'active', storageType: 'boolean', sdtype: 'boolean', nullable: true },
  ],
};
const columns = table.columns.map((c) => c.name);
const CITIES = ['Lyon', 'Berlin', 'Porto', 'Graz', 'Turku', 'Malmö', 'Gent', 'Cork'];
const JOBS = ['nurse', 'clerk', 'driver', 'teacher', 'welder', 'analyst'];

function row(i: number): Row {
  return [
    i + 1,
    18 + (i % 70),
    i % 17 === 0 ? null : Math.round(((i * 7919) % 100_000) * 1.37) / 100,
    ((i * 31) % 1000) / 1000,
    Math.sin(i) * 100,
    CITIES[i % CITIES.length]!,
    i % 13 === 0 ? null : JOBS[i % JOBS.length]!,
    new Date(Date.UTC(1950 + (i % 50), i % 12, 1 + (i % 28))),
    new Date(Date.UTC(2024, 0, 1) + i * 1000),
    i % 3 === 0,
  ];
}

async function* generate(n: number): AsyncGenerator<RowBatch> {
  for (let i = 0; i < n; i += BATCH) {
    const rows: Row[] = [];
    for (let k = i; k < Math.min(n, i + BATCH); k++) rows.push(row(k));
    yield { columns, rows };
  }
}

// ---------------------------------------------------------------- child process

interface Measure {
  rows: number;
  seconds: number;
  peakRssMiB: number;
  bytes?: number;
}

async function child(mode: string, args: string[]): Promise<Measure> {
  const { writeDestination } = await import('../../src/data/destinations/write');
  const { openLocalOutput } = await import('../../src/data/destinations/local-output');
  const { exportDataset } = await import('../../src/data/exporters/export-dataset');
  const t0 = performance.now();
  if (mode === 'write') {
    const target = JSON.parse(args[0] ?? '{}') as Parameters<typeof writeDestination>[0]['target'];
    const res = await writeDestination(
      { kind: 'database', target, tableMode: 'create', batchSize: BATCH, parallel: 1 },
      { tables: [table], relationships: [] },
      () => generate(ROWS),
    );
    return { rows: res.rows[table.name] ?? 0, seconds: (performance.now() - t0) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  if (mode === 'local') {
    const out = await openLocalOutput(args[0]!, [table], []);
    let n = 0;
    for await (const b of generate(ROWS)) {
      await out.append(table.name, b);
      n += b.rows.length;
    }
    await out.commit();
    return { rows: n, seconds: (performance.now() - t0) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  if (mode === 'write-many') {
    // PARALLEL_TABLES tables of ROWS / PARALLEL_TABLES rows each, `parallel` connections.
    const target = JSON.parse(args[0] ?? '{}') as Parameters<typeof writeDestination>[0]['target'];
    const tables = Array.from({ length: PARALLEL_TABLES }, (_, i) => ({ ...table, name: `bench_part_${i}` }));
    const per = Math.floor(ROWS / PARALLEL_TABLES);
    const res = await writeDestination(
      { kind: 'database', target, tableMode: 'create', batchSize: BATCH, parallel: Number(args[1]) },
      { tables, relationships: [] },
      () => generate(per),
    );
    return {
      rows: Object.values(res.rows).reduce((a, b) => a + b, 0),
      seconds: (performance.now() - t0) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  }
  const [format, source, out, which] = args as [Parameters<typeof exportDataset>[2], string, string, string];
  const res = await exportDataset(source, [which ?? table.name], format, out);
  return { rows: res.rows, seconds: (performance.now() - t0) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024, bytes: statSync(out).size };
}

if (process.env.DOPPEL_BENCH_DEST) {
  const [mode, ...args] = JSON.parse(process.env.DOPPEL_BENCH_DEST) as string[];
  try {
    process.stdout.write(`${JSON.stringify(await child(mode ?? '', args))}\n`);
    process.exit(0);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------- parent

function runChild(...args: string[]): Measure {
  return runChildWith([], ...args);
}

/** A child run with extra node flags (a capped JS heap proves an export's memory is bounded). */
function runChildWith(nodeFlags: string[], ...args: string[]): Measure {
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, DOPPEL_BENCH_DEST: JSON.stringify(args) },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench child ${args[0]} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Measure;
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

const pad = (n: number): string => String(n).padStart(2, '0');
function tsvFile(path: string): void {
  const fd = openSync(path, 'w');
  for (let i = 0; i < ROWS; i += BATCH) {
    let s = '';
    for (let k = i; k < Math.min(ROWS, i + BATCH); k++) {
      s += `${row(k)
        .map((v) => {
          if (v === null) return '\\N';
          if (v instanceof Date) {
            const d = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
            return v.getUTCHours() || v.getUTCMinutes() || v.getUTCSeconds()
              ? `${d} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`
              : d;
          }
          if (typeof v === 'boolean') return v ? '1' : '0';
          return String(v);
        })
        .join('\t')}\n`;
    }
    writeSync(fd, s);
  }
  closeSync(fd);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<string> {
  const { createDatabase, psql } = await import('../../test/helpers/db');
  const { createTableSql } = await import('../../src/data/destinations/dialect');
  const dir = mkdtempSync(join(tmpdir(), 'doppel-bench-dest-'));
  const lines: string[] = [
    '## Destinations and downloads',
    '',
    `${fmt(ROWS)} rows x 10 columns (2 ints, 3 doubles, 2 strings, date, timestamp, boolean; PK on id), generated on the fly for Doppel; the native tools read the same rows from a pre-written TSV file (generation and formatting not counted for them). Each run is a child process; peak RSS is its own.`,
    '',
    '| Destination | Doppel rows/s | Native path | Native rows/s | Doppel / native | Doppel peak RSS |',
    '|---|---:|---|---:|---:|---:|',
  ];
  try {
    const tsv = join(dir, 'rows.tsv');
    tsvFile(tsv);
    for (const kind of (['postgres', 'mysql'] as const).filter(measured)) {
      const ours = await createDatabase(kind, 'doppel_bench');
      const native = await createDatabase(kind, 'doppel_bench');
      try {
        const ddl = createTableSql(kind, (t) => (kind === 'mysql' ? `\`${t}\`` : `"${t}"`), table, [], new Set([table.name]));
        const sql = (db: string, statement: string, extra: string[] = []): void => {
          if (kind === 'postgres') psql(db, statement);
          else execFileSync('mariadb', ['-h', '127.0.0.1', '-uroot', ...extra, db, '-e', statement]);
        };
        const nativeName = kind === 'postgres' ? 'psql `\\copy` (COPY FROM STDIN)' : 'mariadb `LOAD DATA LOCAL INFILE`';
        const load = kind === 'postgres' ? `\\copy ${table.name} from '${tsv}'` : `LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE ${table.name}`;
        // Best of two alternating runs each: the machine may be shared, and alternating spreads the noise.
        let m: Measure | null = null;
        let nativeSeconds = Infinity;
        for (let round = 0; round < 2; round++) {
          sql(native.name, `DROP TABLE IF EXISTS ${table.name}`);
          sql(native.name, ddl);
          nativeSeconds = Math.min(
            nativeSeconds,
            timed(() => sql(native.name, load, ['--local-infile=1'])),
          );
          sql(ours.name, `DROP TABLE IF EXISTS ${table.name}`);
          const run = runChild('write', JSON.stringify(ours.spec));
          if (!m || run.seconds < m.seconds) m = run;
        }
        if (!m) throw new Error('no run');
        const ourRate = m.rows / m.seconds;
        const nativeRate = ROWS / nativeSeconds;
        lines.push(
          `| ${kind === 'postgres' ? 'PostgreSQL' : 'MariaDB'} | ${fmt(ourRate)} | ${nativeName} | ${fmt(nativeRate)} | ${((100 * ourRate) / nativeRate).toFixed(0)}% | ${fmt(m.peakRssMiB)} MiB |`,
        );
      } finally {
        await ours.drop();
        await native.drop();
      }
    }
    if (measured('sqlite')) {
      const nativeDb = join(dir, 'native.sqlite');
      const ours = join(dir, 'dest.sqlite');
      const ddl = createTableSql('sqlite', (t) => `"${t}"`, table, [], new Set([table.name]));
      writeFileSync(join(dir, 'import.sql'), `${ddl};\n.mode tabs\n.import ${tsv} ${table.name}\n`);
      // Best of two alternating runs each, as above.
      let m: Measure | null = null;
      let nativeSeconds = Infinity;
      for (let round = 0; round < 2; round++) {
        rmSync(nativeDb, { force: true });
        nativeSeconds = Math.min(
          nativeSeconds,
          timed(() => execFileSync('sqlite3', [nativeDb, `.read ${join(dir, 'import.sql')}`])),
        );
        rmSync(ours, { force: true });
        const run = runChild('write', JSON.stringify({ kind: 'sqlite', path: ours }));
        if (!m || run.seconds < m.seconds) m = run;
      }
      if (!m) throw new Error('no run');
      const ourRate = m.rows / m.seconds;
      const nativeRate = ROWS / nativeSeconds;
      lines.push(
        `| SQLite | ${fmt(ourRate)} | sqlite3 \`.import\` | ${fmt(nativeRate)} | ${((100 * ourRate) / nativeRate).toFixed(0)}% | ${fmt(m.peakRssMiB)} MiB |`,
      );
    }
    if (KINDS) return lines.join('\n');

    lines.push(
      '',
      `Parallel connections: ${PARALLEL_TABLES} independent tables of ${fmt(ROWS / PARALLEL_TABLES)} rows (same columns).`,
      '',
      '| Destination | parallel=1 rows/s | parallel=4 rows/s (staging tables + atomic swap) |',
      '|---|---:|---:|',
    );
    for (const kind of ['postgres', 'mysql'] as const) {
      const one = await createDatabase(kind, 'doppel_bench');
      const four = await createDatabase(kind, 'doppel_bench');
      try {
        const a = runChild('write-many', JSON.stringify(one.spec), '1');
        const b = runChild('write-many', JSON.stringify(four.spec), '4');
        lines.push(`| ${kind === 'postgres' ? 'PostgreSQL' : 'MariaDB'} | ${fmt(a.rows / a.seconds)} | ${fmt(b.rows / b.seconds)} |`);
      } finally {
        await one.drop();
        await four.drop();
      }
    }

    const output = join(dir, 'output.sqlite');
    const local = runChild('local', output);
    lines.push(
      '',
      `Local output writer (synthesis -> execution SQLite file): ${fmt(local.rows / local.seconds)} rows/s, peak RSS ${fmt(local.peakRssMiB)} MiB.`,
      '',
    );
    // A 100k-row copy: the workbooks' size here (both streamed), and the small end of the memory check.
    execFileSync('sqlite3', [output, `create table small_rows as select * from ${table.name} limit ${WORKBOOK_ROWS}`]);
    lines.push('| Download | Rows | Rows/s | File size | Peak RSS |', '|---|---:|---:|---:|---:|');
    const rss: Record<string, number[]> = {};
    const runs: Array<[ExportFormat, string]> = [
      ['csv', table.name],
      ['csv', 'small_rows'],
      ['tsv', table.name],
      ['parquet', table.name],
      ['parquet', 'small_rows'],
      ['xlsx', 'small_rows'],
      ['ods', 'small_rows'],
    ];
    for (const [format, source] of runs) {
      const out = join(dir, `export.${format}`);
      // The full-size CSV/Parquet exports run with a capped JS heap: they would crash if memory grew with the rows.
      const cap = source === table.name ? HEAP_CAP_MIB[format] : undefined;
      const m = runChildWith(cap ? [`--max-old-space-size=${cap}`] : [], 'export', format, output, out, source);
      (rss[format] ??= []).push(m.peakRssMiB);
      lines.push(
        `| ${format.toUpperCase()} | ${fmt(m.rows)} | ${fmt(m.rows / m.seconds)} | ${((m.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB | ${fmt(m.peakRssMiB)} MiB |`,
      );
      rmSync(out, { force: true });
    }
    const growth = (f: string): string => `${fmt(rss[f]?.[1] ?? 0)} -> ${fmt(rss[f]?.[0] ?? 0)} MiB`;
    lines.push(
      '',
      `Bounded memory: the ${fmt(ROWS)}-row exports ran with the JS heap capped (--max-old-space-size) at ${HEAP_CAP_MIB.csv} MiB for CSV/TSV and ${HEAP_CAP_MIB.parquet} MiB for Parquet (one row group of ${fmt(100_000)} rows is held at a time); peak RSS from ${fmt(WORKBOOK_ROWS)} to ${fmt(ROWS)} rows: CSV ${growth('csv')}, Parquet ${growth('parquet')}.`,
    );
    lines.push(
      '',
      "Doppel writes PostgreSQL with COPY FROM STDIN inside one transaction (foreign keys added after the load), MariaDB with LOAD DATA LOCAL INFILE streamed inside one InnoDB transaction (multi-row INSERT when the server disables local_infile), SQLite with multi-row INSERTs (100 rows per prepared statement) in one transaction. With parallel > 1, PostgreSQL/MariaDB tables load into staging tables over several connections and are swapped in by one atomic step (a PostgreSQL transaction; MariaDB RENAME TABLE, or one InnoDB transaction copying into existing tables). Doppel's rows/s include generating the rows; the native tools read a ready file.",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines.join('\n');
}
