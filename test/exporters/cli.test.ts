import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { previewTable } from '../../src/data/destinations/preview';
import { register, runExportCommand } from '../../src/main/cli/commands/export';
import type { Row } from '../../src/shared/values';
import { writeFixture } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'doppel-export-cli-'));
const execDir = join(dir, 'exec-1');
let expected: { customers: Row[]; orders: Row[] };

beforeAll(async () => {
  expected = await writeFixture(join(execDir, 'output.sqlite'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('doppel export', () => {
  it('exports every table of an execution folder as a zip and prints the result', async () => {
    const program = new Command().option('--store <dir>').exitOverride();
    register(program);
    const out = join(dir, 'dl.zip');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'doppel', 'export', execDir, '--format', 'csv', '--out', out]);
      const printed = stdout.mock.calls.map((c) => String(c[0])).join('');
      expect(JSON.parse(printed)).toMatchObject({ path: out, container: 'zip', rows: 210 });
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(Object.keys(unzipSync(readFileSync(out))).sort()).toEqual(['customers.csv', 'orders.csv']);
  });

  it('uses the store locator for ids, exports chosen tables, and names bad input', async () => {
    const locate = (id: string): Promise<string | null> => Promise.resolve(id === 'e1' ? join(execDir, 'output.sqlite') : null);
    const res = await runExportCommand('e1', { format: 'XLSX', out: join(dir, 'c.xlsx'), tables: 'customers' }, locate);
    expect(res.tables).toEqual([{ name: 'customers', rows: 60, file: join(dir, 'c.xlsx') }]);
    await expect(runExportCommand('e2', { format: 'csv', out: join(dir, 'x.csv') }, locate)).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
    await expect(runExportCommand('e1', { format: 'pdf', out: join(dir, 'x.pdf') }, locate)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    await expect(runExportCommand('e1', { format: 'csv', out: join(dir, 'x.csv'), tables: 'orders,nope' }, locate)).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
      message: expect.stringContaining('"nope"'),
    });
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });

  it('previews a synthetic table page by page', async () => {
    const page = await previewTable(join(execDir, 'output.sqlite'), 'orders', 100, 20);
    expect(page.total).toBe(150);
    expect(page.columns).toEqual(['order_id', 'customer_id', 'amount', 'placed_at']);
    expect(page.rows).toEqual(expected.orders.slice(100, 120));
  });
});
