import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import type { DestinationPlan, TableAction } from './check';
import type { ConstraintMode } from '../../shared/config';
import { checkIntegrity, createdForeignKeys, foreignKeyIndexesSql, mysqlAddKeysSql } from './constraints';
import { addForeignKeysSql, createTableSql, parentsFirst, quote } from './dialect';
import { dialectOf, type LoadOptions } from '../dialects';
import { runScheduled } from './schedule';
import { destinationError, openSession, type Session } from './session';

/**
 * Parallel writes into PostgreSQL and MySQL/MariaDB, all or nothing, through staging tables.
 *
 * Every table is first loaded into its own staging table (`doppel_stage_<run>_<n>`) by one of up
 * to `parallel` connections, each load committed on its own; a table starts only when its parents
 * are loaded. Nothing is visible under the real table names until one final step on the main
 * connection, which either succeeds for every table or for none:
 * - PostgreSQL (DDL is transactional): one transaction truncates the tables to truncate, renames
 *   the staging tables of created tables to their names, copies the rows of the others
 *   (`INSERT ... SELECT`), adds the foreign keys (checked there) and drops the staging tables.
 * - MySQL/MariaDB, every table created: the staging tables are created with their primary keys
 *   and, with constraints `during-load`, their foreign keys (pointing at the parents' staging
 *   tables, which is why parents load first), or get the foreign keys after the load; they are
 *   renamed together by one atomic `RENAME TABLE` (InnoDB keeps the foreign keys pointing at the
 *   renamed parents).
 * - MySQL/MariaDB otherwise: missing tables are created first (empty); one InnoDB transaction then
 *   truncates and copies every staging table into its table, parents first, so the foreign keys
 *   are checked; on failure it rolls back and drops the tables it created.
 * Foreign keys and indexes of created tables are left off when the destination's constraints are
 * `off`; either way no child row without its parent is kept (checked before the final step).
 * A failure anywhere drops every staging table. If the process dies, only staging tables can be
 * left behind (never a half-written real table): each run holds a session lock named after its
 * staging tables, and the next write to that schema/database drops staging tables whose lock
 * nobody holds (writeDestination calls dropStaleStages first).
 */

const STAGE_PREFIX = 'doppel_stage_';
const STAGE_NAME = /^doppel_stage_([0-9a-f]{8})_\d+$/;
/** PostgreSQL advisory-lock class for staging runs (any constant; "Dop"). */
const PG_LOCK_CLASS = 0x446f70;

export interface ParallelWrite {
  /** The main connection: stages are created and swapped through it; it holds the run lock. */
  s: Session;
  password?: string;
  plan: DestinationPlan;
  actions: Map<string, TableAction>;
  readTable: (table: string) => AsyncIterable<RowBatch>;
  /** The user's name of a stored table (for messages). */
  logical?: (table: string) => string;
  /** `off`: no foreign keys or indexes on created tables; otherwise they are there before the tables appear. */
  constraints?: ConstraintMode;
  parallel: number;
  batchSize: number;
  localInfile: boolean;
  signal?: AbortSignal;
  onRows: (table: string, n: number) => void;
}

async function tryLock(s: Session, token: string): Promise<boolean> {
  if (s.dialect === 'postgres') {
    const [r] = await s.query("select pg_try_advisory_lock($1::int, ('x' || $2)::bit(32)::int) as ok", [PG_LOCK_CLASS, token]);
    return r?.ok === true;
  }
  const [r] = await s.query('select get_lock(?, 0) as ok', [`${STAGE_PREFIX}${token}`]);
  return Number(r?.ok) === 1;
}

async function unlock(s: Session, token: string): Promise<void> {
  if (s.dialect === 'postgres') await s.query("select pg_advisory_unlock($1::int, ('x' || $2)::bit(32)::int)", [PG_LOCK_CLASS, token]);
  else await s.query('select release_lock(?)', [`${STAGE_PREFIX}${token}`]);
}

async function dropTables(s: Session, names: string[]): Promise<void> {
  if (!names.length) return;
  const q = (n: string): string => (s.dialect === 'postgres' ? `${quote('postgres', s.namespace)}.${quote('postgres', n)}` : quote('mysql', n));
  if (s.dialect === 'mysql') await s.query('SET foreign_key_checks = 0');
  try {
    await s.query(`DROP TABLE IF EXISTS ${names.map(q).join(', ')}`);
  } finally {
    if (s.dialect === 'mysql') await s.query('SET foreign_key_checks = 1');
  }
}

/** Drops staging tables left by writes whose process died (their run lock is free). */
export async function dropStaleStages(s: Session): Promise<string[]> {
  const rows =
    s.dialect === 'postgres'
      ? await s.query("select table_name as n from information_schema.tables where table_schema = $1 and table_name like 'doppel\\_stage\\_%'", [s.namespace])
      : await s.query("select table_name as n from information_schema.tables where table_schema = database() and table_name like 'doppel\\_stage\\_%'");
  const byRun = new Map<string, string[]>();
  for (const r of rows) {
    const name = String(r.n);
    const token = STAGE_NAME.exec(name)?.[1];
    if (token) byRun.set(token, [...(byRun.get(token) ?? []), name]);
  }
  const dropped: string[] = [];
  for (const [token, names] of byRun) {
    if (!(await tryLock(s, token))) continue;
    try {
      await dropTables(s, names);
      dropped.push(...names);
    } finally {
      await unlock(s, token);
    }
  }
  return dropped;
}

/** A driver error whose text names staging tables, with the real table names instead. */
function unstaged(e: unknown, stages: Map<string, string>): unknown {
  if (!(e instanceof Error)) return e;
  let message = e.message;
  for (const [table, stage] of stages) message = message.split(stage).join(table);
  if (message === e.message) return e;
  const fields = e as Error & { code?: unknown; errno?: unknown };
  return Object.assign(new Error(message), { code: fields.code, errno: fields.errno });
}

/** Writes every table through staging tables with up to `parallel` connections; returns the tables created. */
export async function writeParallel(w: ParallelWrite): Promise<string[]> {
  const { s, plan, actions } = w;
  const pg = s.dialect === 'postgres';
  let token = randomBytes(4).toString('hex');
  while (!(await tryLock(s, token))) token = randomBytes(4).toString('hex');

  const ordered = parentsFirst(plan.tables, plan.relationships);
  const byName = new Map(ordered.map((t) => [t.name, t]));
  const planned = new Set(ordered.map((t) => t.name));
  const stages = new Map(ordered.map((t, i) => [t.name, `${STAGE_PREFIX}${token}_${i}`]));
  const stageQ = (t: string): string =>
    pg ? `${quote('postgres', s.namespace)}.${quote('postgres', stages.get(t) ?? t)}` : quote('mysql', stages.get(t) ?? t);
  const creates = ordered.filter((t) => actions.get(t.name) === 'create');
  const truncates = ordered.filter((t) => actions.get(t.name) === 'truncate');
  const renameAll = !pg && creates.length === ordered.length;
  const parentsOf = (t: string): string[] => plan.relationships.filter((r) => r.childTable === t).map((r) => r.parentTable);
  const keys = w.constraints !== 'off';
  const during = w.constraints === 'during-load';
  const integrity = { logical: w.logical ?? ((t: string) => t) };

  const staged: string[] = [];
  const createdUpFront: string[] = [];
  let began = false;
  let current = '';
  const fail = (e: unknown): unknown =>
    destinationError(unstaged(e, stages), s.spec, current ? `write table "${current}"` : 'write the destination', current || undefined);
  try {
    // 1. Staging tables (and, for MySQL with existing tables, the missing real tables).
    if (!pg && !renameAll) {
      for (const t of creates) {
        current = t.name;
        await s.query(createTableSql('mysql', s.qualified, t, keys ? plan.relationships : [], planned, { indexes: keys, keyedBy: plan.relationships }));
        createdUpFront.push(t.name);
      }
    }
    for (const t of ordered) {
      current = t.name;
      const fresh = actions.get(t.name) === 'create';
      let sql: string;
      if (pg)
        sql = fresh ? createTableSql('postgres', stageQ, t, [], planned) : `CREATE TABLE ${stageQ(t.name)} (LIKE ${s.qualified(t.name)} INCLUDING DEFAULTS)`;
      else
        sql = renameAll
          ? createTableSql('mysql', stageQ, t, during ? plan.relationships : [], planned, { indexes: during, keyedBy: plan.relationships })
          : `CREATE TABLE ${stageQ(t.name)} LIKE ${s.qualified(t.name)}`;
      await s.query(sql);
      staged.push(stages.get(t.name)!);
    }
    current = '';

    // 2. Parallel loads, one committed transaction per table.
    await runScheduled(
      ordered.map((t) => t.name),
      renameAll ? parentsOf : () => [],
      w.parallel,
      async (name, signal) => {
        const t = byName.get(name) as TableMeta;
        const conn = await openSession(s.spec, w.password);
        try {
          await conn.query(pg ? 'BEGIN' : 'START TRANSACTION');
          const load: LoadOptions = { batchSize: w.batchSize, signal, into: stageQ(name), localInfile: w.localInfile, onRows: (n) => w.onRows(name, n) };
          await dialectOf(conn.dialect).load(conn, t, w.readTable(name), load);
          await conn.query('COMMIT');
        } catch (e) {
          await conn.query('ROLLBACK').catch(() => undefined);
          throw destinationError(unstaged(e, stages), s.spec, `write table "${name}"`, name);
        } finally {
          await conn.close();
        }
      },
      w.signal,
    );

    // 3. The one step that makes every table appear at once.
    if (w.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'Writing the destination was canceled; nothing was kept.');
    if (renameAll) {
      await checkIntegrity(s, plan.relationships, planned, { ...integrity, qualified: stageQ });
      // After the load: keys go onto the staging tables, which the one RENAME then turns into the tables.
      if (keys && !during) for (const sql of mysqlAddKeysSql(stageQ, ordered, plan.relationships, planned)) await s.query(sql);
      await s.query(`RENAME TABLE ${ordered.map((t) => `${stageQ(t.name)} TO ${s.qualified(t.name)}`).join(', ')}`);
      staged.length = 0;
      return ordered.map((t) => t.name);
    }
    const cols = (t: TableMeta): string => t.columns.map((c) => quote(s.dialect, c.name)).join(', ');
    await s.query(pg ? 'BEGIN' : 'START TRANSACTION');
    began = true;
    if (truncates.length) {
      if (pg) await s.query(`TRUNCATE ${truncates.map((t) => s.qualified(t.name)).join(', ')}`);
      else for (const t of [...truncates].reverse()) await s.query(`DELETE FROM ${s.qualified(t.name)}`);
    }
    for (const t of ordered) {
      current = t.name;
      if (pg && actions.get(t.name) === 'create') {
        await s.query(`ALTER TABLE ${stageQ(t.name)} RENAME TO ${quote('postgres', t.name)}`);
        await renamePrimaryKey(s, stages.get(t.name)!, t);
      } else {
        await s.query(`INSERT INTO ${s.qualified(t.name)} (${cols(t)}) SELECT ${cols(t)} FROM ${stageQ(t.name)}`);
        if (pg) await s.query(`DROP TABLE ${stageQ(t.name)}`);
      }
    }
    current = '';
    await checkIntegrity(s, plan.relationships, planned, integrity);
    if (pg && keys) {
      const made = new Set(creates.map((t) => t.name));
      const fks = createdForeignKeys(plan.relationships, made, planned);
      for (const sql of foreignKeyIndexesSql('postgres', s.qualified, creates, fks)) await s.query(sql);
      for (const sql of addForeignKeysSql('postgres', s.qualified, fks, made, planned)) await s.query(sql);
    }
    await s.query('COMMIT');
    began = false;
    if (pg) staged.length = 0;
    else await dropTables(s, staged.splice(0));
    return creates.map((t) => t.name);
  } catch (e) {
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    await dropTables(s, staged).catch(() => undefined);
    await dropTables(s, [...createdUpFront].reverse()).catch(() => undefined);
    throw fail(e);
  } finally {
    await unlock(s, token).catch(() => undefined);
  }
}

/** Gives a renamed PostgreSQL staging table's primary key the name PostgreSQL would have given it (when free). */
async function renamePrimaryKey(s: Session, stage: string, t: TableMeta): Promise<void> {
  if (!t.primaryKey.length) return;
  const want = `${t.name}_pkey`;
  if (Buffer.byteLength(want) > 63) return;
  const taken = await s.query('select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2', [
    s.namespace,
    want,
  ]);
  if (taken.length) return;
  await s.query(`ALTER INDEX ${quote('postgres', s.namespace)}.${quote('postgres', `${stage}_pkey`)} RENAME TO ${quote('postgres', want)}`);
}
