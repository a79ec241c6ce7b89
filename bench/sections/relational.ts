/**
 * Relational synthesis on whole databases, through the pipeline the job runner calls (data
 * loading → preprocess → build → train → synthesize into the local SQLite output): berka
 * (7 tables, depth 3, a two-FK table) and chinook (sales synthesized under the customers,
 * catalogue and staff as original data), plus a 10x scale-up of chinook. Integrity, key
 * uniqueness, child-count shape (KS complement), per-table Quality and parent–child pair trends
 * (engineer F's metrics), time and peak memory.
 */
import fs from 'node:fs';
import type { SynthesisConfig } from '../../src/shared/config';
import type { Relationship } from '../../src/shared/metadata';
import { initBackend } from '../../src/worker/engine/backend';
import { specsFromTableConfig } from '../../src/worker/engine/evaluate/columns';
import { evaluateQuality } from '../../src/worker/engine/evaluate/quality';
import { evaluateRelationship } from '../../src/worker/engine/evaluate/relational';
import { chinookSalesConfig } from '../../test/relational/chinook-config';
import { integrity } from '../../test/relational/helpers';
import { inspect, runPipeline, tempWorkspace } from '../../test/relational/pipeline-helpers';
import { datasetPath } from '../../test/helpers/datasets';

interface Run {
  name: string;
  seconds: number;
  peakRssMb: number;
  rows: Record<string, number>;
  lines: string[];
  ok: boolean;
  note?: string;
}

/** Share of a root column's real values whose category is held by fewer than k rows (what rare-category protection replaces). */
function protectedShare(batch: { columns: string[]; rows: unknown[][] }, column: string, k: number): number {
  const i = batch.columns.indexOf(column);
  const counts = new Map<string, number>();
  const vals = batch.rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined).map(String);
  for (const v of vals) counts.set(v, (counts.get(v) ?? 0) + 1);
  return vals.length ? vals.filter((v) => (counts.get(v) ?? 0) < k).length / vals.length : 0;
}

function peakSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) / 2 ** 20;
    },
  };
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(3));

async function runDataset(name: string, config: SynthesisConfig, opts: { rootRows?: number; metrics: boolean; rareRoot?: { table: string; columns: string[] } }): Promise<Run> {
  const workspace = tempWorkspace('bench-rel');
  const mem = peakSampler();
  const t0 = performance.now();
  const run = await runPipeline(config, workspace, { count: opts.rootRows });
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = mem.stop();
  fs.rmSync(workspace, { recursive: true, force: true });
  const out = run.out;
  const data = { config, tables: run.real };
  const rows = Object.fromEntries(Object.entries(out).map(([t, b]) => [t, b.rows.length]));
  const lines: string[] = [];
  let ok = true;
  const synthesized = Object.entries(data.config.tables).filter(([, t]) => t.treatment === 'synthesize').map(([n]) => n);
  // Key uniqueness.
  const uniq = synthesized.map((t) => {
    const pk = data.config.tables[t]!.primaryKey[0]!;
    const i = out[t]!.columns.indexOf(pk);
    const keys = out[t]!.rows.map((r) => String(r[i]));
    return new Set(keys).size / Math.max(1, keys.length);
  });
  const minUniq = Math.min(...uniq);
  const fks: Relationship[] = data.config.foreignKeys.filter((f) => f.childTable !== f.parentTable && out[f.childTable] && out[f.parentTable]);
  const minIntegrity = Math.min(...fks.map((f) => integrity(out, f)));
  ok &&= minUniq === 1 && minIntegrity === 1;
  lines.push(`Key uniqueness (min over tables): ${f3(minUniq)}; referential integrity (min over ${fks.length} FKs): ${f3(minIntegrity)}.`, '');
  if (opts.metrics) {
    lines.push('| Table | Rows real → synthetic | Column shapes | Pair trends | Quality |', '|---|---|---|---|---|');
    const columns: Record<string, ReturnType<typeof specsFromTableConfig>> = {};
    for (const t of synthesized) {
      columns[t] = specsFromTableConfig(data.config.tables[t]!);
      const q = evaluateQuality(data.tables[t]!, out[t]!, columns[t]);
      ok &&= (q.score ?? 1) >= 0.9;
      lines.push(`| ${t} | ${data.tables[t]!.rows.length} → ${out[t]!.rows.length} | ${f3(q.columnShapes)} | ${f3(q.columnPairTrends)} | ${f3(q.score)} |`);
    }
    lines.push('', '| Relationship | Child-count shape (KS compl.) | Mean children real / synthetic | Parent–child pair trends | Integrity |', '|---|---|---|---|---|');
    for (const rel of fks.filter((f) => synthesized.includes(f.parentTable))) {
      const r = evaluateRelationship({ relationship: rel, real: { tables: data.tables }, synthetic: { tables: out }, columns });
      if (!r) continue;
      ok &&= (r.cardinality ?? 1) >= 0.9;
      lines.push(`| ${r.key} | ${f3(r.cardinality)} | ${r.meanChildren.real.toFixed(2)} / ${r.meanChildren.synthetic.toFixed(2)} | ${f3(r.pairTrends)} | ${f3(r.integrity)} |`);
    }
  }
  let note: string | undefined;
  if (opts.rareRoot) {
    const k = config.settings.privacy.rareCategoryThreshold;
    const { table, columns } = opts.rareRoot;
    const shares = columns.map((c) => `${c} ${(100 * protectedShare(run.real[table]!, c, k)).toFixed(0)}%`).join(', ');
    note = `Privacy bound: real "${table}" values in categories held by fewer than ${k} ${table} rows (replaced by the protected value, also in child tables where the count is per ${table}): ${shares}. Column Shapes of such a column cannot exceed 1 − that share; per-table Quality ≥ 0.90 on ${run.real[table]!.rows.length} ${table} rows needs that protection lowered for those columns (a per-column option).`;
  }
  return { name, seconds, peakRssMb, rows, lines, ok, note };
}

export async function run(): Promise<string> {
  const backend = await initBackend('auto');
  const parts: string[] = [
    '## Relational synthesis',
    '',
    `Backend: ${backend}. Whole database through the pipeline (load → preprocess → build → train → synthesize into the local SQLite output, which checks every FK on insert) → metrics against all real rows; default settings (balanced preset, privacy protection on). Times include reading the source and writing the output.`,
    '',
  ];
  const berka = (await inspect({ kind: 'files', path: datasetPath('berka') })).config;
  const sales = chinookSalesConfig((await inspect({ kind: 'sqlite', path: datasetPath('chinook', 'Chinook_Sqlite.sqlite') })).config);
  const runs = [
    await runDataset('berka (7 tables, depth 3)', berka, { metrics: true }),
    await runDataset('chinook (Customer → Invoice → InvoiceLine; 6 original-data tables)', sales, { metrics: true, rareRoot: { table: 'Customer', columns: ['City', 'State', 'Country'] } }),
    await runDataset('chinook 10x (590 customers)', sales, { rootRows: 590, metrics: false }),
  ];
  for (const r of runs) {
    parts.push(`### ${r.name}`, '', `Time ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB; rows: ${Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ')}.`, '', ...r.lines, '', ...(r.note ? [r.note, ''] : []), `Targets (integrity 1.0, keys unique, child-count shape ≥ 0.90, per-table Quality ≥ 0.90): ${r.ok ? 'met' : 'NOT met'}.`, '');
  }
  return parts.join('\n');
}
