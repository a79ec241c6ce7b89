/**
 * One training at a time on this machine, whatever process starts it: while `doppel run` trains,
 * an execution started in the app (the services of another process on the same project store)
 * and a second `doppel run` wait as "queued", then run one after the other.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/main/services/index';
import { defaultConfig, type ExecutionRecord } from '../../src/shared';
import { doppel, tempDir, type CliResult } from './helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = tempDir('run-queue');
const store = path.join(dir, 'store');
let services: Services | null = null;

afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `doppel run` in the background; `started` resolves once it has created its execution. */
function runInBackground(config: string): { started: Promise<void>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main/cli/index.ts'), 'run', config, '--json'], {
    cwd: root,
    env: { ...process.env, DOPPEL_STORE: store },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/^Execution \S+ of /m.test(stderr)) markStarted();
  });
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  void done.then(() => markStarted());
  return { started, done };
}

/** When an execution held the machine: from its first step to its end. */
function span(r: ExecutionRecord): [number, number] {
  return [Date.parse(r.steps.find((s) => s.step === 'load')!.startedAt!), Date.parse(r.finishedAt!)];
}

describe('executions of several processes on one project store', () => {
  it('run one at a time: the app and a second terminal show theirs as queued until the first ends', async () => {
    const csv = path.join(dir, 'visits.csv');
    const lines = ['visit_id,ward,age,stay_days'];
    for (let i = 1; i <= 400; i++) lines.push(`${i},${['A', 'B', 'C'][i % 3]},${20 + ((i * 7) % 60)},${1 + (i % 9)}`);
    writeFileSync(csv, lines.join('\n'));
    const source = { kind: 'files' as const, path: csv };
    services = createServices({ storeDir: store });
    const { metadata } = await services.sources.inspect(source);
    const config = (name: string, epochs: number): string => {
      const c = defaultConfig(metadata, source, { name });
      c.settings.epochs = epochs;
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(c));
      return file;
    };

    // A terminal runs an execution.
    const first = runInBackground(config('first', 20));
    await first.started;

    // The app starts one meanwhile: it waits, shown as queued.
    const c = defaultConfig(metadata, source, { name: 'from the app' });
    c.settings.epochs = 2;
    const synthesis = services.store.syntheses.save({ name: c.name, sourceId: null, config: c });
    const inApp = (await services.executions.start(synthesis.id)).id;
    expect(services.store.executions.get(inApp).status).toBe('queued');
    expect(services.jobs.queuedBehind(inApp)).toBe(1);

    // A second terminal too: it says so before waiting.
    const second = doppel(['run', config('second', 2), '--json'], { store });
    const [a, b, app] = await Promise.all([first.done, second, services.jobs.wait(inApp)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(app.status).toBe('succeeded');
    expect(a.stderr).not.toContain('queued:');
    expect(b.stderr).toMatch(/queued: [12] execution\(s\) ahead; it starts when one ends/);

    // One after the other: no two of them held the machine at the same time.
    const runs = services.store.executions.list();
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const spans = runs.map(span).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  }, 600_000);
});
