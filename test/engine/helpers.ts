import { synthesisConfigSchema, synthSettingsSchema, type SynthesisConfig, type SynthSettings, type TableConfig } from '../../src/shared/config';
import type { DatasetMetadata, Sdtype } from '../../src/shared/metadata';
import type { CellValue, RowBatch } from '../../src/shared/values';
import { createRng } from '../../src/worker/engine/rng';

export function settings(over: Partial<SynthSettings> = {}): SynthSettings {
  return { ...synthSettingsSchema.parse({ device: 'cpu' }), ...over };
}

export function tableConfig(types: Record<string, Sdtype>, primaryKey: string[] = []): TableConfig {
  return {
    treatment: 'synthesize',
    primaryKey,
    columns: Object.fromEntries(
      Object.entries(types).map(([name, sdtype]) => [name, { included: true, sdtype, sensitive: false, treatment: 'synthesize' as const, options: {} }]),
    ),
  };
}

/** A table where `y` depends strongly on `x` (A -> ~10, B -> ~50), plus a rare category and a date. */
export function correlatedTable(n: number, seed = 1): RowBatch {
  const rng = createRng(seed);
  const rows: CellValue[][] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next() < 0.5;
    const y = Math.round(((a ? 10 : 50) + rng.normal()) * 100) / 100;
    const c = i < 2 ? 'RARE-PERSON' : rng.next() < 0.3 ? 'red' : 'blue';
    const d = new Date(Date.UTC(2021, 0, 1) + rng.int(365) * 86_400_000).toISOString().slice(0, 10);
    rows.push([i + 1, a ? 'A' : 'B', y, c, d]);
  }
  return { columns: ['id', 'x', 'y', 'c', 'd'], rows };
}

export const correlatedTypes: Record<string, Sdtype> = { id: 'id', x: 'categorical', y: 'numerical', c: 'categorical', d: 'datetime' };

/** One table of `n` correlated rows (`correlatedTable`), synthesized on the CPU. */
export function singleTableSetup(
  n: number,
  over: Record<string, unknown> = {},
): { config: SynthesisConfig; metadata: DatasetMetadata; tables: Record<string, RowBatch> } {
  const config = synthesisConfigSchema.parse({
    source: { kind: 'files', path: '/nowhere.csv' },
    tables: { people: tableConfig(correlatedTypes, ['id']) },
    settings: { device: 'cpu', epochs: 5, ...over },
  });
  const metadata: DatasetMetadata = {
    tables: [
      {
        name: 'people',
        columns: Object.entries(correlatedTypes).map(([name, sdtype]) => ({ name, sdtype, storageType: 'string', nullable: true })),
        primaryKey: ['id'],
        rowCount: n,
      },
    ],
    relationships: [],
  };
  return { config, metadata, tables: { people: correlatedTable(n) } };
}

/** people (600, the root) → orders (0–4 per person, more for x = A) → a `status` lookup kept as original data. */
export function relationalSetup(): { config: SynthesisConfig; metadata: DatasetMetadata; tables: Record<string, RowBatch> } {
  const people = correlatedTable(600);
  const orders: RowBatch = { columns: ['order_id', 'person_id', 'amount', 'status'], rows: [] };
  people.rows.forEach((p, i) => {
    const n = p[1] === 'A' ? 3 + (i % 2) : i % 2;
    for (let k = 0; k < n; k++) orders.rows.push([orders.rows.length + 1, p[0]!, (p[1] === 'A' ? 100 : 10) + k, k === 0 ? 'new' : 'paid']);
  });
  const status: RowBatch = {
    columns: ['code', 'label'],
    rows: [
      ['new', 'New order'],
      ['paid', 'Paid'],
      ['void', 'Cancelled'],
    ],
  };
  const config = synthesisConfigSchema.parse({
    source: { kind: 'files', path: '/nowhere' },
    tables: {
      people: tableConfig(correlatedTypes, ['id']),
      orders: tableConfig({ order_id: 'id', person_id: 'id', amount: 'numerical', status: 'id' }, ['order_id']),
      status: { ...tableConfig({ code: 'id', label: 'categorical' }, ['code']), treatment: 'original' },
    },
    foreignKeys: [
      { parentTable: 'people', parentColumns: ['id'], childTable: 'orders', childColumns: ['person_id'], origin: 'declared' },
      { parentTable: 'status', parentColumns: ['code'], childTable: 'orders', childColumns: ['status'], origin: 'declared' },
    ],
    settings: { device: 'cpu', epochs: 2 },
  });
  const col = (
    name: string,
    sdtype: DatasetMetadata['tables'][number]['columns'][number]['sdtype'],
    storageType: 'string' | 'integer' | 'float' = 'string',
  ) => ({ name, sdtype, storageType, nullable: false });
  const metadata: DatasetMetadata = {
    tables: [
      { name: 'people', columns: Object.entries(correlatedTypes).map(([name, sdtype]) => col(name, sdtype)), primaryKey: ['id'], rowCount: 600 },
      {
        name: 'orders',
        columns: [col('order_id', 'id', 'integer'), col('person_id', 'id', 'string'), col('amount', 'numerical', 'float'), col('status', 'id')],
        primaryKey: ['order_id'],
        rowCount: orders.rows.length,
      },
      { name: 'status', columns: [col('code', 'id'), col('label', 'categorical')], primaryKey: ['code'], rowCount: 3 },
    ],
    relationships: config.foreignKeys,
  };
  return { config, metadata, tables: { people, orders, status } };
}
