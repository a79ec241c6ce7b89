/**
 * Time to quality: the engine end to end (load → preprocess → train → synthesize as many rows)
 * with the cosine learning-rate schedule against the previous plateau schedule, in the same
 * run, on a 50,000-row, 10-column heavy-tailed table built from shared data (bench/lib/heavy-tailed.ts)
 * and on Adult. Times are wall and CPU seconds of this process (the CPU figure is the stable one
 * on a shared machine); Quality = SDMetrics-compatible score on up to 20,000 rows.
 */
import { initBackend } from '../../src/worker/engine/backend';
import { evaluateAccuracy } from '../../src/worker/engine/evaluate/accuracy';
import { evaluateQuality } from '../../src/worker/engine/evaluate/quality';
import type { ColumnMeta } from '../../src/shared/metadata';
import type { RowBatch } from '../../src/shared/values';
import { subsample } from '../lib/baselines';
import { loadTable } from '../lib/datasets';
import { heavyTailedTable } from '../lib/heavy-tailed';
import { metricSpecs, synthRun } from '../lib/synth-run';

const METRIC_ROWS = 20_000;
const SCHEDULES = ['plateau', 'cosine'] as const;

interface Figures {
  schedule: string;
  quality: number;
  robust: number;
  epochs: number;
  best: string;
  wall: number;
  cpu: number;
}

const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

async function measure(name: string, batch: RowBatch, columns: ColumnMeta[]): Promise<Figures[]> {
  const specs = metricSpecs(columns);
  const realM = subsample(batch, METRIC_ROWS, 1);
  const out: Figures[] = [];
  for (const schedule of SCHEDULES) {
    process.stderr.write(`  time-to-quality: ${name}, ${schedule}...\n`);
    const c0 = process.cpuUsage();
    const run = await synthRun(name, batch, columns, { seed: 1, trainingSchedule: schedule });
    const c = process.cpuUsage(c0);
    const synM = subsample(run.synthetic, METRIC_ROWS, 2);
    const best = run.history.reduce((b, h) => (h.valLoss !== null && h.valLoss < b.v ? { e: h.epoch, v: h.valLoss } : b), { e: 0, v: Infinity });
    out.push({
      schedule,
      quality: evaluateQuality(realM, synM, specs).score ?? NaN,
      robust: evaluateAccuracy(realM, synM, specs).score ?? NaN,
      epochs: run.epochs,
      best: `${best.e} (${f(best.v, 3)})`,
      wall: run.seconds,
      cpu: (c.user + c.system) / 1e6,
    });
  }
  return out;
}

function rows(name: string, shape: string, figs: Figures[]): string[] {
  const old = figs.find((x) => x.schedule === 'plateau');
  return figs.map(
    (x) =>
      `| ${name} | ${shape} | ${x.schedule === 'plateau' ? 'plateau (previous)' : 'cosine (default)'} | **${f(x.quality)}** | ${f(x.robust)} | ${x.epochs} | ${x.best} | ${f(x.wall, 0)} | ${f(x.cpu, 0)} | ${old ? `**${f(x.cpu / old.cpu, 2)}×** (wall ${f(x.wall / old.wall, 2)}×)` : '–'} |`,
  );
}

export async function run(): Promise<string> {
  const backend = await initBackend('auto');
  // BENCH_TTQ_TABLES=heavy or =adult runs one of the two (e.g. in two processes on a shared machine).
  const only = process.env.BENCH_TTQ_TABLES?.split(',');
  const heavy = heavyTailedTable();
  const h = only && !only.includes('heavy') ? [] : await measure('heavy-tailed', heavy.batch, heavy.columns);
  const adultTable = loadTable('adult', 'adult_train');
  const a = only && !only.includes('adult') ? [] : await measure('adult_train', adultTable.batch, adultTable.columns);
  return [
    '## Time to quality',
    '',
    `Backend **${backend}**. The engine end to end (preprocess → model choice → train → synthesize as many rows, in memory) with the cosine learning-rate schedule (the default: epochs planned from ~450 optimizer steps, peak rate 1.25× the previous constant rate after a 5% warm-up, decayed to 2% of the peak; at least 12 epochs; early stopping kept) against the previous plateau schedule (constant rate halved after every second epoch without progress; \`trainingSchedule: 'plateau'\`), one after the other in this run. "Heavy-tailed": 50,000 Lahman batting lines × 10 columns (team, league, year, seven counts with long tails and many zeros, 0.02% data-entry outliers). CPU = seconds of this process (stable on a shared machine; wall time depends on the other load). Target: ≤ 0.6× the previous time at equal or better Quality, Adult not below the previous schedule.`,
    '',
    '| table | rows × cols | schedule | Quality | robust | epochs | best epoch (val loss) | wall s | CPU s | time vs previous |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...(h.length ? rows('heavy-tailed', `${heavy.batch.rows.length.toLocaleString('en')} × ${heavy.columns.length}`, h) : []),
    ...(a.length ? rows('adult', `${adultTable.batch.rows.length.toLocaleString('en')} × ${adultTable.columns.length}`, a) : []),
  ].join('\n');
}
