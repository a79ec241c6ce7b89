/**
 * Child process for the kill test: writes an endless table into a destination (slowly, in
 * batches) and prints "writing" once rows are on their way; the test kills it with SIGKILL.
 */
import { writeDestination } from '../../src/data/destinations/write';
import type { DatabaseDestination, DestinationPlan } from '../../src/data/destinations/check';
import type { RowBatch } from '../../src/shared/values';

const [destinationJson, planJson] = process.argv.slice(2);
const destination = JSON.parse(destinationJson ?? '{}') as DatabaseDestination;
const plan = JSON.parse(planJson ?? '{}') as DestinationPlan;

async function* endless(table: string): AsyncGenerator<RowBatch> {
  const t = plan.tables.find((x) => x.name === table)!;
  for (let b = 0; ; b++) {
    const rows = Array.from({ length: 200 }, (_, i) => t.columns.map((c, k) => (k === 0 ? b * 200 + i + 1 : c.storageType === 'string' ? `row ${b}-${i}` : i)));
    yield { columns: t.columns.map((c) => c.name), rows };
    await new Promise((r) => setTimeout(r, 20));
  }
}

await writeDestination(destination, plan, endless, {
  onProgress: (p) => {
    if (p.totalRows === 1000) process.stdout.write('writing\n');
  },
});
