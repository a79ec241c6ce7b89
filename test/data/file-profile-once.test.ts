import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../../src/data/sources/connector';
import { csvTable } from '../../src/data/sources/formats/csv';
import type { FileTable } from '../../src/data/sources/formats/types';
import { fileTableProfile } from '../../src/data/sources/file-profile';

/**
 * A file is profiled (row count, key candidates, types) once per process while it is unchanged:
 * the inspection, the checks before a run and the load's own opening share one pass; a changed
 * file, or another engine, is read again.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doppel-profile-once-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
});

function peopleCsv(rows: number): string {
  const lines = ['person.code,home town,visits'];
  for (let i = 0; i < rows; i++) lines.push(`P-${String(i).padStart(5, '0')},${['Köln', 'São Paulo', '"Graz, AT"'][i % 3]},${i % 7}`);
  return `${lines.join('\n')}\n`;
}

/** A CSV table that counts how often its rows are opened. */
function counted(path: string): { table: FileTable; opens: () => number } {
  const inner = csvTable(path, 'people');
  let opens = 0;
  const table: FileTable = {
    ...inner,
    open: () => {
      opens++;
      return inner.open();
    },
  };
  return { table, opens: () => opens };
}

describe('one profile per unchanged file', () => {
  it('opening the same file again reads it once; a changed file is read again', async () => {
    const path = join(dir, 'people.csv');
    await writeFile(path, peopleCsv(500));
    const { table, opens } = counted(path);
    const first = await fileTableProfile(path, table, 100);
    const again = await fileTableProfile(path, table, 100);
    expect(opens()).toBe(1);
    expect(again).toBe(first);
    expect(first.rowCount).toBe(500);
    expect(first.uniqueColumns).toEqual(['person.code']);

    await appendFile(path, 'P-00001,Köln,3\n');
    const changed = await fileTableProfile(path, table, 100);
    expect(opens()).toBe(2);
    expect(changed.rowCount).toBe(501);
    expect(changed.uniqueColumns).toEqual([]);
  });

  it('two sources opened on a file (an inspection, then the checks of a run) see a rewrite of it', async () => {
    const path = join(dir, 'visits.csv');
    await writeFile(path, peopleCsv(300));
    const read = async (): Promise<{ rows: number; pk: string[]; types: string[] }> => {
      const src = await openSource({ kind: 'files', path });
      try {
        const t = (await src.introspect()).tables[0]!;
        return { rows: await src.countRows(t.name), pk: t.primaryKey, types: t.columns.map((c) => c.storageType) };
      } finally {
        await src.close();
      }
    };
    const before = await read();
    expect(await read()).toEqual(before);
    expect(before).toMatchObject({ rows: 300, types: ['string', 'string', 'integer'] });
    await writeFile(path, peopleCsv(40).replace(/,(\d)\n/g, ',$1.5\n'));
    const after = await read();
    expect(after.rows).toBe(40);
    expect(after.types[2]).toBe('float');
  });

  it('a profile made by one engine is not reused when the other engine is asked for', async () => {
    const path = join(dir, 'engines.csv');
    await writeFile(path, peopleCsv(200));
    const { table, opens } = counted(path);
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
    expect((await fileTableProfile(path, table, 50)).engine?.name).toBe('duckdb');
    process.env['DOPPEL_DUCKDB_MIN_BYTES'] = String(Number.MAX_SAFE_INTEGER);
    expect((await fileTableProfile(path, table, 50)).engine).toBeUndefined();
    expect(opens()).toBe(2);
  });
});
