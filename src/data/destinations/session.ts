import { AppError } from '../../shared/errors';
import { describeSource } from '../../shared/source';
import { dialectOf, passwordOf, type Connection, type DbKind, type DbSpec, type ExistingColumn } from '../dialects';
import { dbError } from '../dialects/errors';

export type DestinationSpec = DbSpec;

/** One connection to a destination database, with the catalog questions the writer asks. */
export interface Session {
  readonly dialect: DbKind;
  readonly spec: DestinationSpec;
  /** The user as the server knows it, and the schema (PostgreSQL) or database (MySQL) written into. */
  readonly user: string;
  readonly namespace: string;
  qualified(table: string): string;
  /** Runs a statement; rows as objects. */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  existingTables(): Promise<Map<string, ExistingColumn[]>>;
  hasRows(table: string): Promise<boolean>;
  close(): Promise<void>;
  pg?: Connection['pg'];
  mysql?: Connection['mysql'];
  sqlite?: Connection['sqlite'];
}

async function session(spec: DestinationSpec, password: string | undefined, create: boolean): Promise<Session> {
  const d = dialectOf(spec.kind);
  const c = await d.connect(spec, passwordOf(spec, password), { purpose: 'write', create });
  const namespace = d.namespaceOf(spec);
  const user = await d.currentUser(c, spec);
  const s: Session = {
    dialect: spec.kind,
    spec,
    user,
    namespace,
    ...(c.pg ? { pg: c.pg } : {}),
    ...(c.mysql ? { mysql: c.mysql } : {}),
    ...(c.sqlite ? { sqlite: c.sqlite } : {}),
    qualified: (t) => d.qualified(namespace, t),
    query: (sql, params) => c.query(sql, params),
    existingTables: () => d.existingTables(c, namespace),
    hasRows: async (t) => (await c.query(`select 1 from ${d.qualified(namespace, t)} limit 1`)).length > 0,
    close: () => c.close(),
  };
  return s;
}

/** Connects to a destination; connection problems become DB_* AppErrors naming the destination. */
export async function openSession(spec: DestinationSpec, password?: string, opts: { create?: boolean } = {}): Promise<Session> {
  try {
    return await session(spec, password, opts.create ?? false);
  } catch (e) {
    throw destinationError(e, spec, 'connect');
  }
}

/** A driver error as an AppError about the destination (never echoing the password). */
export function destinationError(e: unknown, spec: DestinationSpec, what: string, table?: string): AppError {
  if (e instanceof AppError) return e;
  const err = dbError(e, spec, what, table);
  if (err.code === 'DB_ERROR' || err.code === 'SOURCE_NOT_FOUND' || err.code === 'SOURCE_MALFORMED') {
    return new AppError(err.code === 'DB_ERROR' ? 'DESTINATION_WRITE_FAILED' : 'DB_ERROR', err.message, {
      fix:
        err.code === 'DB_ERROR'
          ? 'Nothing was written (the write was rolled back). Check the data and the destination tables.'
          : 'Pick a SQLite database file for the destination.',
      cause: e,
    });
  }
  if (err.code === 'DB_PERMISSION_DENIED') {
    return new AppError('DB_PERMISSION_DENIED', `The user of ${describeSource(spec)} may not ${what}.`, {
      fix: 'Grant the user the rights to create and write the destination tables, or use another user.',
      cause: e,
    });
  }
  return err;
}
