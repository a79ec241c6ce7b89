import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewTable } from '../../src/data/destinations/preview';
import { openStore } from '../../src/data/store/index';
import type { ProjectStore } from '../../src/data/store/types';
import { writeXlsx } from '../../src/data/exporters/workbook';
import { register } from '../../src/main/cli/commands/export';
import { locateExecutionFile } from '../../src/main/cli/context';
import type { ExecutionRecord } from '../../src/shared/job';
import { runCommand } from '../helpers/cli-command';
import { finishedExecution } from '../helpers/finished-execution';
import { doppel } from '../cli/helpers';
import { customers, fixtureRows } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'doppel-export-safety-'));
const storeDir = join(dir, 'store');
let store: ProjectStore;
let execution: ExecutionRecord;

const exportCli = (args: string[]) =>
  runCommand((p) => register(p, (id, s) => locateExecutionFile(id, s, 'output')), ['--store', storeDir, 'export', execution.id, ...args]);
const leftovers = (folder: string): string[] => readdirSync(folder).filter((f) => f.includes('.partial-'));

beforeAll(async () => {
  store = openStore(storeDir);
  execution = await finishedExecution(store, customers, fixtureRows().customers);
});
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exports never overwrite silently, never write into the store, and report every write error', () => {
  it('leaves an existing file as it was without --force, and replaces it with --force', async () => {
    const out = join(dir, 'customers.csv');
    writeFileSync(out, 'my own work\n');
    const refused = await exportCli(['--format', 'csv', '--out', out]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('already exists');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('my own work\n');
    const forced = await exportCli(['--format', 'csv', '--out', out, '--force']);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('id,name,born,vip,score');
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses, even with --force, to write over the execution’s own output or anywhere inside the project store', async () => {
    const own = execution.outputPath!;
    const before = readFileSync(own);
    for (const out of [own, join(execution.workspace, 'copy.csv'), join(storeDir, 'customers.xlsx')]) {
      const r = await exportCli(['--format', out.endsWith('.xlsx') ? 'xlsx' : 'csv', '--out', out, '--force']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/destroy it|inside the project store/);
    }
    expect(readFileSync(own).equals(before)).toBe(true);
    expect(existsSync(join(execution.workspace, 'copy.csv'))).toBe(false);
    expect(existsSync(join(storeDir, 'customers.xlsx'))).toBe(false);
    // The execution still has its data.
    expect((await previewTable(own, 'customers', 0, 5)).total).toBe(60);
  });

  it('a missing folder fails with a message and a non-zero exit in every format, writing nothing', async () => {
    for (const format of ['xlsx', 'ods', 'csv', 'tsv', 'parquet']) {
      const out = join(dir, 'missing-folder', `x.${format}`);
      const r = await exportCli(['--format', format, '--out', out]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('does not exist');
      expect(r.stderr).toContain('fix:');
    }
    expect(existsSync(join(dir, 'missing-folder'))).toBe(false);
  });

  it('the real CLI exits 1 for an XLSX into a missing folder (it used to exit 0 writing nothing)', async () => {
    const r = await doppel(['export', execution.id, '--format', 'xlsx', '--out', join(dir, 'nowhere', 'x.xlsx')], { store: storeDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not exist');
  }, 60_000);

  it('the XLSX writer throws a write error of its file instead of waiting forever', async () => {
    const rows = async function* () {
      yield { columns: customers.columns.map((c) => c.name), rows: fixtureRows().customers };
    };
    const table = { name: 'customers', columns: customers.columns.map((c) => ({ name: c.name, storageType: c.storageType })), rowCount: 60 };
    await expect(writeXlsx([table], rows, join(dir, 'gone', 'x.xlsx'), () => undefined)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
