import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/data/store/index';
import { SECRET_KEY_FILE } from '../../src/data/store/secret-key';
import type { SecretBox } from '../../src/data/store/types';
import { AppError } from '../../src/shared/errors';
import { storeDirs } from './helpers';

const dirs = storeDirs('store-sources');
afterAll(() => dirs.cleanup());

/** Every byte the store folder holds on disk (sqlite file, WAL, key...). */
function allBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(dir, e.name))),
  );
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('sources', () => {
  it('adds, lists, gets and removes file sources', () => {
    const store = openStore(dirs.make());
    const a = store.sources.add({ spec: { kind: 'files', path: '/data/customers.csv' } });
    const b = store.sources.add({ name: 'Shop', spec: { kind: 'sqlite', path: '/data/shop.sqlite' } });
    expect(a.name).toBe('/data/customers.csv');
    expect(a.hasPassword).toBe(false);
    expect(a.id).toMatch(/^[0-9a-f]{8}$/);
    expect(a.id).not.toBe(b.id);
    expect(Number.isNaN(Date.parse(a.createdAt))).toBe(false);
    expect(store.sources.list().map((s) => s.name)).toEqual(['/data/customers.csv', 'Shop']);
    expect(store.sources.get(b.id).spec).toEqual({ kind: 'sqlite', path: '/data/shop.sqlite' });
    expect(store.sources.password(a.id, a.spec)).toBeUndefined();
    store.sources.remove(a.id);
    expect(store.sources.list().map((s) => s.id)).toEqual([b.id]);
    const missing = caught(() => store.sources.get(a.id));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain(a.id);
    expect(caught(() => store.sources.remove(a.id)).code).toBe('NOT_FOUND');
    store.close();
  });

  it('keeps a database password only encrypted, never in the spec nor in the files', () => {
    const dir = dirs.make();
    const password = 'Tr0ub4dor&3-very-secret';
    const store = openStore(dir);
    const rec = store.sources.add({ spec: { kind: 'postgres', host: '127.0.0.1', user: 'postgres', database: 'test', password } });
    expect(rec.hasPassword).toBe(true);
    expect(rec.spec).not.toHaveProperty('password');
    expect(rec.spec).toMatchObject({ kind: 'postgres', database: 'test', connectionId: rec.id });
    expect(JSON.stringify(store.sources.list())).not.toContain(password);
    expect(store.sources.password(rec.id, rec.spec)).toBe(password);

    const apart = store.sources.add({
      name: 'Sakila',
      spec: { kind: 'mysql', host: '127.0.0.1', user: 'root', database: 'sakila' },
      password: 'another-secret-pw',
    });
    expect(apart.hasPassword).toBe(true);
    expect(store.sources.password(apart.id, apart.spec)).toBe('another-secret-pw');
    expect(apart.spec).toMatchObject({ kind: 'mysql', database: 'sakila', connectionId: apart.id });

    // A file database has no server to send a password to: its spec names no stored connection.
    const file = store.sources.add({ spec: { kind: 'sqlite', path: '/data/shop.v2.sqlite' }, password: 'unused-pw' });
    expect(file.spec).toEqual({ kind: 'sqlite', path: '/data/shop.v2.sqlite' });

    expect(allBytes(dir).includes(password)).toBe(false);
    store.close();
    expect(allBytes(dir).includes(password)).toBe(false);
    expect(allBytes(dir).includes('another-secret-pw')).toBe(false);

    // a new process (reopen) decrypts with the same key file
    const again = openStore(dir);
    expect(again.sources.password(rec.id, rec.spec)).toBe(password);
    again.close();
  });

  it('creates secret.key with mode 0600 once and refuses it when others can read it', () => {
    const dir = dirs.make();
    const store = openStore(dir);
    store.sources.add({ spec: { kind: 'postgres', host: 'db', user: 'u', database: 'd' }, password: 'pw-1' });
    const keyPath = join(dir, SECRET_KEY_FILE);
    const key = readFileSync(keyPath);
    expect(key.length).toBe(32);
    if (process.platform !== 'win32') expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    store.close();

    const reopened = openStore(dir);
    reopened.sources.add({ spec: { kind: 'files', path: '/x.csv' }, password: 'pw-2' });
    expect(readFileSync(keyPath).equals(key)).toBe(true);
    reopened.close();

    if (process.platform === 'win32') return;
    chmodSync(keyPath, 0o644);
    const exposed = openStore(dir);
    const first = exposed.sources.list()[0]!;
    const err = caught(() => exposed.sources.password(first.id, first.spec));
    expect(err.message).toContain('can be read by other users');
    expect(err.fix).toContain('chmod 600');
    exposed.close();
  });

  it('says clearly when a secret cannot be decrypted because the key file changed', () => {
    const dir = dirs.make();
    const store = openStore(dir);
    const rec = store.sources.add({ spec: { kind: 'postgres', host: 'db', user: 'u', database: 'd' }, password: 'pw' });
    store.close();
    const keyPath = join(dir, SECRET_KEY_FILE);
    chmodSync(keyPath, 0o600);
    // another key (the store was copied without its secret.key)
    const other = openStore(dirs.make());
    other.sources.add({ spec: { kind: 'files', path: '/y.csv' }, password: 'z' });
    other.close();
    const otherKey = readFileSync(join(other.dir, SECRET_KEY_FILE));
    writeFileSync(keyPath, otherKey);
    const reopened = openStore(dir);
    const err = caught(() => reopened.sources.password(rec.id, rec.spec));
    expect(err.message).toContain('cannot be decrypted');
    expect(err.message).not.toContain('pw');
    expect(err.fix).toContain('add it again');
    reopened.close();
  });

  it('uses the SecretBox it is given (the Electron safeStorage box) instead of a key file', () => {
    const dir = dirs.make();
    const sealedWith: string[] = [];
    const box: SecretBox = {
      encrypt(plain) {
        sealedWith.push('box');
        return Buffer.from(plain, 'utf8').reverse();
      },
      decrypt(sealed) {
        return Buffer.from(sealed).reverse().toString('utf8');
      },
    };
    const store = openStore(dir, { secretBox: box });
    const rec = store.sources.add({ spec: { kind: 'mysql', host: 'h', user: 'u', database: 'd' }, password: 'boxed-secret' });
    expect(store.sources.password(rec.id, rec.spec)).toBe('boxed-secret');
    expect(sealedWith).toEqual(['box']);
    expect(readdirSync(dir)).not.toContain(SECRET_KEY_FILE);
    store.close();
  });
});

describe('mocking key', () => {
  it('is 32 random bytes in hex, created once, stored encrypted', () => {
    const dir = dirs.make();
    const store = openStore(dir);
    const key = store.mockingKey();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(store.mockingKey()).toBe(key);
    store.close();
    expect(allBytes(dir).includes(key)).toBe(false);
    const again = openStore(dir);
    expect(again.mockingKey()).toBe(key);
    again.close();
    const other = openStore(dirs.make());
    expect(other.mockingKey()).not.toBe(key);
    other.close();
  });
});
