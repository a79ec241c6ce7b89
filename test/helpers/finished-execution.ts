import path from 'node:path';
import { openLocalOutput } from '../../src/data/destinations/local-output';
import type { ProjectStore } from '../../src/data/store/types';
import { synthesisConfigSchema } from '../../src/shared/config';
import type { ExecutionRecord } from '../../src/shared/job';
import type { TableMeta } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';
import { OUTPUT_FILE } from '../../src/data/store/workspace-files';

/**
 * A succeeded execution in `store` whose output SQLite file holds `table` with `rows`, as a run
 * would leave it (no training: the rows are the test's own).
 */
export async function finishedExecution(store: ProjectStore, table: TableMeta, rows: Row[]): Promise<ExecutionRecord> {
  const config = synthesisConfigSchema.parse({
    name: `${table.name} synthesis`,
    source: { kind: 'files', path: path.join(store.dir, `${table.name}.csv`) },
    tables: { [table.name]: { columns: Object.fromEntries(table.columns.map((c) => [c.name, { sdtype: c.sdtype }])) } },
  });
  const synthesis = store.syntheses.save({ name: config.name, sourceId: null, config });
  const execution = store.executions.create({ synthesisId: synthesis.id, config });
  const outputPath = path.join(execution.workspace, OUTPUT_FILE);
  const out = await openLocalOutput(outputPath, [table], []);
  await out.append(table.name, { columns: table.columns.map((c) => c.name), rows });
  await out.commit();
  return store.executions.finish(execution.id, 'succeeded', {
    summary: {
      executionId: execution.id,
      status: 'succeeded',
      stepSeconds: {},
      rows: { [table.name]: rows.length },
      backend: 'cpu',
      quality: null,
      outputPath,
      reportPath: null,
    },
  });
}
