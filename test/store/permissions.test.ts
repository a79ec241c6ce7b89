import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { doppel, tempDir } from '../cli/helpers';

const work = tempDir('store-perms');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every folder and file under `dir` with its permission bits (links not followed). */
function modes(dir: string): Array<{ path: string; dir: boolean; mode: number }> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...modes(p));
    else if (e.isFile()) out.push({ path: p, dir: false, mode: statSync(p).mode & 0o777 });
  }
  return out;
}

describe.skipIf(process.platform === 'win32')('the project store is private to the user', () => {
  it('an existing 755 folder given as --store ends up 0700 with every file 0600 after a run', async () => {
    const store = path.join(work, 'shared-folder');
    mkdirSync(path.join(store, 'notes'), { recursive: true });
    writeFileSync(path.join(store, 'notes', 'todo.txt'), 'left by the user\n');
    chmodSync(store, 0o755);
    chmodSync(path.join(store, 'notes'), 0o755);
    chmodSync(path.join(store, 'notes', 'todo.txt'), 0o644);

    const csv = path.join(work, 'people.csv');
    writeFileSync(csv, ['id,age,city', ...Array.from({ length: 60 }, (_, i) => `${i + 1},${20 + (i % 40)},${['Lyon', 'Oslo', 'Pune'][i % 3]}`)].join('\n'));
    const config = path.join(work, 'config.json');
    expect((await doppel(['init', csv, '-o', config], { store })).code).toBe(0);
    const c = JSON.parse(readFileSync(config, 'utf8')) as { settings: Record<string, unknown> };
    c.settings = { ...c.settings, epochs: 2 };
    writeFileSync(config, JSON.stringify(c));
    const run = await doppel(['--store', store, 'run', config, '--json'], { store });
    expect(run.code, run.stderr).toBe(0);

    const all = modes(store);
    expect(all.filter((m) => !m.dir).map((m) => path.basename(m.path))).toEqual(
      expect.arrayContaining(['store.sqlite', 'output.sqlite', 'report.html', 'todo.txt']),
    );
    expect(all.filter((m) => m.dir && m.mode !== 0o700)).toEqual([]);
    expect(all.filter((m) => !m.dir && m.mode !== 0o600)).toEqual([]);
  }, 240_000);
});
