import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { register as registerInit } from '../../src/main/cli/commands/init';
import { register as registerValidate } from '../../src/main/cli/commands/validate';
import type { Problem } from '../../src/shared';
import { runCommand } from '../helpers/cli-command';
import { datasetsDir } from '../helpers/datasets';
import { loadChinook, loadSakila, type ScratchDatabase } from '../helpers/db';

// `doppel init` on every database and folder of the shared datasets writes a configuration that
// `doppel validate` accepts with no error: keys typed and synthesized whatever their values look
// like, nothing left for the user to fix before a first run. Init and validate only, no training.

const dir = mkdtempSync(path.join(tmpdir(), 'doppel-init-datasets-'));
const store = path.join(dir, 'store');
const scratch: ScratchDatabase[] = [];
afterAll(async () => {
  for (const s of scratch) await s.drop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const DATA_FILE = /\.(csv|csv\.gz|tsv|xlsx|ods|parquet)$/i;
const datasets = readdirSync(datasetsDir)
  .filter((d) => statSync(path.join(datasetsDir, d)).isDirectory())
  .sort();

/** Every folder holding data files (a dataset's own folder or its `csv` export). */
const folders = datasets.flatMap((d) =>
  [path.join(datasetsDir, d), path.join(datasetsDir, d, 'csv')].filter((f) => existsSync(f) && readdirSync(f).some((n) => DATA_FILE.test(n))),
);
/** Every SQLite file. */
const sqliteFiles = datasets.flatMap((d) =>
  readdirSync(path.join(datasetsDir, d))
    .filter((n) => /\.(sqlite|db)$/i.test(n))
    .map((n) => path.join(datasetsDir, d, n)),
);
/** Datasets shipped as SQL scripts, loaded into PostgreSQL and MariaDB by the test helpers. */
const loaders: Record<string, typeof loadChinook> = { chinook: loadChinook, sakila: loadSakila };
const withScripts = datasets.filter((d) => {
  const files = (p: string): string[] =>
    existsSync(p) ? readdirSync(p).flatMap((n) => (statSync(path.join(p, n)).isDirectory() ? files(path.join(p, n)) : [n])) : [];
  return files(path.join(datasetsDir, d)).some((n) => n.endsWith('.sql'));
});

let n = 0;
async function initThenValidate(source: string): Promise<Problem[]> {
  const file = path.join(dir, `config-${++n}.json`);
  const init = await runCommand(registerInit, ['--store', store, 'init', source, '-o', file]);
  expect(init.exitCode, init.stderr).toBe(0);
  const v = await runCommand(registerValidate, ['--store', store, 'validate', file, '--json']);
  const problems = JSON.parse(v.stdout) as Problem[];
  return problems.filter((p) => p.severity === 'error');
}

describe('doppel init → doppel validate on every shared dataset', () => {
  it('finds the folders, files and scripts it is meant to cover', () => {
    expect(folders.length).toBeGreaterThanOrEqual(11);
    expect(sqliteFiles.map((f) => path.basename(f))).toContain('Chinook_Sqlite.sqlite');
    // A new dataset with SQL scripts needs a loader here.
    expect(withScripts).toEqual(Object.keys(loaders).sort());
  });

  it.each(folders.map((f) => [path.relative(datasetsDir, f), f]))(
    'folder %s',
    async (_name, folder) => {
      expect(await initThenValidate(folder)).toEqual([]);
    },
    180_000,
  );

  it.each(sqliteFiles.map((f) => [path.relative(datasetsDir, f), f]))(
    'SQLite %s',
    async (_name, file) => {
      expect(await initThenValidate(`sqlite:${file}`)).toEqual([]);
    },
    180_000,
  );

  it.each(Object.keys(loaders).flatMap((d) => (['postgres', 'mysql'] as const).map((k) => [d, k] as const)))(
    '%s on %s',
    async (dataset, kind) => {
      const db = await loaders[dataset]!(kind);
      scratch.push(db);
      expect(await initThenValidate(db.url)).toEqual([]);
    },
    300_000,
  );
});
