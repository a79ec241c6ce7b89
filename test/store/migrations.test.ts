import { statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStoreDir, openStore, STORE_FILE } from '../../src/data/store/index';
import { migrate, migrations } from '../../src/data/store/migrations';
import { AppError } from '../../src/shared/errors';
import { sampleConfig, storeDirs } from './helpers';

const dirs = storeDirs('store-migrations');
afterAll(() => dirs.cleanup());

function versions(dir: string): number[] {
  const db = new Database(join(dir, STORE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe('store migrations', () => {
  it('creates the schema once; opening again applies nothing and keeps the data', () => {
    const dir = dirs.make();
    const first = openStore(dir);
    const syn = first.syntheses.save({ name: 'Kept', sourceId: null, config: sampleConfig() });
    first.close();
    expect(versions(dir)).toEqual(migrations.map((_, i) => i + 1));

    const second = openStore(dir);
    expect(second.syntheses.get(syn.id).name).toBe('Kept');
    second.close();
    expect(versions(dir)).toEqual(migrations.map((_, i) => i + 1));

    const db = new Database(join(dir, STORE_FILE));
    expect(migrate(db, 'x')).toBe(0);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('applies a later migration in order, each with its version row', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 'mem', ['CREATE TABLE a (x INTEGER)'])).toBe(1);
    expect(migrate(db, 'mem', ['CREATE TABLE a (x INTEGER)', 'ALTER TABLE a ADD COLUMN y TEXT'])).toBe(1);
    db.prepare('INSERT INTO a (x, y) VALUES (1, ?)').run('ok');
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual([1, 2]);
    // a failing migration leaves no version row and no half-applied change
    expect(() =>
      migrate(db, 'mem', ['CREATE TABLE a (x INTEGER)', 'ALTER TABLE a ADD COLUMN y TEXT', 'CREATE TABLE b (z INTEGER); CREATE TABLE b (z INTEGER)']),
    ).toThrow();
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT MAX(version) FROM schema_version').pluck().get()).toBe(2);
    db.close();
  });

  it('enforces foreign keys (an execution needs its synthesis)', () => {
    const store = openStore(dirs.make());
    const db = new Database(join(store.dir, STORE_FILE));
    db.pragma('foreign_keys = ON');
    expect(() =>
      db
        .prepare(
          "INSERT INTO executions (id, synthesis_id, name, status, created_at, steps, workspace, config) VALUES ('e', 'missing', 'n', 'queued', 'now', '[]', '/w', '{}')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
    store.close();
  });

  it('refuses a store written by a newer Doppel', () => {
    const dir = dirs.make();
    openStore(dir).close();
    const db = new Database(join(dir, STORE_FILE));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(migrations.length + 5, new Date().toISOString());
    db.close();
    let err: unknown;
    try {
      openStore(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain('newer Doppel');
    expect((err as AppError).fix).toContain('Update Doppel');
  });
});

describe('opening a store', () => {
  it('defaults to DOPPEL_STORE, else ~/.doppel', () => {
    const saved = process.env.DOPPEL_STORE;
    try {
      process.env.DOPPEL_STORE = 'some/relative/store';
      expect(defaultStoreDir()).toBe(resolve('some/relative/store'));
      delete process.env.DOPPEL_STORE;
      expect(defaultStoreDir()).toBe(join(homedir(), '.doppel'));
    } finally {
      if (saved === undefined) delete process.env.DOPPEL_STORE;
      else process.env.DOPPEL_STORE = saved;
    }
  });

  it('creates a missing folder (private to the user) and says clearly when store.sqlite is not a store', () => {
    const parent = dirs.make();
    const dir = join(parent, 'nested', 'store');
    const store = openStore(dir);
    expect(store.dir).toBe(dir);
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
    store.close();

    const broken = dirs.make();
    writeFileSync(join(broken, STORE_FILE), 'this is not sqlite at all, just some text that is long enough '.repeat(20));
    let err: unknown;
    try {
      openStore(broken);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain(join(broken, STORE_FILE));
    expect((err as AppError).fix).toContain('--store');
  });
});
