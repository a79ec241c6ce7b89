/** Small in-memory report inputs built from generated tables (no shared dataset needed). */
import { defaultConfig, type DatasetMetadata, type RowBatch, type Sdtype } from '../../src/shared';
import type { ReportInput } from '../../src/worker/engine/report/build';

export function singleTableInput(
  table: string,
  types: Record<string, Sdtype>,
  parts: { train: RowBatch; holdout: RowBatch; synthetic: RowBatch },
  seed = 42,
): ReportInput {
  const metadata: DatasetMetadata = {
    tables: [
      {
        name: table,
        rowCount: parts.train.rows.length,
        primaryKey: [],
        columns: Object.entries(types).map(([name, sdtype]) => ({ name, sdtype, storageType: sdtype === 'numerical' ? 'float' : 'string', nullable: true })),
      },
    ],
    relationships: [],
  };
  const config = defaultConfig(metadata, { kind: 'files', path: '/nowhere' }, { name: table });
  for (const [name, sdtype] of Object.entries(types)) {
    const c = config.tables[table]!.columns[name]!;
    c.sdtype = sdtype;
    c.treatment = 'synthesize';
    c.included = true;
  }
  return {
    config,
    metadata,
    realTrain: { [table]: parts.train },
    realHoldout: { [table]: parts.holdout },
    synthetic: { [table]: parts.synthetic },
    backend: 'cpu',
    stepSeconds: {},
    seed,
  };
}
