/**
 * Destinations whose dialect has a bulk write that stays open across batches (PostgreSQL's binary
 * COPY) written in one transaction as the rows come: each table's batches go through it on the
 * connection of the transaction, in any order (a table may come back after another, it gets a new
 * COPY); nothing is visible to anyone else until `finish` checks every key, adds the keys and
 * indexes chosen, and commits. A failure, a cancel or the death of the process rolls everything
 * back (the server drops an open transaction with its connection).
 *
 * An execution opens it before the synthesis (`openDestinationWriter`) so the rows go straight
 * from the generated batches into the destination instead of being read back from the local
 * output; `writeDestination` (write.ts) writes tables it reads through the same steps.
 */
import { AppError, isAppError } from '../../shared/errors';
import type { TableMeta } from '../../shared/metadata';
import { describeSource } from '../../shared/source';
import type { RowBatch } from '../../shared/values';
import { checkSession, destinationSpec, type DatabaseDestination, type DestinationPlan, type TableAction } from './check';
import { addKeysSql, checkIntegrity, constraintsOf, createdForeignKeys } from './constraints';
import { createTableSql } from './dialect';
import { dialectOf, isDbSpec, type CopySink } from '../dialects';
import { dropStaleStages } from './parallel-write';
import { destinationError, openSession, type Session } from './session';
import { storedPlan } from './stored-plan';
import type { WriteOptions, WriteResult } from './write';

/** An open PostgreSQL write transaction on a session (stored table names). */
interface OpenTransaction {
  append(table: string, batch: RowBatch): Promise<void>;
  /** Ends the current COPY, checks every key, adds keys and indexes as chosen, commits; returns the tables created. */
  finish(): Promise<string[]>;
  /** Abandons the current COPY and rolls back. */
  rollback(): Promise<void>;
  /** The table being written (for messages), or ''. */
  readonly current: string;
}

/**
 * Begins the transaction: empties the tables to truncate, creates the missing ones and, with
 * constraints `during-load`, their foreign keys and indexes (parents must then come first).
 */
async function begin(
  s: Session,
  destination: DatabaseDestination,
  plan: DestinationPlan,
  action: Map<string, TableAction>,
  opts: { signal?: AbortSignal; onRows: (table: string, n: number) => void; logical: (table: string) => string },
): Promise<OpenTransaction> {
  const d = dialectOf(s.dialect);
  const openCopy = d.openCopy;
  if (!openCopy) throw new AppError('INTERNAL', `${describeSource(s.spec)} cannot take rows as they come.`);
  const mode = constraintsOf(destination);
  const planned = new Set(plan.tables.map((t) => t.name));
  const byName = new Map(plan.tables.map((t) => [t.name, t]));
  const created: string[] = [];
  // The keys of created tables are added by ALTER TABLE in the transaction: before the rows (`during-load`) or after them.
  const addKeys = async (): Promise<void> => {
    const fks = createdForeignKeys(plan.relationships, new Set(created), planned);
    for (const sql of addKeysSql(
      s.dialect,
      s.qualified,
      plan.tables.filter((t) => created.includes(t.name)),
      fks,
      planned,
    ))
      await s.query(sql);
  };
  let current = '';
  let copy: { table: string; copy: CopySink } | null = null;
  await s.query(d.beginSql);
  try {
    for (const sql of d.emptyTablesSql(plan.tables.filter((t) => action.get(t.name) === 'truncate').map((t) => s.qualified(t.name)))) await s.query(sql);
    for (const t of plan.tables) {
      if (action.get(t.name) !== 'create') continue;
      current = t.name;
      await s.query(createTableSql(s.dialect, s.qualified, t, plan.relationships, planned, { foreignKeys: false }));
      created.push(t.name);
    }
    current = '';
    if (mode === 'during-load') await addKeys();
  } catch (e) {
    await s.query('ROLLBACK').catch(() => undefined);
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { doppelTable: current });
  }
  const endCopy = async (): Promise<void> => {
    if (!copy) return;
    const open = copy;
    copy = null;
    await open.copy.end();
  };
  return {
    get current() {
      return current;
    },
    async append(table, batch) {
      if (!copy || copy.table !== table) {
        await endCopy();
        const t = byName.get(table) as TableMeta | undefined;
        if (!t)
          throw new AppError('TABLE_NOT_FOUND', `Table "${opts.logical(table)}" is not part of this output.`, {
            fix: 'Only tables of the synthesis can be written.',
          });
        current = table;
        copy = { table, copy: await openCopy(s, t, { signal: opts.signal, onRows: (n) => opts.onRows(table, n) }) };
      }
      await copy.copy.write(batch);
    },
    async finish() {
      await endCopy();
      current = '';
      // Every key is checked before anything is kept, whether the database enforces it or not.
      await checkIntegrity(s, plan.relationships, planned, { logical: opts.logical });
      if (mode === 'after-load') await addKeys();
      if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'Writing the destination was canceled; nothing was kept.');
      await s.query('COMMIT');
      return created;
    },
    async rollback() {
      const open = copy;
      copy = null;
      if (open) await open.copy.destroy();
      await s.query('ROLLBACK').catch(() => undefined);
    },
  };
}

/** A destination being written as the synthetic rows are generated; nothing is kept until `finish`. */
export interface DestinationWriter {
  /** Appends rows of a synthetic table (tables in any order, each as often as needed). */
  append(table: string, batch: RowBatch): Promise<void>;
  /** Checks every key, adds the keys and indexes chosen and commits: the output appears whole. */
  finish(): Promise<WriteResult>;
  /** Keeps nothing. */
  abort(): Promise<void>;
  /** Seconds spent writing so far (encoding, sending, waiting for the server, the final checks). */
  readonly seconds: number;
}

/**
 * Why a destination is written from the local output in the Storing step rather than while the
 * rows are generated, or null when it can be written as they come (on one connection: rows
 * generated one batch at a time keep one COPY busy, so `parallel` does not apply).
 */
export function streamingRefusal(destination: DatabaseDestination, plan: DestinationPlan): string | null {
  const target = destination.target;
  if (!isDbSpec(target) || !dialectOf(target.kind).openCopy) return 'only PostgreSQL destinations are written while the rows are generated';
  // A truncate would lock the existing tables against readers for the whole generation.
  if (destination.tableMode === 'truncate') return 'existing tables are emptied only when the output is complete';
  if (constraintsOf(destination) === 'during-load' && plan.relationships.length > 0)
    return 'foreign keys checked during the load need every parent written first';
  return null;
}

/** Opens a PostgreSQL destination for rows as they come (checked again first); see streamingRefusal. */
export async function openDestinationWriter(
  destination: DatabaseDestination,
  logicalPlan: DestinationPlan,
  opts: WriteOptions = {},
): Promise<DestinationWriter> {
  const spec = destinationSpec(destination);
  const refusal = streamingRefusal(destination, logicalPlan);
  if (refusal) throw new AppError('INTERNAL', `This destination cannot be written as the rows come: ${refusal}.`);
  const stored = storedPlan(spec.kind, logicalPlan);
  const storedName = new Map(stored.plan.tables.map((t) => [stored.logical(t.name), t.name]));
  const s = await openSession(spec, opts.password, { create: true });
  const rows: Record<string, number> = {};
  let total = 0;
  let seconds = 0;
  let tx: OpenTransaction;
  const fail = (e: unknown, table = ''): AppError => {
    if (opts.signal?.aborted) return new AppError('EXECUTION_CANCELED', 'Writing the destination was canceled; nothing was kept.');
    if (isAppError(e)) return e;
    const name = table ? stored.logical(table) : '';
    return destinationError(e, spec, name ? `write table "${name}"` : 'write the destination', name || undefined);
  };
  try {
    const check = await checkSession(s, destination.tableMode, stored.plan);
    await dropStaleStages(s).catch(() => undefined);
    for (const t of stored.plan.tables) rows[t.name] = 0;
    tx = await begin(s, destination, stored.plan, new Map(check.tables.map((t) => [t.name, t.action])), {
      signal: opts.signal,
      logical: stored.logical,
      onRows: (table, n) => {
        rows[table] = (rows[table] ?? 0) + n;
        total += n;
        opts.onProgress?.({ table: stored.logical(table), tableRows: rows[table] ?? 0, totalRows: total });
      },
    });
  } catch (e) {
    await s.close();
    throw fail(e, (e as { doppelTable?: string }).doppelTable);
  }
  let closed = false;
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      seconds += (performance.now() - t0) / 1000;
    }
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await s.close();
  };
  return {
    get seconds() {
      return seconds;
    },
    append: (table, batch) =>
      timed(async () => {
        if (closed) throw new AppError('DESTINATION_WRITE_FAILED', 'The destination write is already closed.');
        try {
          await tx.append(storedName.get(table) ?? table, stored.batch(table, batch));
        } catch (e) {
          throw fail(e, tx.current);
        }
      }),
    finish: () =>
      timed(async () => {
        try {
          const created = await tx.finish();
          return { rows: Object.fromEntries(Object.entries(rows).map(([t, n]) => [stored.logical(t), n])), created: created.map(stored.logical) };
        } catch (e) {
          await tx.rollback();
          throw fail(e, tx.current);
        } finally {
          await close();
        }
      }),
    abort: async () => {
      if (closed) return;
      await tx.rollback();
      await close();
    },
  };
}
