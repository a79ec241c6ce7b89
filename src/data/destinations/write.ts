import { existsSync, rmSync } from 'node:fs';
import { AppError, isAppError } from '../../shared/errors';
import type { RowBatch } from '../../shared/values';
import { checkSession, destinationSpec, mayCreateTables, type DatabaseDestination, type DestinationPlan } from './check';
import type { Relationship, TableMeta } from '../../shared/metadata';
import { addKeysSql, checkIntegrity, constraintsOf, createdForeignKeys } from './constraints';
import { createTableSql, parentsFirst } from './dialect';
import { dropStaleStages, writeParallel } from './parallel-write';
import { dialectOf, type LoadOptions } from '../dialects';
import { destinationError, openSession } from './session';
import { storedPlan } from './stored-plan';

export interface WriteOptions {
  password?: string;
  signal?: AbortSignal;
  /** MySQL/MariaDB load method; `auto` uses LOAD DATA LOCAL INFILE when the server allows it. */
  mysqlMethod?: 'auto' | 'insert';
  /** Rows written so far into `table`, and over all tables. */
  onProgress?: (p: { table: string; tableRows: number; totalRows: number }) => void;
}

export interface WriteResult {
  rows: Record<string, number>;
  created: string[];
}

/**
 * Writes the synthetic tables into a destination database, parents before children, all or
 * nothing. With one connection (`parallel` 1, a single table, SQLite, or a user who may not create
 * tables): PostgreSQL and SQLite in one transaction (DDL included); MySQL/MariaDB creates the
 * missing tables first, writes every row in one InnoDB transaction, and on failure rolls it back
 * and drops the tables it created. With `parallel` > 1 on PostgreSQL/MySQL, up to that many
 * connections load staging tables that one final atomic step swaps in (see parallel-write.ts).
 * Foreign keys and their indexes on created tables come as the destination's `constraints` says
 * (before the load, after it, or not at all); in every case no child row without its parent is
 * kept (see constraints.ts). The destination is checked again first.
 */
export async function writeDestination(
  destination: DatabaseDestination,
  logicalPlan: DestinationPlan,
  readLogical: (table: string) => AsyncIterable<RowBatch>,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  const spec = destinationSpec(destination);
  // Tables and columns go under the names the destination can hold (renames are listed by the check).
  const stored = storedPlan(spec.kind, logicalPlan);
  const plan = stored.plan;
  const byLogical = (r: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(r).map(([t, n]) => [stored.logical(t), n]));
  const readTable = (table: string): AsyncIterable<RowBatch> => stored.batches(stored.logical(table), readLogical(stored.logical(table)));
  const file = dialectOf(spec.kind).fileOf(spec);
  const newFile = file !== null && !existsSync(file) ? file : null;
  const s = await openSession(spec, opts.password, { create: true });
  const d = dialectOf(s.dialect);
  const created: string[] = [];
  const rows: Record<string, number> = {};
  let total = 0;
  let began = false;
  let current = '';
  try {
    const check = await checkSession(s, destination.tableMode, plan);
    const action = new Map(check.tables.map((t) => [t.name, t.action]));
    const ordered = parentsFirst(plan.tables, plan.relationships);
    const toCreate = ordered.filter((t) => action.get(t.name) === 'create');
    const toTruncate = ordered.filter((t) => action.get(t.name) === 'truncate');
    const planned = new Set(plan.tables.map((t) => t.name));
    const localInfile = opts.mysqlMethod !== 'insert' && (await d.loadsLocalFiles(s));
    const onRows = (table: string, n: number): void => {
      rows[table] = (rows[table] ?? 0) + n;
      total += n;
      opts.onProgress?.({ table: stored.logical(table), tableRows: rows[table] ?? 0, totalRows: total });
    };
    // Staging tables left by a parallel write whose process died are removed by any later write.
    await dropStaleStages(s).catch(() => undefined);
    const parallel = Math.min(destination.parallel, plan.tables.length);
    if (d.staging && parallel > 1 && (await mayCreateTables(s))) {
      for (const t of ordered) rows[t.name] = 0;
      const made = await writeParallel({
        s,
        password: opts.password,
        plan,
        actions: action,
        readTable,
        logical: stored.logical,
        constraints: constraintsOf(destination),
        parallel,
        batchSize: destination.batchSize,
        localInfile,
        signal: opts.signal,
        onRows,
      });
      return { rows: byLogical(rows), created: made.map(stored.logical) };
    }

    // One transaction on this connection, tables parents first. Foreign keys go into `CREATE TABLE` where
    // ALTER TABLE cannot add them (SQLite, checked at the commit when after the load), or with their
    // indexes when checked during the load where `CREATE TABLE` holds indexes (MySQL/MariaDB);
    // elsewhere they are added during the load right after the tables, or after the load.
    const mode = constraintsOf(destination);
    const keysInCreate = mode !== 'off' && (!d.alterAddsForeignKeys || (mode === 'during-load' && d.inlineIndexes));
    const fks = (): Relationship[] => createdForeignKeys(plan.relationships, new Set(created), planned);
    const createdTables = (): TableMeta[] => plan.tables.filter((t) => created.includes(t.name));
    const addKeys = async (): Promise<void> => {
      for (const sql of addKeysSql(s.dialect, s.qualified, createdTables(), fks(), planned)) await s.query(sql);
    };
    const createAll = async (): Promise<void> => {
      for (const t of toCreate) {
        current = t.name;
        await s.query(
          createTableSql(s.dialect, s.qualified, t, plan.relationships, planned, { foreignKeys: keysInCreate, indexes: keysInCreate && d.inlineIndexes }),
        );
        created.push(t.name);
      }
      current = '';
    };
    // Where DDL commits on its own, tables are created before the transaction of the rows.
    if (!d.transactionalDdl) await createAll();
    await s.query(d.beginSql);
    began = true;
    if (mode === 'after-load' && keysInCreate && d.deferForeignKeysSql) await s.query(d.deferForeignKeysSql);
    for (const sql of d.emptyTablesSql(toTruncate.map((t) => s.qualified(t.name)))) await s.query(sql);
    if (d.transactionalDdl) {
      await createAll();
      if (mode === 'during-load') await addKeys();
    }

    for (const t of ordered) {
      current = t.name;
      const load: LoadOptions = {
        batchSize: destination.batchSize,
        signal: opts.signal,
        localInfile,
        onRows: (n) => onRows(t.name, n),
      };
      rows[t.name] = 0;
      await d.load(s, t, readTable(t.name), load);
    }
    current = '';
    // Every key is checked before anything is kept, whether the database enforces it or not.
    await checkIntegrity(s, plan.relationships, planned, { logical: stored.logical });
    if (mode === 'after-load' && d.transactionalDdl) await addKeys();
    if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'Writing the destination was canceled; nothing was kept.');
    await s.query('COMMIT');
    began = false;
    // Where DDL commits on its own: keys checked above; a failure here drops the created tables (see below).
    if (mode === 'after-load' && !d.transactionalDdl) await addKeys();
    return { rows: byLogical(rows), created: created.map(stored.logical) };
  } catch (e) {
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    if (!d.transactionalDdl) {
      for (const t of [...created].reverse()) await s.query(`DROP TABLE IF EXISTS ${s.qualified(t)}`).catch(() => undefined);
    }
    if (newFile) {
      await s.close();
      rmSync(newFile, { force: true });
    }
    if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'Writing the destination was canceled; nothing was kept.');
    if (isAppError(e)) throw e;
    throw destinationError(e, spec, current ? `write table "${current}"` : 'write the destination', current || undefined);
  } finally {
    await s.close();
  }
}

export type { DestinationPlan };
