import { execFileSync, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { SourceSpec } from '../../src/shared/source';
import { datasetPath } from './datasets';

/** Local test servers (trust auth / empty root password); env overrides for other machines. */
const PG_HOST = process.env.DOPPEL_PG_HOST ?? '127.0.0.1';
const PG_PORT = Number(process.env.DOPPEL_PG_PORT ?? 5432);
const PG_USER = process.env.DOPPEL_PG_USER ?? 'postgres';
const MY_HOST = process.env.DOPPEL_MYSQL_HOST ?? '127.0.0.1';
const MY_PORT = Number(process.env.DOPPEL_MYSQL_PORT ?? 3306);
const MY_USER = process.env.DOPPEL_MYSQL_USER ?? 'root';

export type DbKind = 'postgres' | 'mysql';

export interface ScratchDatabase {
  name: string;
  url: string;
  spec: SourceSpec;
  drop(): Promise<void>;
}

function scratchName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: 'postgres', connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function myAdmin<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ host: MY_HOST, port: MY_PORT, user: MY_USER, connectTimeout: 5000 });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** A fresh, uniquely named PostgreSQL database; fails (does not skip) if the server is down. */
export async function createPgDatabase(prefix = 'doppel_t'): Promise<ScratchDatabase> {
  const name = scratchName(prefix);
  await pgAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`,
    spec: { kind: 'postgres', host: PG_HOST, port: PG_PORT, user: PG_USER, database: name },
    drop: () => pgAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

/** Runs `sql` (one statement or several) on a PostgreSQL database; returns the rows of its last statement. */
export async function pgRows<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const result = (await c.query<T>(sql)) as pg.QueryResult<T> | pg.QueryResult<T>[];
    return (Array.isArray(result) ? result.at(-1)! : result).rows;
  } finally {
    await c.end();
  }
}

/** Runs one psql statement (meta-commands such as `\\copy` too) on a database of the test server; returns its unaligned output. */
export function psql(database: string, statement: string): string {
  return execFileSync('psql', ['-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER, '-d', database, '-qAtc', statement], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
}

/** A scratch PostgreSQL database whose tables `sql` makes (dropped again when that fails). */
export async function createPgScratch(prefix: string, sql: string): Promise<ScratchDatabase> {
  const db = await createPgDatabase(prefix);
  try {
    await pgRows(db.url, sql);
  } catch (e) {
    await db.drop();
    throw e;
  }
  return db;
}

/** A fresh, uniquely named MariaDB/MySQL database; fails (does not skip) if the server is down. */
export async function createMysqlDatabase(prefix = 'doppel_t'): Promise<ScratchDatabase> {
  const name = scratchName(prefix);
  await myAdmin((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`));
  return {
    name,
    url: `mysql://${MY_USER}@${MY_HOST}:${MY_PORT}/${name}`,
    spec: { kind: 'mysql', host: MY_HOST, port: MY_PORT, user: MY_USER, database: name },
    drop: () => myAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS \`${name}\``))),
  };
}

export function createDatabase(kind: DbKind, prefix?: string): Promise<ScratchDatabase> {
  return kind === 'postgres' ? createPgDatabase(prefix) : createMysqlDatabase(prefix);
}

/** Line filter that drops/renames the scripts' own database statements so they load into the scratch DB. */
function scriptFilter(kind: DbKind): Transform {
  let rest = '';
  const fix = (line: string): string => {
    if (kind === 'postgres') {
      if (/^\s*(DROP|CREATE) DATABASE\b/i.test(line) || /^\s*\\c(onnect)?\s/i.test(line)) return '';
      return line;
    }
    if (/^\s*(DROP|CREATE) (DATABASE|SCHEMA)\b/i.test(line) || /^\s*USE\s/i.test(line)) return '';
    return line.replace(/\bsakila\./g, '');
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      cb(null, lines.map(fix).join('\n') + '\n');
    },
    flush(cb: TransformCallback) {
      cb(null, fix(rest));
    },
  });
}

function runScripts(kind: DbKind, db: string, files: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const [cmd, args] =
      kind === 'postgres'
        ? ['psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', '-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER, '-d', db]]
        : ['mariadb', [`-h${MY_HOST}`, `-P${MY_PORT}`, `-u${MY_USER}`, db]];
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // the exit code and stderr report the failure
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} exited ${code}: ${stderr.slice(0, 2000)}`))));
    const pump = async (): Promise<void> => {
      for (const file of files) {
        const filter = scriptFilter(kind);
        createReadStream(file).pipe(filter);
        for await (const piece of filter) {
          if (!child.stdin.write(piece)) await new Promise((r) => child.stdin.once('drain', r));
        }
        child.stdin.write('\n');
      }
      child.stdin.end();
    };
    pump().catch(reject);
  });
}

async function loadInto(kind: DbKind, prefix: string, files: string[]): Promise<ScratchDatabase> {
  const db = await createDatabase(kind, prefix);
  try {
    await runScripts(kind, db.name, files);
  } catch (e) {
    await db.drop();
    throw e;
  }
  return db;
}

/** Chinook loaded into a new scratch database (tables keep the script's names: PascalCase in MySQL, lower snake in PostgreSQL). */
export function loadChinook(kind: DbKind): Promise<ScratchDatabase> {
  const file = kind === 'postgres' ? datasetPath('chinook', 'Chinook_PostgreSql.sql') : datasetPath('chinook', 'Chinook_MySql.sql');
  return loadInto(kind, 'doppel_t_chinook', [file]);
}

/** Sakila loaded into a new scratch database. */
export function loadSakila(kind: DbKind): Promise<ScratchDatabase> {
  const files =
    kind === 'postgres'
      ? [datasetPath('sakila', 'postgres', 'postgres-sakila-schema.sql'), datasetPath('sakila', 'postgres', 'postgres-sakila-insert-data-using-copy.sql')]
      : [datasetPath('sakila', 'mysql', 'sakila-schema.sql'), datasetPath('sakila', 'mysql', 'sakila-data.sql')];
  return loadInto(kind, 'doppel_t_sakila', files);
}
