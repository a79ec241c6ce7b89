import { existsSync, rmSync } from 'node:fs';
import { AppError, isAppError } from '../../shared/errors';
import type { RowBatch } from '../../shared/values';
import { checkSession, destinationSpec, mayCreateTables, type DatabaseDestination, type DestinationPlan } from './check';
import type { Relationship, TableMeta } from '../../shared/metadata';
import { checkIntegrity, constraintsOf, createdForeignKeys, foreignKeyIndexesSql, addKeysSql } from './constraints';
import { createTableSql, parentsFirst } from './dialect';
import { dropStaleStages, writeParallel } from './parallel-write';
import { dialectOf, type LoadOptions } from '../dialects';
import { destinationError, openSession } from './session';
import { storedPlan } from './stored-plan';
import { beginPostgres, type PgTransaction } from './streaming-write';

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
  const newFile = spec.kind === 'sqlite' && !existsSync(spec.path) ? spec.path : null;
  const s = await openSession(spec, opts.password, { create: true });
  const created: string[] = [];
  const rows: Record<string, number> = {};
  let total = 0;
  let began = false;
  let current = '';
  let tx: PgTransaction | null = null;
  try {
    const check = await checkSession(s, destination.tableMode, plan);
    const action = new Map(check.tables.map((t) => [t.name, t.action]));
    const ordered = parentsFirst(plan.tables, plan.relationships);
    const toCreate = ordered.filter((t) => action.get(t.name) === 'create');
    const toTruncate = ordered.filter((t) => action.get(t.name) === 'truncate');
    const planned = new Set(plan.tables.map((t) => t.name));
    const localInfile = opts.mysqlMethod !== 'insert' && (await dialectOf(s.dialect).loadsLocalFiles(s));
    const onRows = (table: string, n: number): void => {
      rows[table] = (rows[table] ?? 0) + n;
      total += n;
      opts.onProgress?.({ table: stored.logical(table), tableRows: rows[table] ?? 0, totalRows: total });
    };
    // Staging tables left by a parallel write whose process died are removed by any later write.
    if (s.dialect !== 'sqlite') await dropStaleStages(s).catch(() => undefined);
    const parallel = Math.min(destination.parallel, plan.tables.length);
    if (s.dialect !== 'sqlite' && parallel > 1 && (await mayCreateTables(s))) {
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

    if (s.dialect === 'postgres') {
      // One transaction on this connection, tables parents first (see streaming-write.ts).
      const opened = await beginPostgres(s, destination, plan, action, { signal: opts.signal, onRows, logical: stored.logical }).catch((e: unknown) => {
        current = (e as { doppelTable?: string }).doppelTable ?? '';
        throw e;
      });
      tx = opened;
      for (const t of ordered) {
        rows[t.name] = 0;
        for await (const batch of readTable(t.name)) await opened.append(t.name, batch);
      }
      const made = await opened.finish();
      tx = null;
      return { rows: byLogical(rows), created: made.map(stored.logical) };
    }

    const mode = constraintsOf(destination);
    const fks = (): Relationship[] => createdForeignKeys(plan.relationships, new Set(created), planned);
    const createdTables = (): TableMeta[] => plan.tables.filter((t) => created.includes(t.name));
    const addIndexes = async (): Promise<void> => {
      for (const sql of foreignKeyIndexesSql(s.dialect, s.qualified, createdTables(), fks())) await s.query(sql);
    };
    if (s.dialect === 'mysql') {
      // DDL commits on its own in MySQL: tables are created before the transaction of the rows.
      for (const t of toCreate) {
        current = t.name;
        const inline = mode === 'during-load';
        await s.query(createTableSql('mysql', s.qualified, t, inline ? plan.relationships : [], planned, { indexes: inline, keyedBy: plan.relationships }));
        created.push(t.name);
      }
      await s.query('START TRANSACTION');
      began = true;
      for (const t of [...toTruncate].reverse()) await s.query(`DELETE FROM ${s.qualified(t.name)}`);
    } else {
      await s.query('BEGIN IMMEDIATE');
      began = true;
      // SQLite declares foreign keys only with the table: after the load means checked at commit.
      if (mode === 'after-load') await s.query('PRAGMA defer_foreign_keys = ON');
      for (const t of [...toTruncate].reverse()) await s.query(`DELETE FROM ${s.qualified(t.name)}`);
      for (const t of toCreate) {
        current = t.name;
        await s.query(createTableSql(s.dialect, s.qualified, t, mode !== 'off' ? plan.relationships : [], planned));
        created.push(t.name);
      }
      current = '';
      if (mode === 'during-load') await addIndexes();
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
      await dialectOf(s.dialect).load(s, t, readTable(t.name), load);
    }
    current = '';
    // Every key is checked before anything is kept, whether the database enforces it or not.
    await checkIntegrity(s, plan.relationships, planned, { logical: stored.logical });
    if (mode === 'after-load' && s.dialect !== 'mysql') await addIndexes();
    if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'Writing the destination was canceled; nothing was kept.');
    await s.query('COMMIT');
    began = false;
    // MySQL/MariaDB: keys checked above; a failure here drops the created tables (see below).
    if (mode === 'after-load' && s.dialect === 'mysql')
      for (const sql of addKeysSql(s.dialect, s.qualified, createdTables(), fks(), planned)) await s.query(sql);
    return { rows: byLogical(rows), created: created.map(stored.logical) };
  } catch (e) {
    if (tx) {
      current ||= tx.current;
      await tx.rollback();
    }
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    if (s.dialect === 'mysql') {
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
