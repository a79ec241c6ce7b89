import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDestination, type DestinationPlan } from '../../src/data/destinations/check';
import { writeDestination } from '../../src/data/destinations/write';
import type { SourceSpec } from '../../src/shared/source';
import { createDatabase, type ScratchDatabase } from '../helpers/db';
import { byTable, data, dest, fixtureFor, plan, readAll, reader, removeTmp, tableNames, tmp, type Kind } from './harness';

afterAll(() => removeTmp());

/** Empty destination tables as a user would have prepared them by hand, per dialect. */
function handMadeTables(kind: Kind, bornType?: string): string {
  const int = 'integer';
  const big = 'bigint';
  const dbl = kind === 'postgres' ? 'double precision' : 'double';
  const ts = kind === 'postgres' ? 'timestamp(3)' : kind === 'mysql' ? 'datetime(3)' : 'datetime';
  const bool = kind === 'mysql' ? 'tinyint(1)' : 'boolean';
  const str = kind === 'mysql' ? 'varchar(100)' : 'text';
  return `CREATE TABLE customers (id ${int} PRIMARY KEY, name ${str}, born ${bornType ?? 'date'}, vip ${bool}, score ${dbl});
    CREATE TABLE orders (order_id ${big} PRIMARY KEY, customer_id ${int} REFERENCES customers (id), amount ${dbl}, placed_at ${ts}, note ${str});`;
}

describe.each(['sqlite', 'postgres', 'mysql'] as const)('%s destination', (kind) => {
  const fx = fixtureFor(kind);
  afterAll(() => fx.cleanup());

  it('create: checks, creates tables with PK and FK, writes parents first, values read back equal', async () => {
    const spec = await fx.spec();
    const check = await checkDestination(dest(spec), plan);
    expect(check.tables).toEqual([
      { name: 'orders', action: 'create' },
      { name: 'customers', action: 'create' },
    ]);
    const progress: string[] = [];
    const res = await writeDestination(dest(spec), plan, reader(byTable), { onProgress: (p) => progress.push(p.table) });
    expect(res.rows).toEqual({ customers: 60, orders: 150 });
    expect(progress[0]).toBe('customers');
    const back = await readAll(spec);
    expect(back.tables.customers).toEqual(data.customers);
    expect(back.tables.orders).toEqual(data.orders);
    expect(back.keys.pk).toEqual({ customers: ['id'], orders: ['order_id'] });
    expect(back.keys.fks).toEqual(['orders(customer_id)->customers(id)']);
  });

  it('refuses a non-empty table (check and write), truncate replaces its rows', async () => {
    const spec = await fx.spec();
    await writeDestination(dest(spec), plan, reader(byTable));
    await expect(checkDestination(dest(spec), plan)).rejects.toMatchObject({
      code: 'DESTINATION_NOT_EMPTY',
      message: expect.stringContaining('"orders", "customers"'),
    });
    await expect(writeDestination(dest(spec, 'write-into-empty'), plan, reader(byTable))).rejects.toMatchObject({ code: 'DESTINATION_NOT_EMPTY' });
    expect((await readAll(spec)).tables.orders).toHaveLength(150);

    const fewer = { customers: data.customers.slice(0, 30), orders: data.orders.filter((r) => r[1] === null || Number(r[1]) <= 30) };
    const check = await checkDestination(dest(spec, 'truncate'), plan);
    expect(check.tables.map((t) => t.action)).toEqual(['truncate', 'truncate']);
    await writeDestination(dest(spec, 'truncate'), plan, reader(fewer));
    const back = await readAll(spec);
    expect(back.tables.customers).toEqual(fewer.customers);
    expect(back.tables.orders).toEqual(fewer.orders);
  });

  it('write-into-empty: fills compatible hand-made tables; lists incompatible columns and missing tables', async () => {
    const spec = await fx.spec();
    await expect(checkDestination(dest(spec, 'write-into-empty'), plan)).rejects.toMatchObject({
      code: 'DESTINATION_INCOMPATIBLE',
      message: expect.stringContaining('table "orders" does not exist'),
    });
    await fx.exec(spec, handMadeTables(kind));
    expect((await checkDestination(dest(spec, 'write-into-empty'), plan)).tables.map((t) => t.action)).toEqual(['write', 'write']);
    await writeDestination(dest(spec, 'write-into-empty'), plan, reader(byTable));
    const back = await readAll(spec);
    expect(back.tables.customers).toEqual(data.customers);
    expect(back.tables.orders).toEqual(data.orders.map((r) => [...r, null]));

    const other = await fx.spec();
    await fx.exec(other, handMadeTables(kind, kind === 'mysql' ? 'int' : 'integer'));
    const err = await checkDestination(dest(other, 'write-into-empty'), plan).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DESTINATION_INCOMPATIBLE' });
    expect((err as Error).message).toMatch(/table "customers": column "born" is int\S* in the destination but date in the synthetic data/i);
  });

  it('rolls back on a constraint violation mid-write: no table created, existing tables stay empty', async () => {
    const spec = await fx.spec();
    const dup = { customers: data.customers, orders: [...data.orders, data.orders[0]!] };
    await expect(writeDestination(dest(spec), plan, reader(dup))).rejects.toMatchObject({
      code: 'DESTINATION_WRITE_FAILED',
      message: expect.stringContaining('orders'),
    });
    if (spec.kind === 'sqlite') expect(existsSync(spec.path)).toBe(false);
    else expect(await tableNames(spec)).toEqual([]);

    await fx.exec(spec, handMadeTables(kind));
    const orphan = { customers: data.customers, orders: [...data.orders.slice(0, 100), [99999, 12345, 1, null]] };
    await expect(writeDestination(dest(spec, 'write-into-empty'), plan, reader(orphan))).rejects.toMatchObject({ code: 'DESTINATION_WRITE_FAILED' });
    const back = await readAll(spec);
    expect(back.tables.customers).toEqual([]);
    expect(back.tables.orders).toEqual([]);
  });

  if (kind === 'mysql') {
    it('the multi-row INSERT path (servers without local_infile) writes the same values and rolls back the same way', async () => {
      const spec = await fx.spec();
      await writeDestination(dest(spec), plan, reader(byTable), { mysqlMethod: 'insert' });
      const back = await readAll(spec);
      expect(back.tables.customers).toEqual(data.customers);
      expect(back.tables.orders).toEqual(data.orders);
      const other = await fx.spec();
      const dup = { customers: data.customers, orders: [...data.orders, data.orders[3]!] };
      await expect(writeDestination(dest(other), plan, reader(dup), { mysqlMethod: 'insert' })).rejects.toMatchObject({ code: 'DESTINATION_WRITE_FAILED' });
      expect(await tableNames(other)).toEqual([]);
    });
  }

  it('a canceled write keeps nothing', async () => {
    const spec = await fx.spec();
    const ac = new AbortController();
    const err = await writeDestination(dest(spec), plan, reader(byTable, 10), { signal: ac.signal, onProgress: (p) => p.totalRows >= 30 && ac.abort() }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'EXECUTION_CANCELED' });
    if (spec.kind === 'sqlite') expect(existsSync(spec.path)).toBe(false);
    else expect(await tableNames(spec)).toEqual([]);
  });

  it('a writer process killed mid-write leaves no half-written table', async () => {
    const spec = await fx.spec();
    const single: DestinationPlan = {
      tables: [
        {
          name: 'events',
          primaryKey: ['id'],
          rowCount: 0,
          columns: [
            { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
            { name: 'label', storageType: 'string', sdtype: 'categorical', nullable: true },
          ],
        },
      ],
      relationships: [],
    };
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'kill-writer.ts'), JSON.stringify(dest(spec)), JSON.stringify(single)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const names = await tableNames(spec);
    // PostgreSQL and SQLite roll the CREATE back too; MariaDB commits a CREATE at once, so it keeps the table, empty.
    if (kind === 'mysql') {
      expect(names).toEqual(['events']);
      expect((await readAll(spec)).tables.events).toEqual([]);
    } else expect(names).toEqual([]);
    if (spec.kind === 'sqlite') expect(existsSync(spec.path)).toBe(true);
  });
});

/** Drops what a test role owns in its scratch database, the database, then the role. */
async function dropPgRoleAndDatabase(role: string, db: ScratchDatabase): Promise<void> {
  const c = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: db.name });
  await c.connect();
  await c.query(`DROP OWNED BY ${role}`);
  await c.end();
  await db.drop();
  const d = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
  await d.connect();
  await d.query(`DROP ROLE IF EXISTS ${role}`);
  await d.end();
}

describe('bad destination input', () => {
  const scratch: ScratchDatabase[] = [];
  const users: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    scratch.push(await createDatabase('postgres'), await createDatabase('mysql'));
  });
  afterAll(async () => {
    for (const u of users) await u().catch(() => undefined);
    for (const d of scratch) await d.drop();
  });

  it('database down, missing database, missing schema', async () => {
    await expect(checkDestination(dest({ kind: 'postgres', host: '127.0.0.1', port: 1, user: 'postgres', database: 'x' }), plan)).rejects.toMatchObject({
      code: 'DB_UNREACHABLE',
    });
    await expect(checkDestination(dest({ kind: 'mysql', host: '127.0.0.1', port: 1, user: 'root', database: 'x' }), plan)).rejects.toMatchObject({
      code: 'DB_UNREACHABLE',
    });
    await expect(checkDestination(dest({ ...scratch[0]!.spec, database: `${scratch[0]!.name}_nope` } as SourceSpec), plan)).rejects.toMatchObject({
      code: 'DB_NOT_FOUND',
    });
    await expect(checkDestination(dest({ ...scratch[0]!.spec, schema: 'nowhere' } as SourceSpec), plan)).rejects.toMatchObject({
      code: 'DB_NOT_FOUND',
      message: expect.stringContaining('Schema "nowhere"'),
    });
    await expect(checkDestination(dest({ ...scratch[1]!.spec, database: `${scratch[1]!.name}_nope` } as SourceSpec), plan)).rejects.toMatchObject({
      code: 'DB_NOT_FOUND',
    });
    await expect(checkDestination(dest({ kind: 'sqlite', path: join(tmp, 'no-such-dir', 'x.sqlite') }), plan)).rejects.toMatchObject({ code: 'DB_NOT_FOUND' });
    // Checking a SQLite destination that does not exist yet does not create the file.
    const fresh = join(tmp, 'not-yet.sqlite');
    expect((await checkDestination(dest({ kind: 'sqlite', path: fresh }), plan)).tables.map((t) => t.action)).toEqual(['create', 'create']);
    expect(existsSync(fresh)).toBe(false);
  });

  it('PostgreSQL user without CREATE on the schema: named in the error, nothing written', async () => {
    const pgDb = scratch[0]!;
    const role = `doppel_lim_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: pgDb.name });
    await admin.connect();
    await admin.query(
      `CREATE ROLE ${role} LOGIN; GRANT CONNECT ON DATABASE "${pgDb.name}" TO ${role}; REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO ${role};`,
    );
    await admin.end();
    users.push(() => dropPgRoleAndDatabase(role, pgDb));
    const spec = { ...pgDb.spec, user: role } as SourceSpec;
    await expect(checkDestination(dest(spec), plan)).rejects.toMatchObject({
      code: 'DB_PERMISSION_DENIED',
      message: expect.stringContaining(`user "${role}" lacks CREATE on schema "public"`),
    });
    await expect(writeDestination(dest(spec), plan, reader(byTable))).rejects.toMatchObject({ code: 'DB_PERMISSION_DENIED' });
    expect(await tableNames(pgDb.spec)).toEqual([]);
  });

  it('MariaDB: an existing table whose engine cannot roll back is refused, named with its engine; an InnoDB one is written', async () => {
    const db = await createDatabase('mysql');
    scratch.push(db);
    const admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: db.name });
    await admin.query('CREATE TABLE `Customers` (id int PRIMARY KEY, name varchar(100), born date, vip tinyint(1), score double) ENGINE=MyISAM');
    await admin.query(
      'CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id int, amount double, placed_at datetime(3), note varchar(100)) ENGINE=InnoDB',
    );
    await admin.end();
    const err = await checkDestination(dest(db.spec, 'write-into-empty'), plan).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DESTINATION_INCOMPATIBLE' });
    expect((err as Error).message).toContain('table "customers" uses the MyISAM engine, which cannot roll back a failed write');
    expect((err as Error).message).not.toContain('table "orders" uses');
  });

  it('MariaDB: wrong password and a user without CREATE', async () => {
    const myDb = scratch[1]!;
    const user = `doppel_lim_${randomBytes(4).toString('hex')}`;
    const admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 's3cret-pw'`);
    await admin.query(`GRANT SELECT ON \`${myDb.name}\`.* TO '${user}'@'%'`);
    await admin.end();
    users.push(async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
      await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await c.end();
    });
    const spec = { ...myDb.spec, user } as SourceSpec;
    const wrong = await checkDestination(dest(spec), plan, { password: 'not-the-password' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'DB_AUTH_FAILED' });
    expect((wrong as Error).message).not.toContain('not-the-password');
    await expect(checkDestination(dest(spec), plan, { password: 's3cret-pw' })).rejects.toMatchObject({
      code: 'DB_PERMISSION_DENIED',
      message: expect.stringContaining(`user "${user}" lacks CREATE on database "${myDb.name}"`),
    });
    await expect(writeDestination(dest(spec), plan, reader(byTable), { password: 's3cret-pw' })).rejects.toMatchObject({ code: 'DB_PERMISSION_DENIED' });
    expect(await tableNames(myDb.spec)).toEqual([]);
  });

  it('a user who may not INSERT into existing tables is named per table; with INSERT (and no CREATE) a parallel write falls back to one connection', async () => {
    const pgDb = await createDatabase('postgres');
    const myDb = await createDatabase('mysql');
    const role = `doppel_ins_${randomBytes(4).toString('hex')}`;
    users.push(async () => {
      await dropPgRoleAndDatabase(role, pgDb);
      const m = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
      await m.query(`DROP USER IF EXISTS '${role}'@'%'`);
      await m.end();
      await myDb.drop();
    });
    const pgFx = fixtureFor('postgres');
    const myFx = fixtureFor('mysql');
    await pgFx.exec(
      pgDb.spec,
      `${handMadeTables('postgres')} CREATE ROLE ${role} LOGIN; GRANT CONNECT ON DATABASE "${pgDb.name}" TO ${role}; REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};`,
    );
    await myFx.exec(
      myDb.spec,
      `${handMadeTables('mysql')} CREATE USER '${role}'@'%' IDENTIFIED BY 'pw-${role}'; GRANT SELECT ON \`${myDb.name}\`.* TO '${role}'@'%';`,
    );
    const pgSpec = { ...pgDb.spec, user: role } as SourceSpec;
    const mySpec = { ...myDb.spec, user: role } as SourceSpec;
    const password = `pw-${role}`;

    await expect(checkDestination(dest(pgSpec, 'write-into-empty'), plan)).rejects.toMatchObject({
      code: 'DB_PERMISSION_DENIED',
      message: expect.stringContaining(`user "${role}" lacks INSERT on table "public"."customers"`),
    });
    await expect(checkDestination(dest(mySpec, 'write-into-empty'), plan, { password })).rejects.toMatchObject({
      code: 'DB_PERMISSION_DENIED',
      message: expect.stringContaining(`user "${role}" lacks INSERT on table "customers"`),
    });
    await expect(writeDestination(dest(mySpec, 'write-into-empty', 4), plan, reader(byTable), { password })).rejects.toMatchObject({
      code: 'DB_PERMISSION_DENIED',
    });

    await pgFx.exec(pgDb.spec, `GRANT INSERT ON ALL TABLES IN SCHEMA public TO ${role};`);
    await myFx.exec(myDb.spec, `GRANT INSERT ON \`${myDb.name}\`.* TO '${role}'@'%';`);
    for (const [spec, admin] of [
      [pgSpec, pgDb.spec],
      [mySpec, myDb.spec],
    ] as const) {
      const res = await writeDestination(dest(spec, 'write-into-empty', 4), plan, reader(byTable), { password });
      expect(res.rows).toEqual({ customers: 60, orders: 150 });
      const back = await readAll(admin);
      expect(back.tables.customers).toEqual(data.customers);
      expect(await tableNames(admin)).toEqual(['customers', 'orders']);
    }
  });
});
