import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { defaultConfig, type ApiEvent, type SynthesisConfig } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { forkWorker, type WorkerHandle } from '../../src/main/services/worker-process';
import { datasetPath } from '../helpers/datasets';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { tempDir } from './helpers';

const storeDir = tempDir('jobs-store');
let services: Services;
let lastWorker: WorkerHandle | null = null;
let pgDb: ScratchDatabase;

/** A slow enough job to be interrupted mid-training: bank marketing, many epochs. */
async function slowConfig(): Promise<SynthesisConfig> {
  const source = { kind: 'files' as const, path: datasetPath('bank_marketing', 'bank_marketing.csv') };
  const { metadata } = await services.sources.inspect(source);
  const config = defaultConfig(metadata, source, { name: 'slow' });
  config.settings.epochs = 400;
  config.settings.timeBudgetSeconds = 0;
  return config;
}

function whenTraining(id: string): Promise<void> {
  return new Promise((resolve) => {
    const off = services.jobs.subscribe((e: ApiEvent) => {
      if (e.executionId === id && e.event.type === 'progress' && e.event.step === 'train') {
        off();
        resolve();
      }
    });
  });
}

beforeAll(async () => {
  services = createServices({
    storeDir,
    // The real forked worker; the test keeps its handle to kill it like a crash would.
    spawnWorker: () => (lastWorker = forkWorker()),
  });
  pgDb = await createPgDatabase('doppel_jobs');
});
afterAll(async () => {
  await services.close();
  await pgDb.drop();
  rmSync(storeDir, { recursive: true, force: true });
});

describe('executions in worker processes', () => {
  it('cancel during training ends as canceled, with no output and a consistent store', async () => {
    const synthesis = services.store.syntheses.save({ name: 'slow', sourceId: null, config: await slowConfig() });
    const started = await services.executions.start(synthesis.id);
    await whenTraining(started.id);
    const t0 = Date.now();
    services.jobs.cancel(started.id);
    const done = await services.jobs.wait(started.id);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(done.status).toBe('canceled');
    expect(done.steps.find((s) => s.step === 'train')?.status).toBe('canceled');
    expect(done.outputPath).toBeNull();
    expect(readdirSync(started.workspace).filter((f) => f.includes('output'))).toEqual([]);
    expect(services.store.executions.get(started.id).status).toBe('canceled');
  });

  it('a worker killed with SIGKILL becomes a failed execution with WORKER_CRASHED, not a hang', async () => {
    const synthesis = services.store.syntheses.list().find((s) => s.name === 'slow')!;
    const started = await services.executions.start(synthesis.id);
    await whenTraining(started.id);
    process.kill(lastWorker!.pid!, 'SIGKILL');
    const done = await services.jobs.wait(started.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('WORKER_CRASHED');
    expect(done.error?.fix).toBeTruthy();
    expect(existsSync(path.join(started.workspace, 'output.sqlite'))).toBe(false);
    // The audit trail recorded both executions.
    expect(services.store.audit.list().map((r) => r.executionId)).toEqual(expect.arrayContaining([started.id]));
  });

  it('a PostgreSQL destination is written with the synthetic rows; a second run refuses the non-empty table before training', async () => {
    const source = { kind: 'files' as const, path: datasetPath('penguins', 'penguins.csv') };
    const { metadata } = await services.sources.inspect(source);
    const config = defaultConfig(metadata, source, { name: 'to-pg' });
    config.destination = { kind: 'database', target: pgDb.spec, tableMode: 'create', batchSize: 10_000, parallel: 1 };
    const synthesis = services.store.syntheses.save({ name: 'to-pg', sourceId: null, config });
    const started = await services.executions.start(synthesis.id);
    const done = await services.jobs.wait(started.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(done.summary?.rows).toEqual({ penguins: 344 });
    const client = new pg.Client({ connectionString: pgDb.url });
    await client.connect();
    try {
      const { rows } = await client.query('select count(*)::int as n, count(distinct species)::int as s from penguins');
      expect(rows[0]).toEqual({ n: 344, s: 3 });
    } finally {
      await client.end();
    }
    // Running it again refuses the now non-empty destination before training, and PG keeps its rows.
    const again = await services.executions.start(synthesis.id);
    const failed = await services.jobs.wait(again.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toMatch(/DESTINATION_NOT_EMPTY|DESTINATION_INCOMPATIBLE/);
    expect(failed.steps.find((s) => s.step === 'train')?.status).toBe('pending');
  });
});
