import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openSource } from '../../src/data/sources/connector';
import { AppError } from '../../src/shared/errors';
import type { SourceSpec } from '../../src/shared/source';
import { createMysqlDatabase, createPgDatabase } from '../helpers/db';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doppel-bad-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens and introspects a source, returning the AppError it fails with. */
async function failure(spec: SourceSpec, password?: string): Promise<AppError> {
  try {
    const src = await openSource(spec, password === undefined ? {} : { password });
    try {
      await src.introspect();
    } finally {
      await src.close();
    }
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a failure');
}

async function fileFailure(name: string, content: string | Buffer): Promise<AppError> {
  const path = join(dir, name);
  await writeFile(path, content);
  return failure({ kind: 'files', path });
}

describe('malformed files give a specific error naming the file and a fix', () => {
  it('ragged CSV rows', async () => {
    const e = await fileFailure('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    expect(e.code).toBe('SOURCE_MALFORMED');
    expect(e.message).toContain('ragged.csv');
    expect(e.message).toContain('line 3');
    expect(e.fix).toBeTruthy();
  });

  it('bad quotes', async () => {
    const e1 = await fileFailure('unclosed.csv', 'a,b\n1,"never closed\n2,3\n');
    expect(e1.code).toBe('SOURCE_MALFORMED');
    expect(e1.message).toContain('unclosed.csv');
    const e2 = await fileFailure('stray.csv', 'a,b\n"x"y,1\n');
    expect(e2.code).toBe('SOURCE_MALFORMED');
    expect(e2.fix).toMatch(/quote/i);
  });

  it('a file mixing UTF-8 and Latin-1', async () => {
    const e = await fileFailure('mixed.csv', Buffer.concat([Buffer.from('name,city\nAndré,Zürich\n', 'utf8'), Buffer.from('Béa,Genève\n', 'latin1')]));
    expect(e.code).toBe('SOURCE_MALFORMED');
    expect(e.message).toContain('mixed.csv');
    expect(e.fix).toMatch(/UTF-8/);
  });

  it('an empty file, and a header-only file reads as a table with 0 rows', async () => {
    const e = await fileFailure('empty.csv', '');
    expect(e.code).toBe('SOURCE_EMPTY');
    expect(e.message).toContain('empty.csv');
    const path = join(dir, 'header-only.csv');
    await writeFile(path, 'id,name\n');
    const src = await openSource({ kind: 'files', path });
    const md = await src.introspect();
    expect(md.tables[0]?.rowCount).toBe(0);
    expect(md.tables[0]?.columns.map((c) => c.name)).toEqual(['id', 'name']);
    expect(md.tables[0]?.name).toBe('header_only');
    expect((await src.preview('header_only', 0, 10)).rows).toEqual([]);
    await src.close();
  });

  it('corrupt parquet and xlsx', async () => {
    const junk = randomBytes(4096);
    const p = await fileFailure('broken.parquet', junk);
    expect(p.code).toBe('SOURCE_MALFORMED');
    expect(p.message).toContain('broken.parquet');
    const x = await fileFailure('broken.xlsx', junk);
    expect(x.code).toBe('SOURCE_MALFORMED');
    expect(x.message).toContain('broken.xlsx');
    const truncated = await fileFailure('short.parquet', Buffer.from('PAR1'));
    expect(truncated.code).toBe('SOURCE_MALFORMED');
  });

  it('a missing path, an unsupported file and an unknown table', async () => {
    expect((await failure({ kind: 'files', path: join(dir, 'nope.csv') })).code).toBe('SOURCE_NOT_FOUND');
    expect((await fileFailure('notes.docx', 'hello')).code).toBe('UNSUPPORTED_FORMAT');
    const path = join(dir, 'ok.csv');
    await writeFile(path, 'a\n1\n');
    const src = await openSource({ kind: 'files', path });
    await expect(src.preview('other', 0, 1)).rejects.toMatchObject({ code: 'TABLE_NOT_FOUND', fix: expect.stringContaining('ok') });
    await src.close();
  });
});

describe('database problems give a specific error without the password', () => {
  it('wrong password (MariaDB)', async () => {
    const db = await createMysqlDatabase();
    try {
      const secret = 'S3cret-not-shown';
      const e = await failure({ ...db.spec, password: secret } as SourceSpec);
      expect(e.code).toBe('DB_AUTH_FAILED');
      expect(e.message).not.toContain(secret);
      expect(e.fix).toBeTruthy();
      const e2 = await failure(db.spec, secret);
      expect(e2.code).toBe('DB_AUTH_FAILED');
    } finally {
      await db.drop();
    }
  });

  it('server down (closed port) fails fast with DB_UNREACHABLE', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    for (const kind of ['postgres', 'mysql'] as const) {
      const e = await failure({ kind, host: '127.0.0.1', port, user: 'u', database: 'd', password: 'pw-hidden' });
      expect(e.code).toBe('DB_UNREACHABLE');
      expect(e.message).toContain(`127.0.0.1:${port}`);
      expect(e.message).not.toContain('pw-hidden');
    }
  });

  it('unknown database and unknown table', async () => {
    for (const kind of ['postgres', 'mysql'] as const) {
      const db = kind === 'postgres' ? await createPgDatabase() : await createMysqlDatabase();
      try {
        const missing = await failure({ ...db.spec, database: `${db.name}_missing` } as SourceSpec);
        expect(missing.code).toBe('DB_NOT_FOUND');
        expect(missing.message).toContain(`${db.name}_missing`);
        const src = await openSource(db.spec);
        await expect(src.countRows('ghost')).rejects.toMatchObject({ code: 'TABLE_NOT_FOUND', message: expect.stringContaining('ghost') });
        await src.close();
      } finally {
        await db.drop();
      }
    }
    const noFile = await failure({ kind: 'sqlite', path: join(dir, 'none.sqlite') });
    expect(noFile.code).toBe('SOURCE_NOT_FOUND');
    expect(noFile.message).toBe(`The SQLite file ${join(dir, 'none.sqlite')} does not exist.`);
    expect(noFile.fix).toBe('Check the path of the SQLite file.');
    const notDb = join(dir, 'text.sqlite');
    await writeFile(notDb, 'this is not a database file at all, just some text to be long enough');
    expect((await failure({ kind: 'sqlite', path: notDb })).code).toBe('SOURCE_MALFORMED');
  });
});
