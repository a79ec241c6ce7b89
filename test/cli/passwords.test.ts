import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { parse } from 'csv-parse/sync';
import type { SynthesisConfig } from '../../src/shared/config';
import type { CellValue } from '../../src/shared/values';
import { datasetPath } from '../helpers/datasets';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { expectSynthetic, generatedColumns } from '../helpers/synthetic-checks';
import { doppel, tempDir, type CliResult } from './helpers';

// A full run from a PostgreSQL role with a password into a MariaDB user with a password (both
// made here, uniquely named, dropped after): the passwords reach the servers and nothing Doppel
// writes (stdout, stderr, the store with its audit trail, the report, the workspace) holds them.

const suffix = randomBytes(4).toString('hex');
const pgRole = `doppel_pw_src_${suffix}`;
const myUser = `doppel_pw_dst_${suffix}`;
const pgPassword = `SrcPw-${randomBytes(12).toString('hex')}`;
const myPassword = `DstPw-${randomBytes(12).toString('hex')}`;
const store = tempDir('passwords-store');
const work = tempDir('passwords-work');
let source: ScratchDatabase;
let destination: ScratchDatabase;
const outputs: CliResult[] = [];

async function pgAdmin(database: string, sql: string, values: unknown[] = []): Promise<void> {
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
  await c.connect();
  try {
    await c.query(sql, values);
  } finally {
    await c.end();
  }
}

async function myAdmin(sql: string): Promise<void> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const penguins = (): { columns: string[]; rows: string[][] } => {
  const [columns, ...rows] = parse(readFileSync(datasetPath('penguins', 'penguins.csv'), 'utf8')) as string[][];
  return { columns: columns!, rows };
};

beforeAll(async () => {
  source = await createPgDatabase('doppel_t_pw');
  destination = await createMysqlDatabase('doppel_t_pw');
  await pgAdmin('postgres', `CREATE ROLE ${pgRole} LOGIN PASSWORD '${pgPassword}'`);
  const data = penguins();
  await pgAdmin(
    source.name,
    `CREATE TABLE penguins (id integer PRIMARY KEY, species text NOT NULL, island text NOT NULL, bill_length_mm double precision, bill_depth_mm double precision,
       flipper_length_mm double precision, body_mass_g double precision, sex text, year integer NOT NULL);
     GRANT SELECT ON penguins TO ${pgRole};`,
  );
  const values = data.rows.map((r, i) => [i + 1, ...r.map((v) => (v === '' || v === 'NA' ? null : v))]);
  await pgAdmin(source.name, `INSERT INTO penguins SELECT * FROM json_populate_recordset(NULL::penguins, $1)`, [
    JSON.stringify(values.map((v) => Object.fromEntries(['id', ...data.columns].map((c, i) => [c, v[i]])))),
  ]);
  await myAdmin(`CREATE USER '${myUser}'@'%' IDENTIFIED BY '${myPassword}'`);
  await myAdmin(`CREATE USER '${myUser}'@'localhost' IDENTIFIED BY '${myPassword}'`);
  await myAdmin(`GRANT ALL PRIVILEGES ON \`${destination.name}\`.* TO '${myUser}'@'%', '${myUser}'@'localhost'`);
}, 60_000);

afterAll(async () => {
  await source?.drop();
  await destination?.drop();
  await pgAdmin('postgres', `DROP ROLE IF EXISTS ${pgRole}`).catch(() => undefined);
  await myAdmin(`DROP USER IF EXISTS '${myUser}'@'%', '${myUser}'@'localhost'`).catch(() => undefined);
  rmSync(store, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Every file under a folder, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...filesUnder(file));
    else out.push({ file, bytes: readFileSync(file) });
  }
  return out;
}

/** Where the passwords occur (as they are, URL-encoded or base64): in the commands' output, or in a file under `dir`. */
function leaks(dir: string): string[] {
  const found: string[] = [];
  const needles = [pgPassword, myPassword].flatMap((p) => [p, encodeURIComponent(p), Buffer.from(p).toString('base64')]);
  outputs.forEach((o, i) => {
    for (const n of needles) {
      if (o.stdout.includes(n)) found.push(`stdout of command ${i + 1}`);
      if (o.stderr.includes(n)) found.push(`stderr of command ${i + 1}`);
    }
  });
  for (const { file, bytes } of filesUnder(dir)) for (const n of needles) if (bytes.includes(Buffer.from(n))) found.push(file);
  return found;
}

describe('a run with passwords on both ends', () => {
  const env = { PGPASSWORD: pgPassword, MYSQL_PWD: myPassword };
  let config: SynthesisConfig;
  const configFile = path.join(work, 'config.json');

  it('init takes the source URL with its password and writes a config without it', async () => {
    const init = await doppel(['init', `postgres://${pgRole}:${pgPassword}@127.0.0.1:5432/${source.name}`, '-o', configFile], { store });
    outputs.push(init);
    expect(init.code).toBe(0);
    config = JSON.parse(readFileSync(configFile, 'utf8')) as SynthesisConfig;
    expect(config.source).toEqual({ kind: 'postgres', host: '127.0.0.1', port: 5432, user: pgRole, database: source.name });
    config.settings.epochs = 20;
    config.destination = {
      kind: 'database',
      target: { kind: 'mysql', host: '127.0.0.1', port: 3306, user: myUser, database: destination.name },
      tableMode: 'create',
      batchSize: 1000,
      parallel: 1,
    };
    writeFileSync(configFile, JSON.stringify(config));
  }, 60_000);

  it('a wrong destination password is refused before training, named as such, and not printed', async () => {
    const wrong = await doppel(['run', configFile, '--json'], { store, env: { PGPASSWORD: pgPassword, MYSQL_PWD: `${myPassword}-wrong` } });
    outputs.push(wrong);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ status: 'failed', error: { code: 'DB_AUTH_FAILED' } });
    expect(wrong.stderr).toMatch(/fix: .*password/i);
    expect(wrong.stderr).not.toContain('Training the model');
  }, 120_000);

  it('runs from PostgreSQL into MariaDB with the passwords from the environment', async () => {
    const run = await doppel(['run', configFile, '--json'], { store, env });
    outputs.push(run);
    expect(run.stderr).toContain('Storing the data');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', rows: { penguins: 344 } });
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: myUser, password: myPassword, database: destination.name });
    try {
      const [rows] = await c.query({ sql: 'SELECT * FROM penguins', rowsAsArray: true });
      const [, fields] = await c.query('SELECT * FROM penguins LIMIT 0');
      const columns = (fields as unknown as { name: string }[]).map((f) => f.name);
      const real = penguins();
      expectSynthetic(
        'penguins in MariaDB',
        { columns: real.columns, rows: real.rows.map((r) => r.map((v) => (v === '' || v === 'NA' ? null : v)) as CellValue[]) },
        { columns, rows: rows as CellValue[][] },
        generatedColumns(config, 'penguins'),
      );
    } finally {
      await c.end();
    }
    const audit = await doppel(['audit', '--json'], { store });
    outputs.push(audit);
    expect(JSON.parse(audit.stdout)).toHaveLength(2);
  }, 300_000);

  it('leaves the passwords nowhere: stdout, stderr, the store, its audit trail, the report and the workspace', () => {
    const files = filesUnder(store).map((f) => path.relative(store, f.file));
    // The search covers what a run writes.
    expect(files).toEqual(
      expect.arrayContaining([
        'store.sqlite',
        expect.stringMatching(/report\.json$/),
        expect.stringMatching(/report\.html$/),
        expect.stringMatching(/output\.sqlite$/),
      ]),
    );
    expect(leaks(store)).toEqual([]);
    expect(leaks(work)).toEqual([]);
  });
});
