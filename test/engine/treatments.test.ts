import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { disposeTable, fitTable, prepareTable, sampleTable, type TableModel } from '../../src/worker/engine/table-model';
import type { Row, RowBatch } from '../../src/shared/values';
import { correlatedTable, correlatedTypes, settings, tableConfig } from './helpers';

beforeAll(async () => {
  await initBackend('cpu');
});

async function rowsOf(model: TableModel, n: number): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of sampleTable(model, n)) out.push(...b.rows);
  return out;
}

describe('column treatments', () => {
  it('keeps, masks, mocks and nulls columns as configured', async () => {
    const n = 300;
    const rows: Row[] = Array.from({ length: n }, (_, i) => [i % 2 ? 'x' : 'y', `person${i}@mail.com`, `Name ${i}`, `secret-${i}`, i % 7]);
    const batch: RowBatch = { columns: ['cat', 'email', 'name', 'code', 'kept'], rows };
    const cfg = tableConfig({ cat: 'categorical', email: 'text', name: 'text', code: 'categorical', kept: 'numerical' });
    cfg.columns.email!.treatment = 'mock';
    cfg.columns.email!.options = { mockGenerator: 'internet.email' };
    cfg.columns.name!.treatment = 'null';
    cfg.columns.code!.treatment = 'mask';
    cfg.columns.kept!.treatment = 'keep';
    const prepared = prepareTable(batch, { table: 't', config: cfg, columns: [], settings: settings() });
    const model = await fitTable(prepared);
    const out = await rowsOf(model, 200);
    const realEmails = new Set(rows.map((r) => r[1]));
    for (const r of out) {
      expect(['x', 'y']).toContain(r[0]);
      expect(String(r[1])).toContain('@');
      expect(realEmails.has(r[1] as string)).toBe(false);
      expect(r[2]).toBeNull();
      expect(r[3]).toMatch(/^s\*{5}-\*+$/);
      expect(Number.isInteger(r[4]) && (r[4] as number) >= 0 && (r[4] as number) < 7).toBe(true);
    }
    disposeTable(model);
  });

  it('fakes codes with the shape of the real ones and SSNs as SSNs, never real values', async () => {
    const n = 200;
    const rows: Row[] = Array.from({ length: n }, (_, i) => [`X${String(100000 + i * 37)}Z`, `${100 + i}-${10 + (i % 80)}-${1000 + i}`, i % 2 ? 'a' : 'b']);
    const cfg = tableConfig({ passport: 'text', ssn: 'text', k: 'categorical' });
    cfg.columns.passport!.treatment = 'mock';
    cfg.columns.ssn!.treatment = 'mock';
    const prepared = prepareTable({ columns: ['passport', 'ssn', 'k'], rows }, { table: 't', config: cfg, columns: [], settings: settings() });
    const model = await fitTable(prepared);
    const out = await rowsOf(model, 100);
    const real = new Set(rows.flatMap((r) => [r[0], r[1]]));
    for (const r of out) {
      expect(r[0]).toMatch(/^[A-Z]\d{6}[A-Z]$/);
      expect(r[1]).toMatch(/^\d{3}-\d{2}-\d{4}$/);
      expect(real.has(r[0] as string) || real.has(r[1] as string)).toBe(false);
    }
    disposeTable(model);
  });

  it('trains reproducibly: same seed, same synthetic rows', async () => {
    const data = correlatedTable(500, 8);
    const fit = async (): Promise<Row[]> => {
      const prepared = prepareTable(data, { table: 't', config: tableConfig(correlatedTypes, ['id']), columns: [], settings: settings({ seed: 11 }) });
      const model = await fitTable(prepared, { family: 'ar', overrides: { maxEpochs: 3, hidden: 16 } });
      const out = await rowsOf(model, 100);
      disposeTable(model);
      return out;
    };
    expect(await fit()).toEqual(await fit());
  });
});
