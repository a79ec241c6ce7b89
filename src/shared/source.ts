import { z } from 'zod';
import { KIND_FACTS, isFileDbSpec, isServerSpec } from './db-kinds';
import { AppError } from './errors';

/**
 * Where data is read from (a source) or written to (a destination database).
 * Passwords are never part of a saved config: `password` exists only in memory; a saved
 * spec refers to an encrypted stored connection through `connectionId`, or the password comes
 * from the environment (PGPASSWORD / MYSQL_PWD) at run time.
 */
const dbFields = {
  host: z.string().default('127.0.0.1'),
  port: z.number().int().positive().optional(),
  user: z.string().default(''),
  database: z.string().min(1),
  /** PostgreSQL schema (default `public`); ignored by MySQL. */
  schema: z.string().optional(),
  password: z.string().optional(),
  connectionId: z.string().optional(),
};

export const sourceSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('files'), path: z.string().min(1) }),
  z.object({ kind: z.literal('sqlite'), path: z.string().min(1) }),
  z.object({ kind: z.literal('postgres'), ...dbFields }),
  z.object({ kind: z.literal('mysql'), ...dbFields }),
]);
export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type DbSourceSpec = Extract<SourceSpec, { kind: 'postgres' | 'mysql' }>;
export type SourceKind = SourceSpec['kind'];

/**
 * Parses what a user types for a source: a file or folder path, `sqlite:<path>`,
 * `postgres://user:pass@host:port/db?schema=s` or `mysql://user:pass@host:port/db`.
 */
export function parseSourceString(input: string): SourceSpec {
  const s = input.trim();
  if (s.startsWith('sqlite:')) {
    const path = s.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new AppError('BAD_REQUEST', 'The sqlite: source has no file path.', { fix: 'Write it as sqlite:/path/to/file.sqlite' });
    return { kind: 'sqlite', path };
  }
  const m = /^(postgres(?:ql)?|mysql|mariadb):\/\//i.exec(s);
  if (m) {
    let url: URL;
    try {
      url = new URL(s.replace(/^[a-z]+:/i, 'http:'));
    } catch {
      throw new AppError('BAD_REQUEST', `"${redactUrl(s)}" is not a valid database URL.`, {
        fix: 'Write it as postgres://user:password@host:5432/database or mysql://user:password@host:3306/database',
      });
    }
    const kind = m[1]!.toLowerCase().startsWith('postgres') ? 'postgres' : 'mysql';
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!database) {
      throw new AppError('BAD_REQUEST', `The ${kind} URL names no database.`, {
        fix: `Add the database name after the host, e.g. ${kind}://user@127.0.0.1/mydb`,
      });
    }
    const spec: DbSourceSpec = {
      kind,
      host: url.hostname || '127.0.0.1',
      user: decodeURIComponent(url.username),
      database,
    };
    if (url.port) spec.port = Number(url.port);
    if (url.password) spec.password = decodeURIComponent(url.password);
    const schema = url.searchParams.get('schema');
    if (schema) spec.schema = schema;
    return spec;
  }
  return { kind: 'files', path: s };
}

const LOOPBACK = new Set(['', 'localhost', 'localhost.localdomain', '::1', '[::1]', '0.0.0.0', '::']);

/** A host as compared between a source and a destination: every loopback spelling is one host. */
function hostKey(host: string): string {
  const h = host.trim().toLowerCase();
  return LOOPBACK.has(h) || /^127\./.test(h) ? 'loopback' : h;
}

/** Whether a database host is this machine (any loopback spelling). */
export function isLoopbackHost(host: string): boolean {
  return hostKey(host) === 'loopback';
}

/** A path with `.`, `..` and repeated or back slashes resolved lexically (no file system access). */
export function lexicalPath(p: string): string {
  const abs = p.startsWith('/') || /^[a-z]:/i.test(p);
  const out: string[] = [];
  for (const part of p.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !abs) out.push(part);
  }
  return `${abs && !/^[a-z]:/i.test(p) ? '/' : ''}${out.join('/')}`;
}

/**
 * Whether a destination would write into the source itself: the same SQLite file (paths compared
 * through `canonicalPath`, which the main process makes resolve links), or the same server and
 * database (every loopback host is one server; in PostgreSQL the same schema too).
 */
export function isSameDatabase(source: SourceSpec, destination: SourceSpec, canonicalPath: (p: string) => string = lexicalPath): boolean {
  if (source.kind !== destination.kind) return false;
  if (isFileDbSpec(source) && isFileDbSpec(destination)) return canonicalPath(source.path) === canonicalPath(destination.path);
  if (!isServerSpec(source) || !isServerSpec(destination)) return false;
  const facts = KIND_FACTS[source.kind];
  const name = (database: string) => (facts.caseInsensitiveNames ? database.toLowerCase() : database);
  return (
    hostKey(source.host) === hostKey(destination.host) &&
    connectionTarget(source).port === connectionTarget(destination).port &&
    name(source.database) === name(destination.database) &&
    (facts.defaultSchema === null || (source.schema ?? facts.defaultSchema) === (destination.schema ?? facts.defaultSchema))
  );
}

/** A source as text for logs and UI, with any password removed. */
export function describeSource(spec: SourceSpec): string {
  if (isServerSpec(spec)) {
    const port = spec.port ? `:${spec.port}` : '';
    const user = spec.user ? `${spec.user}@` : '';
    const schema = spec.schema ? `?schema=${spec.schema}` : '';
    return `${spec.kind}://${user}${spec.host}${port}/${spec.database}${schema}`;
  }
  return isFileDbSpec(spec) ? `${spec.kind}:${spec.path}` : spec.path;
}

export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
}

/** What a driver connects with: the spec's host, port, user and database with the defaults filled in, and the password if there is one. */
export function connectionTarget(spec: DbSourceSpec, password?: string): ConnectionTarget {
  const d = KIND_FACTS[spec.kind].server;
  return { host: spec.host, port: spec.port ?? d.port, user: spec.user || d.user, database: spec.database, ...(password !== undefined ? { password } : {}) };
}

/** Where a database spec connects, with the drivers' defaults filled in (port, user). */
export function serverOf(spec: DbSourceSpec): { kind: DbSourceSpec['kind']; host: string; port: number; user: string; database: string } {
  const t = connectionTarget(spec);
  return { kind: spec.kind, host: t.host.trim().toLowerCase(), port: t.port, user: t.user, database: t.database };
}

/**
 * Whether two specs reach the same account on the same server: kind, host, port, user and
 * database all equal (the schema may differ). A saved password is only ever sent to this target.
 */
export function sameAccount(a: SourceSpec, b: SourceSpec): boolean {
  if (!isServerSpec(a) || !isServerSpec(b)) return false;
  const x = serverOf(a);
  const y = serverOf(b);
  return x.kind === y.kind && x.host === y.host && x.port === y.port && x.user === y.user && x.database === y.database;
}

/** Removes the password from a database URL. */
export function redactUrl(s: string): string {
  return s.replace(/(\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/** The spec without its in-memory password, safe to save or print. */
export function withoutSecrets<T extends SourceSpec>(spec: T): T {
  if (isServerSpec(spec)) {
    const { password: _password, ...rest } = spec;
    return rest as T;
  }
  return spec;
}
