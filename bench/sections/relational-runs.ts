/**
 * Every relational benchmark dataset through the real CLI, as a user runs it: `doppel init`
 * (defaults, no manual step), then `doppel run` into a fresh PostgreSQL database. The run writes the local store's
 * output.sqlite first, then PostgreSQL with every FK constraint created: the database itself
 * proves integrity. We count the constraints and, per FK, the orphans (0 when enforced).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { SynthesisConfig } from '../../src/shared/config';
import { datasetPath } from '../../test/helpers/datasets';
import { createPgDatabase } from '../../test/helpers/db';
import { tempWorkspace } from '../../test/relational/pipeline-helpers';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'doppel.js');

interface Case {
  name: string;
  source: string;
  /** The user's choices on top of `doppel init`. */
  choose: (c: SynthesisConfig) => void;
  why: string;
}

/** Every dataset straight from `doppel init`: several roots, tables with several synthesized parents, cycles broken and small tables kept as original data by init itself. */
const CASES: Case[] = [
  { name: 'berka', source: datasetPath('berka'), choose: () => undefined, why: 'defaults' },
  {
    name: 'chinook',
    source: `sqlite:${datasetPath('chinook', 'Chinook_Sqlite.sqlite')}`,
    choose: () => undefined,
    why: 'defaults (roots Artist and Customer; Employee, Genre, MediaType, Playlist original as small lookups)',
  },
  {
    name: 'sakila',
    source: datasetPath('sakila', 'csv'),
    choose: () => undefined,
    why: 'defaults (the 2 stores and 2 staff too small to learn: original with the addresses they reference; customer, rental, payment, inventory synthesized)',
  },
  { name: 'synthea', source: datasetPath('synthea'), choose: () => undefined, why: 'defaults (roots organizations and patients; payers original)' },
  {
    name: 'diabetes_readmission',
    source: datasetPath('diabetes_readmission'),
    choose: () => undefined,
    why: 'defaults (the three lookups are original data by default)',
  },
  {
    name: 'lahman_baseball',
    source: datasetPath('lahman_baseball'),
    choose: (c) => (c.settings.timeBudgetSeconds = 600),
    why: 'defaults, time budget 10 min for the whole database',
  },
];

async function pgFacts(
  url: string,
): Promise<{ fks: { child: string; col: string; parent: string; pcol: string }[]; rows: Record<string, number>; orphans: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const fks = (
      await client.query<{ child: string; col: string; parent: string; pcol: string }>(
        `select c.conrelid::regclass::text as child, a.attname as col, c.confrelid::regclass::text as parent, pa.attname as pcol
           from pg_constraint c
           join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
           join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
          where c.contype = 'f'`,
      )
    ).rows;
    const tables = (await client.query<{ t: string }>(`select quote_ident(tablename) as t from pg_tables where schemaname = 'public'`)).rows.map((r) => r.t);
    const rows: Record<string, number> = {};
    for (const t of tables) rows[t.replace(/"/g, '')] = Number((await client.query<{ n: string }>(`select count(*) as n from ${t}`)).rows[0]!.n);
    let orphans = 0;
    for (const f of fks) {
      const q = `select count(*) as n from ${f.child} c where c."${f.col}" is not null and not exists (select 1 from ${f.parent} p where p."${f.pcol}" = c."${f.col}")`;
      orphans += Number((await client.query<{ n: string }>(q)).rows[0]!.n);
    }
    return { fks, rows, orphans };
  } finally {
    await client.end();
  }
}

async function runCase(c: Case, dir: string): Promise<string> {
  const env = { ...process.env, DOPPEL_STORE: path.join(dir, 'store') };
  const cfgPath = path.join(dir, `${c.name}.json`);
  await exec(process.execPath, [bin, 'init', c.source, '-o', cfgPath], { env, maxBuffer: 1 << 26 });
  const config = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as SynthesisConfig;
  c.choose(config);
  const db = await createPgDatabase(`doppel_bench_${c.name}`);
  try {
    config.destination = { kind: 'database', target: db.spec, tableMode: 'create', batchSize: 10_000, parallel: 2 };
    fs.writeFileSync(cfgPath, JSON.stringify(config, null, 1));
    const t0 = performance.now();
    let summary: { status: string; quality?: number | null; rows?: Record<string, number>; outputPath?: string };
    try {
      const { stdout } = await exec(process.execPath, [bin, 'run', cfgPath, '--json'], { env, maxBuffer: 1 << 26, timeout: 60 * 60_000 });
      summary = JSON.parse(stdout) as typeof summary;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      return `| ${c.name} | ${c.why} | FAILED: ${(err.stderr ?? err.message).trim().split('\n').slice(-2).join(' ').slice(0, 300)} | | | | |`;
    }
    const seconds = (performance.now() - t0) / 1000;
    const facts = await pgFacts(db.url);
    const synthesized = Object.entries(config.tables).filter(([, t]) => t.treatment === 'synthesize').length;
    const orig = Object.entries(config.tables).filter(([, t]) => t.treatment === 'original').length;
    const total = Object.values(facts.rows).reduce((a, b) => a + b, 0);
    const q = typeof summary.quality === 'number' ? summary.quality.toFixed(3) : '–';
    return `| ${c.name} | ${c.why} | ${summary.status}, ${seconds.toFixed(0)} s | ${synthesized} synthesized + ${orig} original, ${total.toLocaleString('en-US')} rows | ${facts.fks.length} | ${facts.orphans} | ${q} |`;
  } finally {
    await db.drop();
  }
}

export async function run(): Promise<string> {
  const dir = tempWorkspace('bench-relruns');
  const lines = [
    '## Relational datasets through `doppel run` into PostgreSQL',
    '',
    "Each dataset as a user runs it: `doppel init` defaults, the choices listed, then `doppel run` into a fresh PostgreSQL database (the local store keeps output.sqlite too). FK constraints are created in PostgreSQL before the rows are swapped in, so the database itself enforces integrity; orphans are counted per FK afterwards. Quality is the report's overall score.",
    '',
    '| Dataset | Choices | Run | Output | FK constraints in PostgreSQL | Orphans | Quality |',
    '|---|---|---|---|---|---|---|',
  ];
  try {
    for (const c of CASES) {
      process.stderr.write(`  ${c.name}...\n`);
      lines.push(await runCase(c, dir));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return lines.join('\n');
}
