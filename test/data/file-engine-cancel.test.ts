import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../../src/data/sources/connector';
import { duckdbCsvEngine } from '../../src/data/sources/formats/csv-duckdb';

/**
 * A cancel during a DuckDB pass over a large file interrupts the running query: the pass stops
 * with EXECUTION_CANCELED after reading a few MiB more of the file, does not fall back to the streamed pass,
 * and leaves no spill folder behind.
 */
let dir: string;
let spill: string;
const savedTmp = process.env['TMPDIR'];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doppel-engine-cancel-'));
  // DuckDB's spill folders are made in the system's temporary folder: this test's own.
  spill = join(dir, 'tmp');
  mkdirSync(spill);
  process.env['TMPDIR'] = spill;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
  await rm(dir, { recursive: true, force: true });
});

const spillFolders = (): string[] => readdirSync(spill).filter((f) => f.startsWith('doppel-duckdb-'));

/** Rows of awkward cells: dotted and quoted texts with delimiters inside. */
function block(from: number, rows: number): string {
  let s = '';
  for (let i = from; i < from + rows; i++) s += `${i},"St. ${['Köln, Süd', 'a.b.c', 'say ""hi""'][i % 3]}",${(i % 97) / 4}\n`;
  return s;
}

describe('canceling a DuckDB pass', () => {
  it.skipIf(process.platform === 'win32')('interrupts the query while the file is still being read', async () => {
    // The file is a pipe this test writes: an uninterrupted pass could only end once every row is written.
    const pipe = join(dir, 'endless.csv');
    execFileSync('mkfifo', [pipe]);
    const engine = duckdbCsvEngine(pipe, { delimiter: ',', quote: '"', encoding: 'UTF-8', header: false }, 3);
    const cancel = new AbortController();
    const onValue = vi.fn();
    let settled = false;
    const pass = engine.valueCounts([1, 2], onValue, cancel.signal).then(
      () => 'completed',
      (e: unknown) => e,
    );
    void pass.finally(() => (settled = true));
    const file = await open(pipe, 'w');
    const fullFile = 256 * 2 ** 20;
    let written = 0;
    let rows = 0;
    try {
      while (!settled && written < fullFile) {
        const text = block(rows, 20_000);
        rows += 20_000;
        await file.write(text);
        written += Buffer.byteLength(text);
        if (!cancel.signal.aborted) cancel.abort();
      }
    } catch (e) {
      // the interrupted pass closed its end of the pipe
      expect((e as NodeJS.ErrnoException).code).toBe('EPIPE');
    } finally {
      await file.close().catch(() => undefined);
    }
    const outcome = await pass;
    expect(outcome).toMatchObject({ code: 'EXECUTION_CANCELED', message: 'Reading endless.csv was canceled.' });
    expect(onValue).not.toHaveBeenCalled();
    // Heard after a read buffer or so, not after DuckDB's default 32 MiB one.
    expect(written).toBeLessThan(12 * 2 ** 20);
    expect(spillFolders()).toEqual([]);
  });

  it('through the file source: a cancel during the statistics or before the sample ends the read, with no streamed pass after it', async () => {
    const path = join(dir, 'people.csv');
    await writeFile(path, `id,home.town,score\n${block(0, 300_000)}`);
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const src = await openSource({ kind: 'files', path });
    try {
      const table = (await src.introspect({ inferKeys: false })).tables[0]!.name;
      const cancel = new AbortController();
      // canceled as soon as DuckDB has started the pass (its spill folder exists)
      const watch = setInterval(() => {
        if (spillFolders().length > 0) cancel.abort();
      }, 1);
      const stats = await src.tableStats(table, { categories: ['home.town'], ranges: ['score'], signal: cancel.signal }).then(
        () => 'completed',
        (e: unknown) => e,
      );
      clearInterval(watch);
      expect(stats).toMatchObject({ code: 'EXECUTION_CANCELED' });
      const sample = await src.sample(table, { rows: 1000, random: true, seed: 4, signal: cancel.signal }).then(
        () => 'completed',
        (e: unknown) => e,
      );
      expect(sample).toMatchObject({ code: 'EXECUTION_CANCELED' });
      expect(warn).not.toHaveBeenCalled();
      expect(spillFolders()).toEqual([]);
      // the same source still reads when not canceled
      expect((await src.tableStats(table, { categories: ['home.town'], ranges: [] })).rows).toBe(300_000);
    } finally {
      warn.mockRestore();
      await src.close();
    }
  });
});
