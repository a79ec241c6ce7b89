import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { defaultConfig, type ApiEvent, type SynthesisConfig } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { forkWorker, type WorkerHandle } from '../../src/main/services/worker-process';
import type { CellValue, RowBatch } from '../../src/shared/values';
import { datasetPath } from '../helpers/datasets';
import { expectSynthetic, generatedColumns } from '../helpers/synthetic-checks';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { tempDir } from './helpers';

const storeDir = tempDir('jobs-store');
let services: Services;
let lastWorker: WorkerHandle | null = null;
/** How each worker process ended, by pid. */
const exits = new Map<number, { code: number | null; signal: string | null }>();
let pgDb: ScratchDatabase;
/** Executions run so far, in order. */
const executions: string[] = [];

/** A slow enough job to be interrupted mid-training: bank marketing, many epochs. */
async function slowConfig(): Promise<SynthesisConfig> {
  const source = { kind: 'files' as const, path: datasetPath('bank_marketing', 'bank_marketing.csv') };
  const { metadata } = await services.sources.inspect(source);
  const config = defaultConfig(metadata, source, { name: 'slow' });
  config.settings.epochs = 400;
  config.settings.timeBudgetSeconds = 0;
  return config;
}

async function query(db: ScratchDatabase, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The penguins table of a PostgreSQL database, in a stable order. */
function penguinsIn(db: ScratchDatabase): Promise<Record<string, unknown>[]> {
  return query(db, 'select * from penguins order by 1, 2, 3, 4, 5, 6, 7, 8');
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
    spawnWorker: () => {
      const worker = forkWorker();
      worker.onExit((code, signal) => exits.set(worker.pid!, { code, signal }));
      return (lastWorker = worker);
    },
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
    executions.push(started.id);
    await whenTraining(started.id);
    const worker = lastWorker!;
    services.jobs.cancel(started.id);
    const done = await services.jobs.wait(started.id);
    // The worker stopped training on its own and left (exit 0), not killed after the grace period.
    await expect.poll(() => exits.get(worker.pid!)).toEqual({ code: 0, signal: null });
    expect(done.status).toBe('canceled');
    expect(done.steps.find((s) => s.step === 'train')?.status).toBe('canceled');
    expect(done.outputPath).toBeNull();
    expect(readdirSync(started.workspace).filter((f) => f.includes('output'))).toEqual([]);
    expect(services.store.executions.get(started.id).status).toBe('canceled');
  });

  it('a worker killed with SIGKILL becomes a failed execution with WORKER_CRASHED, not a hang', async () => {
    const synthesis = services.store.syntheses.list().find((s) => s.name === 'slow')!;
    const started = await services.executions.start(synthesis.id);
    executions.push(started.id);
    await whenTraining(started.id);
    process.kill(lastWorker!.pid!, 'SIGKILL');
    const done = await services.jobs.wait(started.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('WORKER_CRASHED');
    expect(done.error?.fix).toBeTruthy();
    expect(existsSync(path.join(started.workspace, 'output.sqlite'))).toBe(false);
    // The audit trail recorded both executions, in order, with how they ended.
    expect(services.store.audit.list().map((r) => [r.executionId, (r.payload as { status: string }).status])).toEqual([
      [executions[0], 'canceled'],
      [started.id, 'failed'],
    ]);
    expect(services.store.audit.verify()).toMatchObject({ ok: true, records: 2 });
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
    const written = await penguinsIn(pgDb);
    expect(written.length).toBe(344);
    expect(new Set(written.map((r) => r.species))).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
    // What was written is synthetic: no unique source penguin copied, more than independent columns.
    const real = await services.sources.with(source, async (c) => {
      const rows: RowBatch = { columns: [], rows: [] };
      for await (const b of c.readTable('penguins')) {
        rows.columns = b.columns;
        rows.rows.push(...b.rows);
      }
      return rows;
    });
    const columns = Object.keys(written[0]!);
    expectSynthetic(
      'penguins in PostgreSQL',
      real,
      { columns, rows: written.map((r) => columns.map((c) => r[c] as CellValue)) },
      generatedColumns(config, 'penguins'),
    );
    // Running it again refuses the now non-empty destination before training, and PG keeps its rows.
    const again = await services.executions.start(synthesis.id);
    const failed = await services.jobs.wait(again.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('DESTINATION_NOT_EMPTY');
    expect(failed.error?.message).toContain('"penguins"');
    expect(failed.error?.fix).toBeTruthy();
    expect(failed.steps.find((s) => s.step === 'train')?.status).toBe('pending');
    expect(await penguinsIn(pgDb)).toEqual(written);
  });

  it('cancel while the destination is being written leaves the database as it was', async () => {
    const db = await createPgDatabase('doppel_jobs_cancel');
    try {
      await query(db, "create table canary (id integer primary key, note text); insert into canary values (1, 'before'), (2, 'the run')");
      const source = { kind: 'files' as const, path: datasetPath('penguins', 'penguins.csv') };
      const { metadata } = await services.sources.inspect(source);
      const config = defaultConfig(metadata, source, { name: 'to-pg, canceled' });
      config.settings.epochs = 2;
      config.settings.outputSize = { mode: 'rows', rows: 200_000 };
      config.destination = { kind: 'database', target: db.spec, tableMode: 'create', batchSize: 500, parallel: 1 };
      const synthesis = services.store.syntheses.save({ name: 'to-pg, canceled', sourceId: null, config });
      const started = await services.executions.start(synthesis.id);
      // Cancel at the first rows generated: they are already in PostgreSQL, in the open transaction of the write.
      const writing = new Promise<number>((resolve) => {
        const off = services.jobs.subscribe((e: ApiEvent) => {
          if (e.executionId === started.id && e.event.type === 'progress' && e.event.step === 'synthesize' && e.event.done > 0) {
            off();
            void query(
              db,
              `select count(*)::int as n from pg_stat_activity where datname = '${db.name}' and xact_start is not null and pid <> pg_backend_pid()`,
            ).then((r) => {
              services.jobs.cancel(started.id);
              resolve(Number(r[0]?.n));
            });
          }
        });
      });
      const done = await services.jobs.wait(started.id);
      expect(await writing).toBe(1);
      expect(done.status).toBe('canceled');
      // The cancel lands in whichever step is running by then; nothing was committed.
      expect(done.steps.find((s) => s.step === 'store')?.status).not.toBe('done');
      expect(done.outputPath).toBeNull();
      expect(readdirSync(started.workspace).filter((f) => f.includes('output'))).toEqual([]);
      expect(await query(db, "select table_name as t from information_schema.tables where table_schema = 'public' order by 1")).toEqual([{ t: 'canary' }]);
      expect(await query(db, 'select * from canary order by id')).toEqual([
        { id: 1, note: 'before' },
        { id: 2, note: 'the run' },
      ]);
      expect(services.store.audit.list({ executionId: started.id }).map((r) => (r.payload as { status: string }).status)).toEqual(['canceled']);
    } finally {
      await db.drop();
    }
  });
});
