/**
 * Scale: PostgreSQL tables generated in the bench (9 columns; 1M, 5M and 20M rows by default)
 * synthesized into PostgreSQL with "Max training rows" 100k, each execution in a child process
 * of its own so its peak RSS is its own. Memory should stay flat across the sizes (the training
 * sample is drawn in the database; generation streams into the destination) and time grow no
 * faster than the rows. The destination write is compared with psql `\copy` of the same rows in
 * the same run.
 *
 * The full run: `npm run bench -- scale` (1,346 s measured with DOPPEL_BENCH_SCALE_BUDGET=120 beside a CI run, most of it the 20M synthesis; the default 300 s budget adds up to three times 180 s).
 * Sizes: `npm run bench -- scale --rows=1M,5M` or DOPPEL_BENCH_SCALE_ROWS (comma-separated, k/M
 * allowed); DOPPEL_BENCH_SCALE_TRAIN (max training rows),
 * DOPPEL_BENCH_SCALE_BUDGET (training seconds) and DOPPEL_BENCH_SCALE_WRITE (rows of the
 * writer-alone comparison) run it smaller; DOPPEL_BENCH_SCALE_THREADS sets the sampling threads.
 */
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbSpec } from '../../src/data/dialects';
import { WORKER_NODE_OPTIONS } from '../../src/main/services/worker-process';
import { jobStepLabels, jobSteps, type JobEvent, type JobStep } from '../../src/shared/job';
import type { StorageType, TableMeta } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import type { Row, RowBatch } from '../../src/shared/values';

const rowsFlag = process.argv.find((a) => a.startsWith('--rows='))?.slice('--rows='.length);
/** A size as written on the command line: 20000000, 20M or 500k. */
function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  if (!m) throw new Error(`Scale bench: "${text}" is not a row count (write 1000000, 1M or 500k).`);
  return Math.round(Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1e3 : 1e6) : 1));
}
const SIZES = (rowsFlag ?? process.env.DOPPEL_BENCH_SCALE_ROWS ?? '1M,5M,20M').split(',').map(parseSize);
const MAX_TRAINING_ROWS = Number(process.env.DOPPEL_BENCH_SCALE_TRAIN ?? 100_000);
const TRAIN_BUDGET_S = Number(process.env.DOPPEL_BENCH_SCALE_BUDGET ?? 300);
/** Sampling threads (unset: the engine's default, one per core). */
const THREADS = Number(process.env.DOPPEL_BENCH_SCALE_THREADS ?? 0);
const TABLE = 'people';
const WRITE_ROWS = Number(process.env.DOPPEL_BENCH_SCALE_WRITE ?? 500_000);

interface ChildResult {
  stepSeconds: Record<string, number>;
  /** Seconds the worker spent writing the destination (during the synthesis and in Storing), from its log. */
  writeSeconds?: number;
  rows: number;
  peakRssMiB: number;
  /** Highest RSS sampled (every RSS_SAMPLE_MS) while each step ran, MiB. */
  stepRssMiB: Partial<Record<JobStep, number>>;
  /** The main thread's V8 heap and buffers at their highest in each step (MiB), to tell what grew. */
  stepHeapMiB: Partial<Record<JobStep, { heapUsed: number; external: number; arrayBuffers: number }>>;
  status: string;
  error?: string;
}

// ---------------------------------------------------------------- child process

/** How often the child samples its RSS, tagged with the step running. */
const RSS_SAMPLE_MS = 250;

/**
 * Peak RSS per step: a thread of the child samples the process's RSS every RSS_SAMPLE_MS (a
 * thread, so a busy main thread does not delay the samples) and keeps the highest per step; the
 * main thread says which step runs and keeps its own heap's highest figures per step.
 */
function stepMemory(): { step(s: JobStep): void; stop(): Promise<Pick<ChildResult, 'stepRssMiB' | 'stepHeapMiB'>> } {
  const shared = new SharedArrayBuffer(8 + 8 * (jobSteps.length + 1));
  const current = new Int32Array(shared, 0, 1);
  const peaks = new Float64Array(shared, 8, jobSteps.length + 1);
  Atomics.store(current, 0, jobSteps.length);
  const sampler = new Worker(
    `const { workerData } = require('node:worker_threads');
     const current = new Int32Array(workerData, 0, 1), peaks = new Float64Array(workerData, 8);
     const tick = () => { const s = Atomics.load(current, 0), r = process.memoryUsage.rss(); if (r > peaks[s]) peaks[s] = r; };
     tick(); setInterval(tick, ${RSS_SAMPLE_MS});`,
    { eval: true, workerData: shared },
  );
  sampler.unref();
  const heap: ChildResult['stepHeapMiB'] = {};
  const mib = (b: number): number => b / 2 ** 20;
  const sampleHeap = (): void => {
    const s = jobSteps[Atomics.load(current, 0)];
    if (!s) return;
    const m = process.memoryUsage();
    const h = (heap[s] ??= { heapUsed: 0, external: 0, arrayBuffers: 0 });
    h.heapUsed = Math.max(h.heapUsed, mib(m.heapUsed));
    h.external = Math.max(h.external, mib(m.external));
    h.arrayBuffers = Math.max(h.arrayBuffers, mib(m.arrayBuffers));
  };
  const timer = setInterval(sampleHeap, RSS_SAMPLE_MS);
  return {
    step(s) {
      sampleHeap();
      Atomics.store(current, 0, jobSteps.indexOf(s));
    },
    async stop() {
      clearInterval(timer);
      sampleHeap();
      await new Promise((r) => setTimeout(r, 2 * RSS_SAMPLE_MS));
      await sampler.terminate();
      const stepRssMiB: ChildResult['stepRssMiB'] = {};
      jobSteps.forEach((s, i) => {
        if (peaks[i]! > 0) stepRssMiB[s] = mib(peaks[i]!);
      });
      return { stepRssMiB, stepHeapMiB: heap };
    },
  };
}

async function child(source: SourceSpec, destination: SourceSpec, workspace: string): Promise<ChildResult> {
  const { openSource } = await import('../../src/data/sources/connector');
  const { defaultConfig } = await import('../../src/shared/defaults');
  const { runJob } = await import('../../src/worker/jobs/run-job');
  const src = await openSource(source);
  const metadata = await src.introspect({ inferKeys: false });
  await src.close();
  const config = defaultConfig(metadata, source, { name: 'scale' });
  config.settings.maxTrainingRows = MAX_TRAINING_ROWS;
  config.settings.timeBudgetSeconds = TRAIN_BUDGET_S;
  if (THREADS) config.settings.samplingThreads = THREADS;
  config.destination = { kind: 'database', target: destination, tableMode: 'create', batchSize: 10_000, parallel: 1 };
  let writeSeconds: number | undefined;
  const memory = stepMemory();
  const emit = (e: JobEvent): void => {
    if (e.type === 'step' && e.status === 'started') memory.step(e.step);
    const m = e.type === 'log' ? /as they were generated: ([\d.]+) s writing/.exec(e.message) : null;
    if (m) writeSeconds = Number(m[1]);
  };
  try {
    const summary = await runJob({ type: 'start', executionId: 'bench-scale', config, workspace, secrets: {} }, emit, new AbortController().signal);
    return {
      ...(await memory.stop()),
      stepSeconds: summary.stepSeconds,
      ...(writeSeconds !== undefined ? { writeSeconds } : {}),
      rows: Object.values(summary.rows).reduce((a, b) => a + b, 0),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      status: summary.status,
    };
  } catch (e) {
    return {
      ...(await memory.stop()),
      stepSeconds: {},
      rows: 0,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      status: 'failed',
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

if (process.env.DOPPEL_BENCH_SCALE) {
  const { source, destination, workspace } = JSON.parse(process.env.DOPPEL_BENCH_SCALE) as { source: SourceSpec; destination: SourceSpec; workspace: string };
  process.stdout.write(`${JSON.stringify(await child(source, destination, workspace))}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- parent

/** The steps of the per-step memory table (building the model is a moment and shows nothing of its own). */
const MEMORY_STEPS: JobStep[] = ['load', 'preprocess', 'train', 'synthesize', 'report', 'store'];

function stepMemoryRow(rows: number, res: ChildResult): string {
  return `| ${fmt(rows)} | ${MEMORY_STEPS.map((s) => (res.stepRssMiB?.[s] === undefined ? '' : fmt(res.stepRssMiB[s]!))).join(' | ')} |`;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** SQL making a 9-column table of `rows` rows on the server (generate_series), with a primary key. */
function sourceSql(rows: number): string {
  return `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, age integer, income double precision, score double precision, city text, job text, born date, seen_at timestamp, active boolean);
     INSERT INTO ${TABLE} SELECT g, 18 + (g * 7) % 70, CASE WHEN g % 17 = 0 THEN NULL ELSE round(((g::bigint * 7919) % 100000) * 1.37) / 100 END, sin(g) * 100,
       (ARRAY['Lyon','Berlin','Porto','Graz','Turku','Malmo','Gent','Cork'])[1 + g % 8], CASE WHEN g % 13 = 0 THEN NULL ELSE (ARRAY['nurse','clerk','driver','teacher','welder','analyst'])[1 + (g * 3) % 6] END,
       date '1950-01-01' + ((g * 37) % 18000), timestamp '2024-01-01' + g * interval '1 second', g % 3 = 0
     FROM generate_series(1, ${rows}) g;
     ANALYZE ${TABLE};`;
}

/**
 * The destination writer alone (rows already in memory, as the synthesis hands them over) against
 * psql `\copy` of the same rows, each into an empty table of the 9 bench columns, best of three.
 */
async function writeOnly(): Promise<string[]> {
  const { createPgDatabase, psql } = await import('../../test/helpers/db');
  const { loadPostgres } = await import('../../src/data/dialects/postgres-copy');
  const { openSession } = await import('../../src/data/destinations/session');
  const cols: Array<[string, string, StorageType]> = [
    ['id', 'bigint', 'bigint'],
    ['age', 'integer', 'integer'],
    ['income', 'double precision', 'float'],
    ['score', 'double precision', 'float'],
    ['city', 'text', 'string'],
    ['job', 'text', 'string'],
    ['born', 'date', 'date'],
    ['seen_at', 'timestamp(3)', 'datetime'],
    ['active', 'boolean', 'boolean'],
  ];
  const cities = ['Lyon', 'Berlin', 'Porto', 'Graz', 'Turku', 'Malmö', 'Gent', 'Cork'];
  const rows: Row[] = Array.from({ length: WRITE_ROWS }, (_, g) => [
    g,
    18 + ((g * 7) % 70),
    g % 17 ? ((g * 7919) % 100000) * 0.0137 : null,
    Math.sin(g) * 100,
    cities[g % 8]!,
    g % 13 ? 'nurse\tshift' : null,
    new Date(Date.UTC(1950, 0, 1) + ((g * 37) % 18000) * 86_400_000),
    new Date(Date.UTC(2024, 0, 1) + g * 1001),
    g % 3 === 0,
  ]);
  const db = await createPgDatabase('doppel_bench_write');
  const s = await openSession(db.spec as DbSpec, undefined, { create: true });
  const best = { binary: 0, text: 0, native: 0 };
  try {
    const file = join(mkdtempSync(join(tmpdir(), 'doppel-bench-write-')), 'rows.tsv');
    for (let rep = 0; rep < 3; rep++) {
      for (const mode of ['binary', 'text', 'native'] as const) {
        const name = `${mode}_${rep}`;
        await s.query(`CREATE TABLE ${name} (${cols.map(([c, t]) => `${c} ${t}`).join(', ')})`);
        const t = {
          name,
          primaryKey: [],
          rowCount: WRITE_ROWS,
          columns: cols.map(([c, , st]) => ({ name: c, storageType: st, sdtype: 'categorical', nullable: true })),
        } as TableMeta;
        async function* batches(): AsyncIterable<RowBatch> {
          for (let i = 0; i < rows.length; i += 10_000) yield { columns: cols.map((c) => c[0]), rows: rows.slice(i, i + 10_000) };
        }
        if (mode === 'native' && rep === 0) psql(db.name, `\\copy text_0 to '${file}'`);
        const t0 = performance.now();
        if (mode === 'native') psql(db.name, `\\copy ${name} from '${file}'`);
        else await loadPostgres(s, t, batches(), { batchSize: 10_000, onRows: () => undefined, textCopy: mode === 'text' });
        best[mode] = Math.max(best[mode], WRITE_ROWS / ((performance.now() - t0) / 1000));
      }
    }
    rmSync(dirname(file), { recursive: true, force: true });
  } finally {
    await s.close();
    await db.drop();
  }
  return [
    `Destination writer alone: ${fmt(WRITE_ROWS)} rows of the same 9 columns held in memory, written into an empty PostgreSQL table (best of three; load average ${loadavg()[0]!.toFixed(1)} when it ran).`,
    '',
    '| Binary COPY rows/s | Text COPY rows/s | psql \\copy rows/s | Binary / \\copy | Text / \\copy |',
    '|---:|---:|---:|---:|---:|',
    `| ${fmt(best.binary)} | ${fmt(best.text)} | ${fmt(best.native)} | ${((best.binary / best.native) * 100).toFixed(0)}% | ${((best.text / best.native) * 100).toFixed(0)}% |`,
  ];
}

export async function run(): Promise<string> {
  const { createPgDatabase, createPgScratch, psql } = await import('../../test/helpers/db');
  const lines = [
    '## Scale',
    '',
    `PostgreSQL tables of 9 columns generated in the bench (generate_series), synthesized into PostgreSQL with "Max training rows" ${fmt(MAX_TRAINING_ROWS)} (training budget ${TRAIN_BUDGET_S} s), output size = source size. Each execution is a child process (peak RSS is its own). The destination is written as the rows are generated (binary COPY in one transaction, committed in Storing); "Writing s" is the time the worker spent in that writer (encoding, sending, waiting for the server, the final key checks and commit), the end-to-end cost of the destination. psql \`\\copy\` loads the same rows (exported to a file first) into an empty copy of the table (primary key included) in the same database, in the same run. "Growth" is the total time per row relative to the first size (1.00 = time grows as fast as the rows).`,
    '',
    `| Source rows | Loading s | Training s | Synthesis s | Synthesis rows/s (${THREADS || `${cpus().length}, one per core,`} threads) | Report s | Storing s | Writing s | Writing rows/s | psql \\copy rows/s | Doppel / \\copy | Total s | Growth | Peak RSS | Load avg |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  let firstPerRow: number | null = null;
  const memoryRows: string[] = [];
  for (const rows of SIZES) {
    process.stderr.write(`bench: scale: ${fmt(rows)} rows\n`);
    const source = await createPgScratch('doppel_bench_scale', sourceSql(rows));
    const dest = await createPgDatabase('doppel_bench_scale');
    const workspace = mkdtempSync(join(tmpdir(), 'doppel-bench-scale-'));
    try {
      // The child runs with the worker process's Node options, so its heap behaves as the worker's.
      const r = spawnSync(process.execPath, [...WORKER_NODE_OPTIONS, '--import', 'tsx', fileURLToPath(import.meta.url)], {
        env: { ...process.env, DOPPEL_BENCH_SCALE: JSON.stringify({ source: source.spec, destination: dest.spec, workspace }) },
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
      process.stderr.write(`bench: scale: ${fmt(rows)} rows: peak RSS per step ${JSON.stringify(res.stepRssMiB)}; heap ${JSON.stringify(res.stepHeapMiB)}\n`);
      memoryRows.push(stepMemoryRow(rows, res));
      if (res.status !== 'succeeded') {
        lines.push(
          `| ${fmt(rows)} | failed: ${res.error ?? r.stderr.slice(-300)} |||||||||||| ${fmt(res.peakRssMiB ?? 0)} MiB | ${loadavg()[0]!.toFixed(1)} |`,
        );
        continue;
      }
      const s = res.stepSeconds;
      const file = join(workspace, 'native.tsv');
      psql(dest.name, `\\copy ${TABLE} to '${file}'`);
      psql(dest.name, `CREATE TABLE native_copy (LIKE ${TABLE} INCLUDING ALL)`);
      const t0 = performance.now();
      psql(dest.name, `\\copy native_copy from '${file}'`);
      const nativeSeconds = (performance.now() - t0) / 1000;
      const outRows = Number(psql(dest.name, `SELECT count(*) FROM ${TABLE}`).trim());
      const writeSeconds = res.writeSeconds ?? s.store ?? Infinity;
      const writeRate = outRows / writeSeconds;
      const nativeRate = outRows / nativeSeconds;
      const total = Object.values(s).reduce((a, b) => a + b, 0);
      firstPerRow ??= total / rows;
      const f1 = (x: number | undefined): string => (x === undefined ? '' : x.toFixed(1));
      lines.push(
        `| ${fmt(rows)} | ${f1(s.load)} | ${f1(s.train)} | ${f1(s.synthesize)} | ${fmt(outRows / (s.synthesize ?? Infinity))} | ${f1(s.report)} | ${f1(s.store)} | ${f1(writeSeconds)} | ${fmt(writeRate)} | ${fmt(nativeRate)} | ${((writeRate / nativeRate) * 100).toFixed(0)}% | ${total.toFixed(0)} | ${(total / rows / firstPerRow).toFixed(2)} | ${fmt(res.peakRssMiB)} MiB | ${loadavg()[0]!.toFixed(1)} |`,
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
      await source.drop();
      await dest.drop();
    }
  }
  lines.push(
    '',
    `Peak RSS of the worker per step (MiB; sampled every ${RSS_SAMPLE_MS} ms on a thread of its own, tagged with the step running):`,
    '',
    `| Source rows | ${MEMORY_STEPS.map((s) => jobStepLabels[s]).join(' | ')} |`,
    `|---:|${MEMORY_STEPS.map(() => '---:').join('|')}|`,
    ...memoryRows,
  );
  lines.push('', ...(await writeOnly()));
  lines.push(
    '',
    'The training sample is drawn in PostgreSQL (TABLESAMPLE BERNOULLI … REPEATABLE, then a seeded reservoir to the exact size), so loading reads about the sample, not the table; row counts and key checks are SQL aggregates. On a shared machine the figures are measured under load (the load average column): compare the columns of one run, not runs. "Writing rows/s" is what the destination costs the execution: the server parses and indexes the rows on another core while the next batch is generated, so it can exceed psql `\\copy` (whose time is all server work); the writer-alone table compares the two on the same footing.',
  );
  return lines.join('\n');
}
