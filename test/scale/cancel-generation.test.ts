/**
 * A cancel while a large output is generated stops the worker by itself within the cancel grace:
 * the execution ends as canceled without the worker being killed, and nothing is left in the
 * destination or the workspace. Two generations: a single table drawn on sampling threads and
 * streamed into PostgreSQL, and a relational dataset whose family chunks (a thousand patients with
 * their many visits each) are long stretches of work in the worker's own thread.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type JobEvent, type SourceSpec, type SynthesisConfig } from '../../src/shared';
import type { Row } from '../../src/shared/values';
import { createServices, type Services } from '../../src/main/services/index';
import { forkWorker } from '../../src/main/services/worker-process';
import { createRng } from '../../src/worker/engine/rng';
import { tempDir } from '../cli/helpers';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { assemble, fk, writeSqlite } from '../relational/generated-db';
import { querySql } from '../site/helpers';

const storeDir = tempDir('cancel-store');
const dataDir = tempDir('cancel-data');
let services: Services;
const databases: ScratchDatabase[] = [];
const exits = new Map<number | undefined, { code: number | null; signal: string | null }>();

beforeAll(() => {
  services = createServices({
    storeDir,
    queue: null,
    // The real worker process, watched for how it ends.
    spawnWorker: () => {
      const w = forkWorker();
      w.onExit((code, signal) => exits.set(w.pid, { code, signal }));
      return w;
    },
  });
});
afterAll(async () => {
  await services.close();
  for (const db of databases) await db.drop();
  rmSync(storeDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** One table of visits with a dotted name, text keys and quoted commas. */
function visitsCsv(): SourceSpec {
  const file = path.join(dataDir, 'ward.visits.csv');
  const lines = ['visit_id,ward,age,stay_days,note'];
  for (let i = 1; i <= 600; i++) lines.push(`V-${i},${['A.1', 'B', 'C'][i % 3]},${20 + ((i * 7) % 60)},${1 + (i % 9)},"n, ${i % 5}"`);
  writeFileSync(file, lines.join('\n'));
  return { kind: 'files', path: file };
}

/** Patients ("ward.patients", text keys) with 40 to 120 visits each (text keys too). */
function patientsDb(): SourceSpec {
  const rng = createRng(9);
  const patients: Row[] = [];
  const visits: Row[] = [];
  for (let i = 1; i <= 150; i++) {
    const id = `P-${String(i).padStart(4, '0')}`;
    const ward = ['north', 'south.2'][i % 2]!;
    patients.push([id, ward, 20 + rng.int(60)]);
    for (let k = 40 + rng.int(80); k > 0; k--) visits.push([`VS-${visits.length + 1}`, id, ward === 'north' ? 1 + rng.int(4) : 3 + rng.int(9)]);
  }
  const db = assemble(
    [
      {
        name: 'ward.patients',
        cols: [
          ['id', 'string', 'id'],
          ['ward', 'string', 'categorical'],
          ['age', 'integer', 'numerical'],
        ],
        rows: patients,
      },
      {
        name: 'visits',
        cols: [
          ['id', 'string', 'id'],
          ['patient_id', 'string', 'id'],
          ['stay_days', 'integer', 'numerical'],
        ],
        rows: visits,
      },
    ],
    [fk('visits', 'patient_id', 'ward.patients')],
  );
  const file = path.join(dataDir, 'ward.sqlite');
  writeSqlite(db, file);
  return { kind: 'sqlite', path: file };
}

describe.each([
  { name: 'a single table on sampling threads', source: visitsCsv, rows: 50_000_000, cancelAfter: 300_000 },
  { name: 'a relational dataset of large families', source: patientsDb, rows: 1_000_000, cancelAfter: 1 },
])('a cancel during the generation of $name', ({ source, rows, cancelAfter }) => {
  it('ends the execution as canceled by the worker itself, leaving nothing in the destination or the workspace', async () => {
    const spec = source();
    const destination = await createPgDatabase('doppel_cancel_gen');
    databases.push(destination);
    const { metadata } = await services.sources.inspect(spec);
    const config: SynthesisConfig = defaultConfig(metadata, spec, { name: 'cancel while generating' });
    config.settings.epochs = 1;
    config.settings.outputSize = { mode: 'rows', rows };
    config.destination = { kind: 'database', target: destination.spec, tableMode: 'create', batchSize: 10_000, parallel: 1 };
    const synthesis = services.store.syntheses.save({ name: config.name, sourceId: null, config });
    const events: JobEvent[] = [];
    let generated = 0;
    let canceledAt = 0;
    let id = '';
    const unsubscribe = services.jobs.subscribe((e) => {
      if (e.channel !== 'executions.event' || e.executionId !== id) return;
      events.push(e.event);
      if (e.event.type === 'progress' && e.event.step === 'synthesize') generated = e.event.done;
      // Well into the generation.
      if (generated >= cancelAfter && canceledAt === 0) {
        canceledAt = Date.now();
        services.jobs.cancel(id);
      }
    });
    const started = await services.executions.start(synthesis.id);
    id = started.id;
    const done = await services.jobs.wait(id);
    unsubscribe();
    expect(canceledAt).toBeGreaterThan(0);
    expect(done.status).toBe('canceled');
    expect(done.steps.find((s) => s.step === 'train')?.status).toBe('done');
    expect(done.outputPath).toBeNull();
    // The worker sent its own cancel and left by itself: it was not killed when the grace ran out.
    expect(events.filter((e) => e.type === 'error').at(-1)).toMatchObject({ error: { code: 'EXECUTION_CANCELED' } });
    expect(events.filter((e) => e.type === 'log' && /stopped by force/.test(e.message))).toEqual([]);
    await expect.poll(() => exits.size).toBe(databases.length);
    expect([...exits.values()].at(-1)).toEqual({ code: 0, signal: null });
    expect(await querySql(destination, "select table_name from information_schema.tables where table_schema = 'public'")).toEqual([]);
    const files = existsSync(done.workspace) ? readdirSync(done.workspace, { recursive: true }).map(String) : [];
    expect(files.filter((f) => /output|partial|report|export|sqlite/i.test(f))).toEqual([]);
  }, 600_000);
});
