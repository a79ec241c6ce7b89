import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandResult } from '../helpers/cli-command';
import { register } from '../../src/main/cli/commands/audit';
import { openStore, STORE_FILE } from '../../src/data/store/index';
import type { ProjectStore } from '../../src/data/store/types';
import { storeDirs } from './helpers';

const dirs = storeDirs('store-audit');
afterAll(() => dirs.cleanup());

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A store with three audit records over two executions. */
function auditedStore(): ProjectStore {
  const store = openStore(dirs.make());
  store.audit.append({ executionId: 'exec0001', user: 'alice', at: '2026-01-02T03:04:05.000Z', payload: { b: 2, a: 1 } });
  store.audit.append({ executionId: 'exec0002', payload: { source: { rows: { customers: 500 } }, privacy: { epsilon: 4 }, backend: 'wasm' } });
  store.audit.append({ executionId: 'exec0001', payload: ['exported', 'csv'] });
  return store;
}

/** Raw SQL on the store file, as someone tampering with it behind Doppel's back would do. */
function raw(store: ProjectStore, sql: string): void {
  const db = new Database(join(store.dir, STORE_FILE));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('audit trail', () => {
  it('chains records: hash = sha256(prevHash + canonical JSON), starting from 64 zeros', () => {
    const store = auditedStore();
    const [r1, r2, r3] = store.audit.list();
    expect(r1).toMatchObject({ seq: 1, user: 'alice', executionId: 'exec0001', payload: { a: 1, b: 2 } });
    expect(r1?.prevHash).toBe('0'.repeat(64));
    // keys sorted at every level, no whitespace
    const body = '{"at":"2026-01-02T03:04:05.000Z","executionId":"exec0001","payload":{"a":1,"b":2},"seq":1,"user":"alice"}';
    expect(r1?.hash).toBe(sha256('0'.repeat(64) + body));
    expect(r2?.prevHash).toBe(r1?.hash);
    expect(r3?.prevHash).toBe(r2?.hash);
    expect(r2?.user).toBe(userInfo().username);
    expect(Number.isNaN(Date.parse(r2?.at ?? ''))).toBe(false);
    expect(store.audit.list({ executionId: 'exec0001' }).map((r) => r.seq)).toEqual([1, 3]);
    expect(store.audit.verify()).toEqual({ ok: true, records: 3, message: 'Audit chain intact: 3 records' });
    store.close();
  });

  it('is append-only: SQLite refuses UPDATE and DELETE of audit rows', () => {
    const store = auditedStore();
    expect(() => raw(store, "UPDATE audit SET payload = '{}' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => raw(store, 'DELETE FROM audit WHERE seq = 1')).toThrow(/append-only/);
    expect(store.audit.verify().ok).toBe(true);
    store.close();
  });

  it('verify finds an edited record when the triggers were dropped', () => {
    const store = auditedStore();
    raw(store, `DROP TRIGGER audit_no_update; UPDATE audit SET payload = '{"backend":"wasm","privacy":{"epsilon":400}}' WHERE seq = 2`);
    const result = store.audit.verify();
    expect(result.ok).toBe(false);
    expect(result.brokenAt).toBe(2);
    expect(result.message).toContain('Audit chain BROKEN at record #2');
    expect(result.message).toContain('edited');
    store.close();
  });

  it('verify finds a removed record', () => {
    const store = auditedStore();
    raw(store, 'DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2');
    const result = store.audit.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: 2 });
    expect(result.message).toContain('#2');
    store.close();
  });

  it('verify finds the newest records removed (a valid shorter chain) from the head the store recorded', () => {
    const store = auditedStore();
    expect(store.audit.head()).toEqual({ seq: 3, hash: store.audit.list()[2]!.hash });
    raw(store, 'DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3');
    expect(store.audit.verify()).toEqual({
      ok: false,
      records: 2,
      brokenAt: 3,
      message: "Audit chain BROKEN at record #3: the newest record (#3) was removed: the store recorded #3 as the chain's head.",
    });
    raw(store, 'DELETE FROM audit WHERE seq = 2');
    expect(store.audit.verify().message).toBe(
      "Audit chain BROKEN at record #2: the newest records (#2–#3) were removed: the store recorded #3 as the chain's head.",
    );
    store.close();
  });

  it("verify finds the newest records removed with the store's head rewritten, from a head recorded in a report", () => {
    const store = auditedStore();
    const second = store.audit.list()[1]!;
    const anchor = { seq: 2, hash: second.hash, where: 'the report of "Run 3" (exec0003)' };
    expect(store.audit.verify([anchor]).ok).toBe(true);
    raw(
      store,
      `DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= 2; UPDATE store_meta SET value = json_object('seq', 1, 'hash', (SELECT hash FROM audit WHERE seq = 1)) WHERE name = 'audit-head'`,
    );
    expect(store.audit.verify()).toMatchObject({ ok: true, records: 1 });
    expect(store.audit.verify([anchor])).toEqual({
      ok: false,
      records: 1,
      brokenAt: 2,
      message: 'Audit chain BROKEN at record #2: the newest record (#2) was removed: the report of "Run 3" (exec0003) recorded #2 as the chain\'s head.',
    });
    store.close();
  });

  it('verify finds a rewritten chain (valid hashes, other content) from the recorded head, and a head that is gone', () => {
    const store = auditedStore();
    const forged = openStore(dirs.make());
    forged.audit.append({ executionId: 'exec0001', user: 'alice', at: '2026-01-02T03:04:05.000Z', payload: { b: 2, a: 1 } });
    forged.audit.append({ executionId: 'exec0002', payload: { source: { rows: { customers: 5 } } } });
    forged.audit.append({ executionId: 'exec0001', payload: ['exported', 'csv'] });
    const rows = forged.audit.list();
    forged.close();
    const quote = (v: unknown): string => `'${String(v).replace(/'/g, "''")}'`;
    raw(
      store,
      `DROP TRIGGER audit_no_delete; DELETE FROM audit; ${rows.map((r) => `INSERT INTO audit VALUES (${r.seq}, ${quote(r.at)}, ${quote(r.user)}, ${quote(r.executionId)}, ${quote(JSON.stringify(r.payload))}, ${quote(r.prevHash)}, ${quote(r.hash)});`).join(' ')}`,
    );
    expect(store.audit.verify()).toMatchObject({
      ok: false,
      brokenAt: 3,
      message: 'Audit chain BROKEN at record #3: it does not match the chain head the store recorded; the chain was rewritten.',
    });
    raw(store, "DELETE FROM store_meta WHERE name = 'audit-head'");
    expect(store.audit.verify()).toMatchObject({
      ok: false,
      brokenAt: 3,
      message: expect.stringContaining('the chain head the store records with every record is missing'),
    });
    store.close();
  });

  it('an empty store has no head and verifies as intact', () => {
    const empty = openStore(dirs.make());
    expect(empty.audit.head()).toBeNull();
    expect(empty.audit.verify()).toEqual({ ok: true, records: 0, message: 'Audit chain intact: 0 records' });
    empty.close();
  });
});

/** Runs `doppel audit …` through commander, capturing stdout/stderr and the exit code. */
function doppel(store: () => ProjectStore, args: string[]): Promise<CommandResult> {
  return runCommand((program) => register(program, store), args);
}

describe('doppel audit', () => {
  const prepared = auditedStore();
  const dir = prepared.dir;
  prepared.close();
  const open = (): ProjectStore => openStore(dir);

  it('lists one line per record: seq, time, user, execution, short hash', async () => {
    const hashes = (() => {
      const s = open();
      const list = s.audit.list();
      s.close();
      return list.map((r) => r.hash);
    })();
    const { stdout, exitCode } = await doppel(open, ['audit']);
    expect(exitCode).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^#1\s+2026-01-02T03:04:05.000Z\s+alice\s+execution exec0001\s+[0-9a-f]{12}$/);
    expect(lines[0]).toContain(hashes[0]!.slice(0, 12));
    const only = await doppel(open, ['audit', '--execution', 'exec0002']);
    expect(only.stdout.trim().split('\n')).toHaveLength(1);
    expect(only.stdout).toContain('exec0002');
    const none = await doppel(open, ['audit', '--execution', 'zzzz']);
    expect(none.stdout).toContain('No audit records for execution zzzz');
  });

  it('prints JSON with --json', async () => {
    const { stdout } = await doppel(open, ['audit', '--json', '--execution', 'exec0001']);
    const records = JSON.parse(stdout) as { seq: number; payload: unknown }[];
    expect(records.map((r) => r.seq)).toEqual([1, 3]);
    expect(records[1]?.payload).toEqual(['exported', 'csv']);
  });

  it('--verify says intact (exit 0), then BROKEN with the record number (exit 1) after tampering', async () => {
    const intact = await doppel(open, ['audit', '--verify']);
    expect(intact.stdout.trim()).toBe('Audit chain intact: 3 records');
    expect(intact.exitCode).toBe(0);

    const db = new Database(join(dir, STORE_FILE));
    db.exec(`DROP TRIGGER audit_no_update; UPDATE audit SET user = 'mallory' WHERE seq = 3`);
    db.close();
    const broken = await doppel(open, ['audit', '--verify']);
    expect(broken.stdout).toContain('Audit chain BROKEN at record #3');
    expect(broken.exitCode).toBe(1);
    const json = await doppel(open, ['audit', '--verify', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, brokenAt: 3, records: 3 });
    expect(json.exitCode).toBe(1);
  });

  it('reports a store that cannot be opened as a user error with its fix', async () => {
    const newer = dirs.make();
    openStore(newer).close();
    const db = new Database(join(newer, STORE_FILE));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (999, ?)').run(new Date().toISOString());
    db.close();
    const { stderr, exitCode } = await doppel(() => openStore(newer), ['audit']);
    expect(exitCode).toBe(1);
    expect(stderr).toContain('newer Doppel');
    expect(stderr).toContain('fix: ');
  });
});
