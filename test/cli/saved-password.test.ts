import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { DbSourceSpec, SourceRecord, SynthesisConfig, SynthesisRecord } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { dispatch } from '../../src/main/host/dispatch';
import { register as registerRun } from '../../src/main/cli/commands/run';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { startFakePg, type FakePg } from '../helpers/fake-pg';
import { runCommand } from '../helpers/cli-command';
import { tempDir } from './helpers';

const SECRET = 'Saved-Secret-7f3a';
const dir = tempDir('saved-password');
const storeDir = path.join(dir, 'store');
let services: Services;
let fake: FakePg;
let db: ScratchDatabase;
let saved: SourceRecord;
let config: SynthesisConfig;

type Reply = { ok: boolean; data?: unknown; error?: { code: string; message: string; fix?: string } };
const call = (channel: string, input: unknown): Promise<Reply> => dispatch(services.backend, channel, input) as Promise<Reply>;

/** The saved connection's spec pointed elsewhere, still naming the saved connection. */
function elsewhere(change: Partial<DbSourceSpec>): DbSourceSpec {
  return { ...(saved.spec as DbSourceSpec), port: fake.port, ...change, connectionId: saved.id };
}

function expectRefused(reply: Reply): void {
  expect(reply.ok).toBe(false);
  expect(reply.error!.code).toBe('DB_AUTH_FAILED');
  expect(reply.error!.fix).toContain('Enter the password for this server');
  expect(JSON.stringify(reply)).not.toContain(SECRET);
}

beforeAll(async () => {
  fake = await startFakePg();
  db = await createPgDatabase('doppel_pw');
  const admin = new pg.Client({ ...(db.spec as DbSourceSpec), port: (db.spec as DbSourceSpec).port ?? 5432 });
  await admin.connect();
  await admin.query('CREATE TABLE people (id integer primary key, age integer)');
  await admin.query('INSERT INTO people SELECT g, 20 + g % 50 FROM generate_series(1, 60) g');
  await admin.end();
  services = createServices({ storeDir });
  // The real server trusts local users: the password is accepted and saved with this connection.
  const added = await call('sources.add', { name: 'People', spec: { ...db.spec, password: SECRET } });
  expect(added.ok).toBe(true);
  saved = added.data as SourceRecord;
  config = (await call('syntheses.defaultConfig', { sourceId: saved.id })).data as SynthesisConfig;
}, 60_000);

afterAll(async () => {
  await services?.close();
  await fake?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a saved password goes only to the server it was saved with', () => {
  it('is sent to its own server (the fake server records what a client sends)', async () => {
    const own = services.store.sources.add({
      name: 'Fake',
      spec: { kind: 'postgres', host: '127.0.0.1', port: fake.port, user: 'postgres', database: 'x' },
      password: 'fake-own-pw',
    });
    const reply = await call('sources.test', { spec: own.spec });
    expect(reply.ok).toBe(false);
    expect(reply.error!.code).toBe('DB_AUTH_FAILED');
    expect(fake.passwords).toEqual(['fake-own-pw']);
    services.store.sources.remove(own.id);
    fake.passwords.length = 0;
  });

  it('sources.test with the saved id and another port, host, user, database or kind sends nothing', async () => {
    const before = fake.connections;
    expectRefused(await call('sources.test', { spec: elsewhere({}) }));
    expectRefused(await call('sources.test', { spec: elsewhere({ port: (saved.spec as DbSourceSpec).port, host: 'localhost' }) }));
    expectRefused(await call('sources.test', { spec: elsewhere({ user: 'other' }) }));
    expectRefused(await call('sources.test', { spec: elsewhere({ database: 'postgres' }) }));
    expectRefused(await call('sources.test', { spec: elsewhere({ kind: 'mysql' }) }));
    expect(fake.connections).toBe(before);
    expect(fake.passwords).toEqual([]);
    // A different schema on the same server and database is the same connection.
    const sameAccount = await call('sources.test', { spec: { ...saved.spec, schema: 'public' } });
    expect(sameAccount.ok).toBe(true);
  });

  it('destinations.check and executions.start refuse a destination elsewhere, before any execution exists', async () => {
    const destination = { kind: 'database', target: elsewhere({}) };
    // A failed check is an answer of the call (ok: false inside its data), not a failed call.
    const check = await call('destinations.check', { destination, config });
    expect(check.ok).toBe(true);
    const answer = check.data as { ok: boolean; message: string; code?: string; fix?: string };
    expectRefused({ ok: answer.ok, error: { code: answer.code ?? '', message: answer.message, ...(answer.fix ? { fix: answer.fix } : {}) } });
    const synthesis = (await call('syntheses.save', { name: 'to elsewhere', sourceId: saved.id, config: { ...config, destination } })).data as SynthesisRecord;
    const before = services.store.executions.list().length;
    expectRefused(await call('executions.start', { synthesisId: synthesis.id }));
    expect(services.store.executions.list()).toHaveLength(before);
    expect(fake.passwords).toEqual([]);
  });

  it('the CLI run of a shared config naming the connection with another server fails with the message', async () => {
    const file = path.join(dir, 'shared.json');
    writeFileSync(file, JSON.stringify({ ...config, name: 'shared', destination: { kind: 'database', target: elsewhere({}) } }));
    const r = await runCommand(registerRun, ['--store', storeDir, 'run', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Enter the password for this server');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
    const source = path.join(dir, 'shared-source.json');
    writeFileSync(source, JSON.stringify({ ...config, name: 'shared source', source: elsewhere({}) }));
    const s = await runCommand(registerRun, ['--store', storeDir, 'run', source]);
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toContain('Enter the password for this server');
    expect(fake.passwords).toEqual([]);
  });
});
