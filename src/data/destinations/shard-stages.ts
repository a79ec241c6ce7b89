/**
 * Sharded writes into PostgreSQL and MySQL/MariaDB: every generation shard loads its own staging
 * table (`doppel_shard_…`), and one final step makes all of them the output at once.
 *
 * - A shard's staging table is replaced whole: PostgreSQL creates, fills and commits it in one
 *   transaction; MySQL/MariaDB (whose DDL commits by itself) recreates it empty and fills it in one
 *   InnoDB transaction. A worker that dies mid-shard leaves nothing (or an empty table that the
 *   shard's rerun replaces); a shard run twice holds the same rows once (its primary key is kept).
 * - The swap: PostgreSQL does it in one transaction (tables created or emptied, every staging
 *   table copied in shard order, integrity checked, keys added, staging tables dropped).
 *   MySQL/MariaDB creates the missing tables first (empty), then one InnoDB transaction empties and
 *   fills them, parents first, and checks integrity; on failure it rolls back and drops the tables
 *   it created. The output appears whole or not at all.
 */
import { AppError, isAppError } from '../../shared/errors';
import { isTextStorage, relationshipKey, type Relationship, type TableMeta } from '../../shared/metadata';
import type { ChildCountHistogram } from '../../shared/table-stats';
import { childCountSql } from '../sources/child-counts';
import type { RowBatch } from '../../shared/values';
import { checkSession, destinationSpec, type DatabaseDestination, type DestinationPlan } from './check';
import { addKeysSql, checkIntegrity, constraintsOf, createdForeignKeys } from './constraints';
import { createTableSql, parentsFirst, quote } from './dialect';
import { dialectOf, isDbSpec, type LoadOptions } from '../dialects';
import { destinationError, openSession, type Session } from './session';
import { storedPlan } from './stored-plan';

/**
 * A regenerated key column of a staging table moved `by` keys further when it is swapped in (a
 * relational shard numbers its keys from 0; FK columns move with their parent table's keys).
 */
export interface StageKeyShift {
  /** The column, by its name in the synthesis. */
  column: string;
  key: { format: 'integer'; asString: boolean } | { format: 'prefixed'; prefix: string; width: number };
  by: number;
}

/** Staging tables of sharded writes: `doppel_shard_<execution>_<run>_<table>_<shard>`. */
export const SHARD_STAGE_PREFIX = 'doppel_shard_';

/** Why a destination cannot take sharded writes, or null when it can. */
export function shardRefusal(destination: DatabaseDestination): string | null {
  const target = destination.target;
  return isDbSpec(target) && dialectOf(target.kind).staging
    ? null
    : `sharded generation writes PostgreSQL and MySQL/MariaDB destinations only (this one is ${target.kind})`;
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

function canceled(): AppError {
  return new AppError('EXECUTION_CANCELED', 'The execution was canceled; no output was kept.');
}

/** Loads one shard's rows into its staging table, replacing it. Returns the rows written. */
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
  const d = dialectOf(s.dialect);
  let written = 0;
  let began = false;
  try {
    const target = s.qualified(stage);
    const load: LoadOptions = {
      batchSize: 5000,
      signal: opts.signal,
      into: target,
      onRows: (n: number) => {
        written += n;
        opts.onRows?.(n);
      },
    };
    // The primary key is kept, so a shard can never hold a key twice.
    const create = createTableSql(s.dialect, () => target, meta, [], new Set([meta.name]));
    const replace = async (): Promise<void> => {
      await s.query(`DROP TABLE IF EXISTS ${target}`);
      await s.query(create);
    };
    load.localInfile = await d.loadsLocalFiles(s);
    // The table is replaced inside the transaction of its rows where DDL is transactional, else just before it.
    if (!d.transactionalDdl) await replace();
    await s.query(d.beginSql);
    began = true;
    if (d.transactionalDdl) await replace();
    await d.load(s, meta, batches(rows), load);
    if (opts.signal?.aborted) throw canceled();
    await s.query('COMMIT');
    return written;
  } catch (e) {
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    if (isAppError(e)) throw e;
    throw destinationError(e, spec, `write a shard of table "${table}"`, table);
  } finally {
    await s.close();
  }
}

/**
 * Parents per number of children along each link whose two tables have staging tables, counted in
 * the destination (`childCountSql`). A table of several staging tables is counted over all of them
 * (the shards' rows as the swap puts them together; only keys of original data, which no shard
 * moves, are matched across shards). A relational shard holds whole families, so the histograms of
 * links between its tables, counted on its own staging tables, add up to the output's. By
 * `relationshipKey`; `links` limits the links counted.
 */
export async function stageChildCounts(
  destination: DatabaseDestination,
  password: string | undefined,
  plan: DestinationPlan,
  stages: Record<string, string | string[]>,
  links: Relationship[] = plan.relationships,
): Promise<Record<string, ChildCountHistogram>> {
  const staged = (t: string): string[] => [stages[t] ?? []].flat();
  links = links.filter((fk) => staged(fk.parentTable).length && staged(fk.childTable).length);
  if (!links.length) return {};
  const spec = destinationSpec(destination);
  const stored = storedPlan(spec.kind, plan);
  const column = (t: string, c: string): string => quote(spec.kind, stored.names.columns.get(t)?.get(c) ?? c);
  const s = await openSession(spec, password, { create: false });
  const d = dialectOf(s.dialect);
  const out: Record<string, ChildCountHistogram> = {};
  const from = (t: string): string => {
    const all = staged(t).map((x) => s.qualified(x));
    return all.length === 1 ? all[0]! : `(${all.map((x) => `select * from ${x}`).join(' union all ')})`;
  };
  try {
    for (const fk of links) {
      const parent = plan.tables.find((t) => t.name === fk.parentTable);
      const types = fk.parentColumns.map((c) => parent?.columns.find((x) => x.name === c)?.storageType);
      const sql = childCountSql({
        parent: from(fk.parentTable),
        child: from(fk.childTable),
        parentColumns: fk.parentColumns.map((c) => column(fk.parentTable, c)),
        childColumns: fk.childColumns.map((c) => column(fk.childTable, c)),
        bytes: types.map((t) => (isTextStorage(t) && d.textBytes) || null),
      });
      out[relationshipKey(fk)] = (await s.query(sql)).map((r) => [Number(r.n ?? 0), Number(r.parents ?? 0)]);
    }
    return out;
  } catch (e) {
    if (isAppError(e)) throw e;
    throw destinationError(e, spec, 'count the children per parent of a shard', links[0]!.childTable);
  } finally {
    await s.close();
  }
}

/**
 * Makes the shards the output, all at once: each table is created (or emptied, by the table
 * mode), filled from its staging tables in shard order, checked for orphans and given its keys,
 * and the staging tables are dropped. Returns the rows of each table.
 */
export async function swapShardStages(
  destination: DatabaseDestination,
  password: string | undefined,
  plan: DestinationPlan,
  stages: Record<string, string[]>,
  opts: { signal?: AbortSignal; shifts?: Record<string, StageKeyShift[]> } = {},
): Promise<Record<string, number>> {
  const spec = destinationSpec(destination);
  const stored = storedPlan(spec.kind, plan);
  const { relationships } = stored.plan;
  const s = await openSession(spec, password, { create: true });
  const d = dialectOf(s.dialect);
  const mode = constraintsOf(destination);
  const keys = mode !== 'off';
  const created: string[] = [];
  let began = false;
  try {
    const check = await checkSession(s, destination.tableMode, stored.plan);
    const action = new Map(check.tables.map((t) => [t.name, t.action]));
    const ordered = parentsFirst(stored.plan.tables, relationships);
    const planned = new Set(ordered.map((t) => t.name));
    const toCreate = ordered.filter((t) => action.get(t.name) === 'create');
    const truncate = ordered.filter((t) => action.get(t.name) === 'truncate');
    const rows: Record<string, number> = {};
    const createAll = async (inline: boolean): Promise<void> => {
      for (const t of toCreate) {
        await s.query(createTableSql(s.dialect, s.qualified, t, relationships, planned, { foreignKeys: inline, indexes: inline }));
        created.push(t.name);
      }
    };
    // Where DDL commits on its own, the missing tables are created (empty) before the transaction of the rows, with the keys `during-load` asks for.
    if (!d.transactionalDdl) await createAll(mode === 'during-load');
    await s.query(d.beginSql);
    began = true;
    for (const sql of d.emptyTablesSql(truncate.map((t) => s.qualified(t.name)))) await s.query(sql);
    if (d.transactionalDdl) await createAll(false);
    for (const t of ordered) {
      const logical = stored.logical(t.name);
      const cols = t.columns.map((c) => quote(s.dialect, c.name)).join(', ');
      let n = 0;
      for (const stage of stages[logical] ?? []) {
        if (opts.signal?.aborted) throw canceled();
        const [r] = await s.query(`SELECT count(*) AS n FROM ${s.qualified(stage)}`);
        n += Number(r?.n ?? 0);
        const moved = new Map((opts.shifts?.[stage] ?? []).map((k) => [stored.names.columns.get(logical)?.get(k.column) ?? k.column, k]));
        const select = t.columns.map((c) => {
          const k = moved.get(c.name);
          return k && k.by !== 0 ? `${shiftedKeySql(s.dialect, quote(s.dialect, c.name), k)} AS ${quote(s.dialect, c.name)}` : quote(s.dialect, c.name);
        });
        await s.query(`INSERT INTO ${s.qualified(t.name)} (${cols}) SELECT ${select.join(', ')} FROM ${s.qualified(stage)}`);
        if (d.transactionalDdl) await s.query(`DROP TABLE ${s.qualified(stage)}`);
      }
      rows[logical] = n;
    }
    // Every key is checked before anything is kept, whether the database enforces it or not.
    await checkIntegrity(s, relationships, planned, { logical: stored.logical });
    const made = new Set(created);
    const fks = createdForeignKeys(relationships, made, planned);
    const createdTables = ordered.filter((t) => made.has(t.name));
    if (d.transactionalDdl && keys) for (const sql of addKeysSql(s.dialect, s.qualified, createdTables, fks, planned)) await s.query(sql);
    if (opts.signal?.aborted) throw canceled();
    await s.query('COMMIT');
    began = false;
    if (!d.transactionalDdl) {
      if (mode === 'after-load') for (const sql of addKeysSql(s.dialect, s.qualified, createdTables, fks, planned)) await s.query(sql);
      const all = Object.values(stages).flat();
      if (all.length) await s.query(`DROP TABLE IF EXISTS ${all.map((n) => s.qualified(n)).join(', ')}`);
    }
    return rows;
  } catch (e) {
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    if (!d.transactionalDdl) for (const t of [...created].reverse()) await s.query(`DROP TABLE IF EXISTS ${s.qualified(t)}`).catch(() => undefined);
    if (isAppError(e)) throw e;
    throw destinationError(e, spec, 'swap the shards into the destination');
  } finally {
    await s.close();
  }
}

/** A key moved `by` further in SQL, as engine/relational/families.ts `shiftId` moves it (an empty one stays empty). */
function shiftedKeySql(dialect: Session['dialect'], column: string, k: StageKeyShift): string {
  const d = dialectOf(dialect);
  const { integer: int, text } = d.castTypes;
  const by = Math.trunc(k.by);
  let moved: string;
  if (k.key.format === 'integer') moved = k.key.asString ? `CAST(CAST(${column} AS ${int}) + ${by} AS ${text})` : `(${column} + ${by})`;
  else {
    const digits = `CAST(CAST(SUBSTR(${column}, ${k.key.prefix.length + 1}) AS ${int}) + ${by} AS ${text})`;
    const padded = k.key.width > 0 ? `LPAD(${digits}, GREATEST(${k.key.width}, LENGTH(${digits})), '0')` : digits;
    const literal = d.literal(k.key.prefix);
    moved = `CONCAT(${literal}, ${padded})`;
  }
  return `CASE WHEN ${column} IS NULL THEN NULL ELSE ${moved} END`;
}

/** Drops the staging tables whose names start with `prefix` (a canceled, failed or abandoned sharded run). */
export async function dropShardStages(destination: DatabaseDestination, password: string | undefined, prefix: string): Promise<string[]> {
  if (!prefix.startsWith(SHARD_STAGE_PREFIX)) throw new AppError('INTERNAL', `Not a shard staging prefix: ${prefix}.`);
  const spec = destinationSpec(destination);
  const s = await openSession(spec, password, { create: false });
  try {
    const names = (await dialectOf(s.dialect).staging?.tablesStartingWith(s, prefix)) ?? [];
    if (names.length) await s.query(`DROP TABLE IF EXISTS ${names.map((n) => s.qualified(n)).join(', ')}`);
    return names;
  } finally {
    await s.close();
  }
}
