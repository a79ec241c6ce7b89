import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type SynthesisConfig } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { tempDir } from '../cli/helpers';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { querySql } from '../site/helpers';

const storeDir = tempDir('guard-store');
const dataDir = tempDir('guard-data');
const csv = path.join(dataDir, 'visits.csv');
let services: Services;
let destination: ScratchDatabase | null = null;

/** A small table: a few seconds of training. */
function writeVisits(): void {
  const lines = ['visit_id,ward,age,stay_days'];
  for (let i = 1; i <= 400; i++) lines.push(`${i},${['A', 'B', 'C'][i % 3]},${20 + ((i * 7) % 60)},${1 + (i % 9)}`);
  writeFileSync(csv, lines.join('\n'));
}

async function config(name: string, change: (c: SynthesisConfig) => void = () => undefined): Promise<SynthesisConfig> {
  const source = { kind: 'files' as const, path: csv };
  const { metadata } = await services.sources.inspect(source);
  const c = defaultConfig(metadata, source, { name });
  c.settings.epochs = 2;
  change(c);
  return c;
}

async function start(c: SynthesisConfig): Promise<string> {
  const synthesis = services.store.syntheses.save({ name: c.name, sourceId: null, config: c });
  return (await services.executions.start(synthesis.id)).id;
}

beforeAll(() => {
  writeVisits();
  services = createServices({ storeDir });
});
afterAll(async () => {
  await services.close();
  await destination?.drop();
  rmSync(storeDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the resource guard', () => {
  it('refuses, before training, a run whose output cannot fit on the disk, and keeps no output', async () => {
    const id = await start(await config('too big', (c) => (c.settings.outputSize = { mode: 'rows', rows: 2_000_000_000_000 })));
    const done = await services.jobs.wait(id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('INSUFFICIENT_DISK');
    expect(done.error?.message).toMatch(/needs about .* TB .* free/);
    expect(done.error?.fix).toMatch(/output size/);
    expect(done.steps.find((s) => s.step === 'train')?.status).not.toBe('done');
    expect(done.outputPath).toBeNull();
  });

  it('two executions started together run one after the other; the second waits as queued', async () => {
    const first = await start(await config('first'));
    const second = await start(await config('second'));
    expect(services.jobs.queuedBehind(second)).toBe(1);
    expect(services.store.executions.get(second).status).toBe('queued');
    const [a, b] = await Promise.all([services.jobs.wait(first), services.jobs.wait(second)]);
    expect(a.status).toBe('succeeded');
    expect(b.status).toBe('succeeded');
    const secondStart = Date.parse(b.steps.find((s) => s.step === 'load')!.startedAt!);
    expect(secondStart).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
  });

  it('an execution over its time limit is stopped and fails with EXECUTION_TIMED_OUT', async () => {
    const id = await start(
      await config('slow', (c) => {
        c.settings.epochs = 5000;
        c.settings.maxExecutionSeconds = 3;
      }),
    );
    const done = await services.jobs.wait(id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('EXECUTION_TIMED_OUT');
    expect(done.error?.message).toContain('3 s');
    expect(done.outputPath).toBeNull();
  });

  it('an execution stopped by its time limit while its rows are written keeps nothing: no table in the destination, no file in the workspace', async () => {
    destination = await createPgDatabase('doppel_guard_budget');
    const id = await start(
      await config('budget while writing', (c) => {
        c.settings.epochs = 1;
        // Far more rows than can be generated within the limit: the stop comes while they are written.
        c.settings.outputSize = { mode: 'rows', rows: 20_000_000 };
        c.settings.maxExecutionSeconds = 60;
        c.destination = { kind: 'database', target: destination!.spec, tableMode: 'create', batchSize: 10_000, parallel: 1 };
      }),
    );
    const done = await services.jobs.wait(id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('EXECUTION_TIMED_OUT');
    expect(done.error?.message).toBe('The execution ran longer than its time limit of 60 s and was stopped; no output was kept.');
    expect(done.error?.fix).toMatch(/Max execution time/);
    expect(done.steps.find((s) => s.step === 'train')?.status).toBe('done');
    expect(done.steps.find((s) => s.step === 'synthesize')?.status).toBe('failed');
    expect(done.outputPath).toBeNull();
    expect(await querySql(destination, "select table_name from information_schema.tables where table_schema = 'public'")).toEqual([]);
    const files = existsSync(done.workspace) ? readdirSync(done.workspace, { recursive: true }).map(String) : [];
    expect(files.filter((f) => /output|partial|report|export/i.test(f))).toEqual([]);
  }, 300_000);
});
