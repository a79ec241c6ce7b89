/**
 * Sharded writes into PostgreSQL: every generation shard loads its own staging table in one
 * transaction of its own (the table is created, filled and committed together, so a shard whose
 * worker dies leaves nothing, and a shard run twice replaces its table with the same rows); one
 * final transaction then creates or empties the real tables, copies every staging table into its
 * table, adds the foreign keys and drops the staging tables: the output appears whole or not at all.
 */
import { AppError, isAppError } from '../../shared/errors';
import type { TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import { checkSession, destinationSpec, type DatabaseDestination, type DestinationPlan } from './check';
import { addForeignKeysSql, createTableSql, parentsFirst, quote } from './dialect';
import { loadPostgres } from './loaders';
import { destinationError, openSession, type Session } from './session';
import { storedPlan } from './stored-plan';

/** Staging tables of sharded writes: `doppel_shard_<run>_<table>_<shard>`. */
export const SHARD_STAGE_PREFIX = 'doppel_shard_';

/** Why a destination cannot take sharded writes, or null when it can. */
export function shardRefusal(destination: DatabaseDestination): string | null {
  return destination.target.kind === 'postgres' ? null : `sharded generation writes PostgreSQL destinations only (this one is ${destination.target.kind})`;
}

function stageName(s: Session, stage: string): string {
  return `${quote('postgres', s.namespace)}.${quote('postgres', stage)}`;
}

function storedTable(
  destination: DatabaseDestination,
  plan: DestinationPlan,
  table: string,
): { meta: TableMeta; batches: (b: AsyncIterable<RowBatch>) => AsyncIterable<RowBatch> } {
  const stored = storedPlan(destinationSpec(destination).kind, plan);
  const meta = stored.plan.tables.find((t) => stored.logical(t.name) === table);
  if (!meta) throw new AppError('TABLE_NOT_FOUND', `Table "${table}" is not part of this output.`, { fix: 'Only tables of the synthesis can be written.' });
  return { meta, batches: (b) => stored.batches(table, b) };
}

/** Loads one shard's rows into its staging table, replacing it, in one transaction. Returns the rows written. */
export async function writeShardStage(
  destination: DatabaseDestination,
  password: string | undefined,
  plan: DestinationPlan,
  table: string,
  stage: string,
  rows: AsyncIterable<RowBatch>,
  opts: { signal?: AbortSignal; onRows?: (n: number) => void } = {},
): Promise<number> {
  const { meta, batches } = storedTable(destination, plan, table);
  const spec = destinationSpec(destination);
  const s = await openSession(spec, password, { create: false });
  let written = 0;
  try {
    await s.query('BEGIN');
    await s.query(`DROP TABLE IF EXISTS ${stageName(s, stage)}`);
    // The primary key is kept, so a shard can never hold a key twice.
    await s.query(createTableSql('postgres', () => stageName(s, stage), meta, [], new Set([meta.name])));
    await loadPostgres(s, meta, batches(rows), {
      batchSize: 5000,
      signal: opts.signal,
      into: stageName(s, stage),
      onRows: (n) => {
        written += n;
        opts.onRows?.(n);
      },
    });
    if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.');
    await s.query('COMMIT');
    return written;
  } catch (e) {
    await s.query('ROLLBACK').catch(() => undefined);
    if (isAppError(e)) throw e;
    throw destinationError(e, spec, `write a shard of table "${table}"`, table);
  } finally {
    await s.close();
  }
}

/**
 * Makes the shards the output: in one transaction, each table is created (or emptied, by the
 * table mode), filled from its staging tables in shard order, given its foreign keys, and the
 * staging tables are dropped. Returns the rows of each table.
 */
export async function swapShardStages(
  destination: DatabaseDestination,
  password: string | undefined,
  plan: DestinationPlan,
  stages: Record<string, string[]>,
  opts: { signal?: AbortSignal } = {},
): Promise<Record<string, number>> {
  const spec = destinationSpec(destination);
  const stored = storedPlan(spec.kind, plan);
  const s = await openSession(spec, password, { create: true });
  let began = false;
  try {
    const check = await checkSession(s, destination.tableMode, stored.plan);
    const action = new Map(check.tables.map((t) => [t.name, t.action]));
    const ordered = parentsFirst(stored.plan.tables, stored.plan.relationships);
    const planned = new Set(ordered.map((t) => t.name));
    const created = new Set<string>();
    const rows: Record<string, number> = {};
    await s.query('BEGIN');
    began = true;
    const truncate = ordered.filter((t) => action.get(t.name) === 'truncate');
    if (truncate.length) await s.query(`TRUNCATE ${truncate.map((t) => s.qualified(t.name)).join(', ')}`);
    for (const t of ordered) {
      const logical = stored.logical(t.name);
      if (action.get(t.name) === 'create') {
        await s.query(createTableSql('postgres', s.qualified, t, [], planned));
        created.add(t.name);
      }
      const cols = t.columns.map((c) => quote('postgres', c.name)).join(', ');
      let n = 0;
      for (const stage of stages[logical] ?? []) {
        if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.');
        await s.query(`INSERT INTO ${s.qualified(t.name)} (${cols}) SELECT ${cols} FROM ${stageName(s, stage)}`);
        const [r] = await s.query(`SELECT count(*)::bigint AS n FROM ${stageName(s, stage)}`);
        n += Number(r?.n ?? 0);
        await s.query(`DROP TABLE ${stageName(s, stage)}`);
      }
      rows[logical] = n;
    }
    for (const sql of addForeignKeysSql('postgres', s.qualified, stored.plan.relationships, created, planned)) await s.query(sql);
    await s.query('COMMIT');
    began = false;
    return rows;
  } catch (e) {
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    if (isAppError(e)) throw e;
    throw destinationError(e, spec, 'swap the shards into the destination');
  } finally {
    await s.close();
  }
}

/** Drops the staging tables whose names start with `prefix` (a canceled or failed sharded run). */
export async function dropShardStages(destination: DatabaseDestination, password: string | undefined, prefix: string): Promise<string[]> {
  const spec = destinationSpec(destination);
  const s = await openSession(spec, password, { create: false });
  try {
    const found = await s.query('select table_name as n from information_schema.tables where table_schema = $1 and starts_with(table_name, $2)', [
      s.namespace,
      prefix,
    ]);
    const names = found.map((r) => String(r.n));
    if (names.length) await s.query(`DROP TABLE IF EXISTS ${names.map((n) => stageName(s, n)).join(', ')}`);
    return names;
  } finally {
    await s.close();
  }
}
