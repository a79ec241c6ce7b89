/**
 * A cancel while a large output is generated, or while its report is made, stops the worker by
 * itself within the cancel grace: the execution ends as canceled without the worker being killed,
 * and nothing is left in the destination or the workspace. Two generations: a single table drawn
 * on sampling threads and streamed into PostgreSQL, and a relational dataset whose family chunks (a
 * thousand patients with their many visits each) are long stretches of work in the worker's own
 * thread. And a report: a wide table (tens of columns, so thousands of column pairs, privacy
 * distances, utility models and charts) whose report takes far longer than the grace.
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

/**
 * A wide table ("lab.results", dotted) of 44 columns: text categories with dots and commas, heavy
 * tailed numbers, empty cells, a yes/no column and dates.
 */
function wideCsv(): SourceSpec {
  const rng = createRng(21);
  const file = path.join(dataDir, 'lab.results.csv');
  const header: string[] = [];
  for (let c = 0; c < 40; c++) header.push(c % 2 ? `value.${c}` : `kind ${c}`);
  header.push('flag', 'taken_on', 'note', 'result_id');
  const lines = [header.join(',')];
  for (let i = 1; i <= 4000; i++) {
    const base = rng.int(7);
    const cells: string[] = [];
    for (let c = 0; c < 40; c++) {
      if (rng.int(20) === 0) cells.push('');
      else if (c % 2) cells.push((Math.exp(rng.int(1000) / 90) * (1 + base)).toFixed(2));
      else cells.push(`"k.${(base + rng.int(3 + (c % 11))) % (4 + (c % 9))}, ${c}"`);
    }
    cells.push(
      rng.int(3) ? 'yes' : 'no',
      `2024-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`,
      `"r, ${i % 13}"`,
      `R-${i}`,
    );
    lines.push(cells.join(','));
  }
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
  { name: 'the generation of a single table on sampling threads', source: visitsCsv, rows: 50_000_000, step: 'synthesize', cancelAfter: 300_000 },
  { name: 'the generation of a relational dataset of large families', source: patientsDb, rows: 1_000_000, step: 'synthesize', cancelAfter: 1 },
  // Two seconds into a report that takes tens of seconds.
  { name: 'the report of a wide table', source: wideCsv, rows: 40_000, step: 'report', cancelAfter: 2_000 },
] as const)('a cancel during $name', ({ source, rows, step, cancelAfter }) => {
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
      const cancel = (): void => {
        if (canceledAt > 0) return;
        canceledAt = Date.now();
        services.jobs.cancel(id);
      };
      if (e.event.type === 'progress' && e.event.step === 'synthesize') generated = e.event.done;
      // Well into the generation.
      if (step === 'synthesize' && generated >= cancelAfter) cancel();
      // Well into the report.
      if (step === 'report' && e.event.type === 'step' && e.event.step === 'report' && e.event.status === 'started') setTimeout(cancel, cancelAfter);
    });
    const started = await services.executions.start(synthesis.id);
    id = started.id;
    const done = await services.jobs.wait(id);
    unsubscribe();
    expect(canceledAt).toBeGreaterThan(0);
    expect(done.status).toBe('canceled');
    expect(done.steps.find((s) => s.step === 'train')?.status).toBe('done');
    // Stopped in the step it was canceled in.
    expect(done.steps.find((s) => s.step === step)?.status).toBe('canceled');
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
