import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { validateConfig, isSameDatabase, lexicalPath, synthesisConfigSchema, type SynthesisConfig } from '../../src/shared';
import { register as registerValidate } from '../../src/main/cli/commands/validate';
import { runCommand } from '../helpers/cli-command';
import { canonicalPath, validationEnv } from '../../src/data/sources/canonical-path';
import { doppel, tempDir } from '../cli/helpers';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';

// The source is never written to: a destination that resolves to it is refused by validation
// (CLI validate, CLI run, the worker) in every table mode, whatever spelling names it.

let dir: string;
let store: string;
let source: string;
let pgDb: ScratchDatabase;

function makeSource(file: string): void {
  const db = new Database(file);
  db.exec('create table person (id integer primary key, age integer, city text)');
  const ins = db.prepare('insert into person values (?, ?, ?)');
  for (let i = 1; i <= 80; i++) ins.run(i, 20 + (i % 50), ['Lyon', 'Oslo', 'Kyiv'][i % 3]);
  db.close();
}

const rowsOf = (file: string): unknown[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('select * from person order by id').all();
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  dir = tempDir('guard');
  store = path.join(dir, 'store');
  source = path.join(dir, 'real.sqlite');
  makeSource(source);
  pgDb = await createPgDatabase('doppel_guard');
});

afterAll(async () => {
  await pgDb?.drop();
});

describe('a destination that is the source', () => {
  it('is the same database under every spelling of its path, host and port', () => {
    symlinkSync(source, path.join(dir, 'link.sqlite'));
    linkSync(source, path.join(dir, 'hard.sqlite'));
    const sq = (p: string) => ({ kind: 'sqlite' as const, path: p });
    for (const p of ['link.sqlite', 'hard.sqlite', './sub/../real.sqlite']) {
      expect(isSameDatabase(sq(source), sq(path.join(dir, p)), canonicalPath), p).toBe(true);
    }
    expect(isSameDatabase(sq(source), sq(path.join(dir, 'other.sqlite')), canonicalPath)).toBe(false);
    expect(lexicalPath('/a/b/../c/./d.sqlite')).toBe('/a/c/d.sqlite');
    const pgSpec = (host: string, port?: number, schema?: string) => ({
      kind: 'postgres' as const,
      host,
      user: '',
      database: 'shop',
      ...(port ? { port } : {}),
      ...(schema ? { schema } : {}),
    });
    expect(isSameDatabase(pgSpec('127.0.0.1'), pgSpec('localhost', 5432))).toBe(true);
    expect(isSameDatabase(pgSpec('127.0.0.1'), pgSpec('localhost', 5433))).toBe(false);
    expect(isSameDatabase(pgSpec('127.0.0.1'), pgSpec('localhost', undefined, 'synthetic'))).toBe(false);
    const my = (host: string, database: string) => ({ kind: 'mysql' as const, host, user: 'root', database });
    expect(isSameDatabase(my('::1', 'Shop'), my('localhost', 'shop'))).toBe(true);
  });

  it('is refused by doppel validate and doppel run in every table mode, and the source keeps its rows', async () => {
    const before = rowsOf(source);
    const cfgFile = path.join(dir, 'config.json');
    const init = await doppel(['init', `sqlite:${source}`, '-o', cfgFile], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8')) as SynthesisConfig;
    for (const tableMode of ['truncate', 'write-into-empty', 'create'] as const) {
      const target = path.relative(process.cwd(), path.join(dir, 'link.sqlite'));
      writeFileSync(cfgFile, JSON.stringify({ ...config, destination: { kind: 'database', target: { kind: 'sqlite', path: target }, tableMode } }));
      const v = await runCommand(registerValidate, ['--store', store, 'validate', cfgFile]);
      expect(v.exitCode).toBe(1);
      expect(v.stdout).toContain('DESTINATION_IS_SOURCE');
      expect(v.stdout).toContain('is the source itself');
      if (tableMode === 'truncate') {
        const r = await doppel(['run', cfgFile, '--allow-truncate', '--json'], { store });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/is the source itself.*\n.*fix: Pick another SQLite file/);
      }
    }
    expect(rowsOf(source)).toEqual(before);
  }, 120_000);

  it('is refused for a PostgreSQL destination naming the source server as localhost', async () => {
    const config = synthesisConfigSchema.parse({
      source: pgDb.spec,
      destination: { kind: 'database', target: { ...pgDb.spec, host: 'localhost' }, tableMode: 'truncate' },
      tables: {},
    });
    const problems = validateConfig(config, { tables: [], relationships: [] }, undefined, validationEnv);
    expect(problems.find((p) => p.code === 'DESTINATION_IS_SOURCE')?.step).toBe('destination');
    const { checkDestination } = await import('../../src/data/destinations/check');
    await expect(
      checkDestination(config.destination as Parameters<typeof checkDestination>[0], { tables: [], relationships: [] }, { source: pgDb.spec }),
    ).rejects.toThrow(/is the source itself/);
  });
});
