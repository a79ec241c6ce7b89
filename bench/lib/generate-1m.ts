/**
 * Child process of the engine bench: trains on Adult (short time budget), generates
 * 1,000,000 rows streamed to a sink that only counts them, and prints peak RSS and speed.
 */
import { initBackend } from '../../src/worker/engine/backend';
import { fitTable, prepareTable, sampleTable } from '../../src/worker/engine/table-model';
import { synthSettingsSchema, type TableConfig } from '../../src/shared/config';
import { loadTable } from './datasets';

const count = Number(process.argv[2] ?? 1_000_000);
await initBackend('auto');
const t = loadTable('adult', 'adult_train');
const config: TableConfig = {
  treatment: 'synthesize',
  primaryKey: [],
  columns: Object.fromEntries(
    t.columns.map((c) => [c.name, { included: true, sdtype: c.sdtype, sensitive: false, treatment: 'synthesize' as const, options: {} }]),
  ),
};
const settings = synthSettingsSchema.parse({ timeBudgetSeconds: 15 });
const prepared = prepareTable(t.batch, { table: 'adult', config, columns: t.columns, settings });
const model = await fitTable(prepared);
t.batch.rows.length = 0;
const t0 = performance.now();
let rows = 0;
for await (const batch of sampleTable(model, count, { batchSize: 16384 })) rows += batch.rows.length;
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ rows, seconds, rowsPerSecond: rows / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
process.exit(0);
