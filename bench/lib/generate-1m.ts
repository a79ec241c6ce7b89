/**
 * Child process of the engine bench: trains on Adult (short time budget), generates
 * 1,000,000 rows streamed to a sink that only counts them, and prints peak RSS and speed.
 */
import { initBackend } from '../../src/worker/engine/backend';
import { sampleTable } from '../../src/worker/engine/table-model';
import { fitAdult } from './adult-model';

const count = Number(process.argv[2] ?? 1_000_000);
await initBackend('auto');
const { table: t, model } = await fitAdult(15);
t.batch.rows.length = 0;
const t0 = performance.now();
let rows = 0;
for await (const batch of sampleTable(model, count, { batchSize: 16384 })) rows += batch.rows.length;
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ rows, seconds, rowsPerSecond: rows / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
process.exit(0);
