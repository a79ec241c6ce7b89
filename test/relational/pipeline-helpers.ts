/**
 * Runs a synthesis through the job runner (run-job.ts, as a worker does): data loading →
 * preprocessing → build → train → synthesis into the local SQLite output → report → storing;
 * then optionally copies the output into a database destination (writeDestination). The plan the
 * job followed (order, holdout, relational plan) is its preprocessing step run again on the same
 * data, for the tests' assertions about it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { activeForeignKeys, type SynthesisConfig } from '../../src/shared/config';
import { defaultConfig } from '../../src/shared/defaults';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { ExecutionSummary, JobEvent } from '../../src/shared/job';
import type { SourceSpec } from '../../src/shared/source';
import type { Row, RowBatch } from '../../src/shared/values';
import { openSource } from '../../src/data/sources/connector';
import { introspectWithSensitive } from '../../src/data/sensitive/introspect';
import type { DestinationPlan } from '../../src/data/destinations/check';
import { writeDestination } from '../../src/data/destinations/write';
import { readOutputTable } from '../../src/data/exporters/table-reader';
import { preprocess, type PreparedDataset } from '../../src/worker/engine/pipeline';
import { parseReport, type ReportJson } from '../../src/report/schema';
import { REPORT_JSON } from '../../src/data/store/workspace-files';
import { runJob } from '../../src/worker/jobs/run-job';
import { loadData, originalReader } from '../../src/worker/jobs/load-data';
import { outputTableMetas } from '../../src/data/destinations/output-tables';
import type { ScratchDatabase } from '../helpers/db';

/** The source's metadata (keys inferred for files) and its default configuration as `doppel init` writes it (sensitive columns detected on a sample). */
export async function inspect(spec: SourceSpec): Promise<{ metadata: DatasetMetadata; config: SynthesisConfig }> {
  const src = await openSource(spec);
  try {
    const { metadata, sensitive } = await introspectWithSensitive(src);
    return { metadata, config: defaultConfig(metadata, spec, { sensitive }) };
  } finally {
    await src.close();
  }
}

export interface PipelineRun {
  /** The plan the job followed (its preprocessing step on the same data). */
  prepared: PreparedDataset;
  summary: ExecutionSummary;
  /** The job's log lines, as "level: message". */
  logs: string[];
  outputPath: string;
  plan: DestinationPlan;
  /** The output read back from the local SQLite file. */
  out: Record<string, RowBatch>;
  /** The source tables as the job loaded them. */
  real: Record<string, RowBatch>;
  /** The stored report of the run. */
  report: ReportJson;
  workspace: string;
}

export function tempWorkspace(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `doppel-${prefix}-`));
}

/** Every batch of a read, as one batch. */
export async function readWhole(batches: AsyncIterable<RowBatch>): Promise<RowBatch> {
  const rows: Row[] = [];
  let columns: string[] = [];
  for await (const b of batches) {
    columns = b.columns;
    for (const r of b.rows) rows.push(r);
  }
  return { columns, rows };
}

export async function readOutput(outputPath: string, tables: string[]): Promise<Record<string, RowBatch>> {
  const out: Record<string, RowBatch> = {};
  for (const t of tables) out[t] = await readWhole(readOutputTable(outputPath, t, 10_000));
  return out;
}

/** Runs one execution of `config` with the job runner; `count` sets the rows of the root table. */
export async function runPipeline(config: SynthesisConfig, workspace: string, opts: { count?: number } = {}): Promise<PipelineRun> {
  if (opts.count !== undefined) config = { ...config, settings: { ...config.settings, outputSize: { mode: 'rows', rows: opts.count } } };
  const events: JobEvent[] = [];
  const summary = await runJob(
    { type: 'start', executionId: `test-${path.basename(workspace)}`, config, workspace, secrets: {} },
    (e) => events.push(e),
    new AbortController().signal,
  );
  const logs = events.flatMap((e) => (e.type === 'log' ? [`${e.level}: ${e.message}`] : []));
  const loaded = await loadData(config, {});
  const prepared = await preprocess({ config, metadata: loaded.metadata, tables: loaded.tables, workspace: fs.mkdtempSync(path.join(workspace, 'plan-')) });
  // The original-data tables the loader leaves in the source, read whole for the tests' comparisons.
  const real = { ...loaded.tables };
  for (const t of loaded.copied) real[t] = await readWhole(originalReader(config, { widened: loaded.widened })(t));
  const plan: DestinationPlan = { tables: outputTableMetas(config, loaded.metadata), relationships: activeForeignKeys(config) };
  const out = await readOutput(
    summary.outputPath!,
    plan.tables.map((t) => t.name),
  );
  const report = parseReport(JSON.parse(fs.readFileSync(path.join(workspace, REPORT_JSON), 'utf8')));
  return { prepared, summary, logs, outputPath: summary.outputPath!, plan, out, real, report, workspace };
}

/** Copies the local output into a fresh PostgreSQL database; tables are created with their PK and FK constraints. */
export async function copyToPostgres(run: PipelineRun, db: ScratchDatabase): Promise<Record<string, number>> {
  const res = await writeDestination({ kind: 'database', target: db.spec, tableMode: 'create', batchSize: 5000, parallel: 1 }, run.plan, (t) =>
    readOutputTable(run.outputPath, t, 5000),
  );
  return res.rows;
}

/** Foreign-key constraints declared in a PostgreSQL database, as "child(col)->parent". */
export async function pgForeignKeys(db: ScratchDatabase): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const r = await client.query<{ child: string; col: string; parent: string }>(
      `select tc.table_name as child, kcu.column_name as col, ccu.table_name as parent
         from information_schema.table_constraints tc
         join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
         join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
        where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = 'public'`,
    );
    return r.rows.map((x) => `${x.child}(${x.col})->${x.parent}`).sort();
  } finally {
    await client.end();
  }
}

export async function pgCount(db: ScratchDatabase, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(sql);
    return Number(r.rows[0]?.n ?? NaN);
  } finally {
    await client.end();
  }
}
