import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, SourceRecord, SynthesisConfig, SynthesisRecord } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { dispatch } from '../../src/main/host/dispatch';
import { datasetPath } from '../helpers/datasets';
import { tempDir } from './helpers';

const dir = tempDir('services');
let services: Services;
const call = <T>(channel: string, input: unknown): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string; fix?: string } }> =>
  dispatch(services.backend, channel, input) as never;

beforeAll(() => {
  copyFileSync(datasetPath('chinook', 'Chinook_Sqlite.sqlite'), path.join(dir, 'chinook.sqlite'));
  services = createServices({ storeDir: path.join(dir, 'store') });
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('services behind the API', () => {
  it('adds a source, inspects it, builds a default config with sensitive columns flagged, validates and saves it', async () => {
    const added = await call<SourceRecord>('sources.add', { name: 'Chinook', spec: { kind: 'sqlite', path: path.join(dir, 'chinook.sqlite') } });
    expect(added.ok).toBe(true);
    const id = added.data!.id;
    const inspected = await call<{ metadata: { tables: unknown[] }; sensitive: { table: string; column: string }[] }>('sources.inspect', { id });
    expect(inspected.data!.metadata.tables).toHaveLength(11);
    expect(inspected.data!.sensitive.map((h) => `${h.table}.${h.column}`)).toEqual(expect.arrayContaining(['Customer.Email', 'Customer.FirstName']));
    const config = (await call<SynthesisConfig>('syntheses.defaultConfig', { sourceId: id })).data!;
    expect(config.tables.Customer!.columns.Email!.sensitive).toBe(true);
    // The staff table (8 rows, referencing itself) is original data by default; its sensitive columns are copied, and the user is told which.
    expect(config.tables.Employee!.treatment).toBe('original');
    const copied = (await call<Problem[]>('syntheses.validate', { config })).data!.filter((p) => p.code === 'SENSITIVE_NOT_SYNTHESIZED');
    expect(copied.map((p) => `${p.table}.${p.column}`)).toEqual(expect.arrayContaining(['Employee.Email', 'Employee.Phone', 'Employee.Address']));
    expect(copied.every((p) => p.severity === 'warning' && p.fix === `Set "Employee" to synthesize, or exclude "${p.column}".`)).toBe(true);
    // Chinook's defaults (several roots, the small self-referencing Employee kept as original data) validate as they are.
    expect((await call<Problem[]>('syntheses.validate', { config })).data!.filter((p) => p.severity === 'error')).toEqual([]);
    const saved = await call<SynthesisRecord>('syntheses.save', { name: 'Chinook', sourceId: id, config });
    expect(saved.ok).toBe(true);
    const page = await call<{ rows: unknown[][]; total: number }>('sources.preview', { id, table: 'Track', offset: 10, limit: 5 });
    expect(page.data!.rows).toHaveLength(5);
    expect(page.data!.total).toBe(3503);
  });

  it('answers a destination check that fails with the problem and its fix, and a passing one with ok', async () => {
    const source = (await call<SourceRecord[]>('sources.list', {})).data!.find((r) => r.name === 'Chinook')!;
    const config = (await call<SynthesisConfig>('syntheses.defaultConfig', { sourceId: source.id })).data!;
    const full = path.join(dir, 'full.sqlite');
    copyFileSync(datasetPath('chinook', 'Chinook_Sqlite.sqlite'), full);
    const into = (file: string) => ({
      kind: 'database',
      target: { kind: 'sqlite', path: file },
      tableMode: 'write-into-empty',
      batchSize: 10_000,
      parallel: 1,
    });
    const failed = await call<{ ok: boolean; message: string; code?: string; fix?: string }>('destinations.check', { destination: into(full), config });
    expect(failed.ok).toBe(true);
    expect(failed.data).toMatchObject({ ok: false, code: 'DESTINATION_NOT_EMPTY' });
    expect(failed.data!.message).toMatch(/already have rows/);
    expect(failed.data!.fix).toMatch(/truncate/);
    const fresh = await call<{ ok: boolean; message: string }>('destinations.check', {
      destination: { ...into(path.join(dir, 'fresh.sqlite')), tableMode: 'create' },
      config,
    });
    expect(fresh.data!.ok).toBe(true);
  });

  it('refuses a source that cannot be opened, with a specific error, and does not store it', async () => {
    const before = (await call<SourceRecord[]>('sources.list', {})).data!.length;
    const bad = await call('sources.add', { spec: { kind: 'files', path: path.join(dir, 'missing.csv') } });
    expect(bad.ok).toBe(false);
    expect(bad.error!.code).toBe('SOURCE_NOT_FOUND');
    const db = await call('sources.test', { spec: { kind: 'mysql', host: '127.0.0.1', user: 'root', password: 'wrong-password', database: 'test' } });
    expect(db.ok).toBe(false);
    expect(db.error!.code).toBe('DB_AUTH_FAILED');
    expect(JSON.stringify(db.error)).not.toContain('wrong-password');
    expect((await call<SourceRecord[]>('sources.list', {})).data!.length).toBe(before);
  });

  it('starting an invalid synthesis fails with every problem; unknown executions are named', async () => {
    const valid = (await call<SynthesisRecord[]>('syntheses.list', {})).data![0]!;
    // An invoice's customer mocked would break its link: an error that blocks the start.
    const config = structuredClone(valid.config);
    config.tables.Invoice!.columns.CustomerId!.treatment = 'mock';
    const synthesis = (await call<SynthesisRecord>('syntheses.save', { name: 'Chinook (broken link)', sourceId: valid.sourceId, config })).data!;
    const start = await call<never>('executions.start', { synthesisId: synthesis.id });
    expect(start.ok).toBe(false);
    expect(start.error!.code).toBe('VALIDATION_FAILED');
    // Every problem, each with its fix, and the one about the mocked link among them.
    const details = (start.error as { details?: Problem[] }).details ?? [];
    expect(details.length).toBeGreaterThan(0);
    expect(details.some((p) => p.table === 'Invoice' && p.column === 'CustomerId')).toBe(true);
    expect(start.error!.message).toContain('The synthesis "Chinook (broken link)" cannot run:');
    for (const p of details) {
      expect(p.severity).toBe('error');
      expect(start.error!.message).toContain(p.message);
      expect(start.error!.fix).toContain(p.fix!);
    }
    expect((await call<unknown[]>('executions.list', {})).data).toEqual([]);
    const missing = await call('executions.get', { id: 'nope' });
    expect(missing.error).toMatchObject({ code: 'EXECUTION_NOT_FOUND', message: expect.stringContaining('"nope"'), fix: expect.any(String) });
    const audit = await call<{ ok: boolean; records: number }>('audit.verify', {});
    expect(audit.data).toMatchObject({ ok: true, records: 0 });
  });
});
