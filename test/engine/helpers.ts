import { synthSettingsSchema, type SynthSettings, type TableConfig } from '../../src/shared/config';
import type { Sdtype } from '../../src/shared/metadata';
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
