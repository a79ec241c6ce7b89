import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableStats } from '../../src/shared/table-stats';

/**
 * On a machine where DuckDB's native module cannot load, a large file is read by the streamed
 * JavaScript pass, with one log line saying so, and the table read is the same (its quantiles
 * included).
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doppel-file-engine-fallback-'));
  process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
});
afterAll(async () => {
  delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
  vi.doUnmock('@duckdb/node-api');
  await rm(dir, { recursive: true, force: true });
});

async function read(path: string): Promise<unknown> {
  const { openSource } = await import('../../src/data/sources/connector');
  const src = await openSource({ kind: 'files', path });
  try {
    const meta = await src.introspect();
    const stats = await src.tableStats('people', { categories: ['city'], ranges: ['age'] });
    const sample = await src.sample('people', { rows: 50, random: true, seed: 3 });
    return { meta, stats, sample };
  } finally {
    await src.close();
  }
}

describe('DuckDB missing', () => {
  it('falls back to the streamed pass with a log line and reads the same table', async () => {
    const path = join(dir, 'people.csv');
    const rows = ['id,city,age'];
    for (let i = 0; i < 400; i++) rows.push(`${i + 1},${i < 200 ? 'Lyon' : i < 320 ? 'Porto' : 'Graz'},${18 + (i % 60)}`);
    await writeFile(path, `${rows.join('\n')}\n`);
    const withDuckdb = (await read(path)) as { stats: TableStats };
    expect(withDuckdb.stats.columns.age!.quantiles).toHaveLength(201);

    vi.resetModules();
    vi.doMock('@duckdb/node-api', () => {
      throw new Error('the native binding for this platform is not installed');
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const without = await read(path);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/^doppel: DuckDB cannot be loaded \(.*\); large files are read by the streamed JavaScript pass\.$/),
    ]);
    warn.mockRestore();
    expect(without).toEqual(withDuckdb);
  });
});
