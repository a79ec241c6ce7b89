import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import type { DestinationPlan, TableAction } from './check';
import type { ConstraintMode } from '../../shared/config';
import { describeSource } from '../../shared/source';
import { addKeysSql, checkIntegrity, createdForeignKeys } from './constraints';
import { createTableSql, parentsFirst, quote } from './dialect';
import { dialectOf, STAGE_PREFIX, type LoadOptions } from '../dialects';
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

const STAGE_NAME = new RegExp(`^${STAGE_PREFIX}([0-9a-f]{8})_\\d+$`);

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

/** Drops tables, foreign keys unchecked (a staging parent goes with its children). */
async function dropTables(s: Session, names: string[]): Promise<void> {
  if (!names.length) return;
  await dialectOf(s.dialect).withoutForeignKeyChecks(s, () => s.query(`DROP TABLE IF EXISTS ${names.map((n) => s.qualified(n)).join(', ')}`));
}

/** Drops staging tables left by writes whose process died (their run lock is free). */
export async function dropStaleStages(s: Session): Promise<string[]> {
  const staging = dialectOf(s.dialect).staging;
  if (!staging) return [];
  const byRun = new Map<string, string[]>();
  for (const name of await staging.tablesStartingWith(s, STAGE_PREFIX)) {
    const token = STAGE_NAME.exec(name)?.[1];
    if (token) byRun.set(token, [...(byRun.get(token) ?? []), name]);
  }
  const dropped: string[] = [];
  for (const [token, names] of byRun) {
    if (!(await staging.tryLock(s, token))) continue;
    try {
      await dropTables(s, names);
      dropped.push(...names);
    } finally {
      await staging.unlock(s, token);
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
  const d = dialectOf(s.dialect);
  const staging = d.staging;
  if (!staging) throw new AppError('INTERNAL', `${describeSource(s.spec)} is written without staging tables.`);
  let token = randomBytes(4).toString('hex');
  while (!(await staging.tryLock(s, token))) token = randomBytes(4).toString('hex');

  const ordered = parentsFirst(plan.tables, plan.relationships);
  const byName = new Map(ordered.map((t) => [t.name, t]));
  const planned = new Set(ordered.map((t) => t.name));
  const stages = new Map(ordered.map((t, i) => [t.name, `${STAGE_PREFIX}${token}_${i}`]));
  const stageQ = (t: string): string => s.qualified(stages.get(t) ?? t);
  const creates = ordered.filter((t) => actions.get(t.name) === 'create');
  const truncates = ordered.filter((t) => actions.get(t.name) === 'truncate');
  // Without transactional DDL an output of new tables appears by one atomic rename; otherwise the rows are copied in one transaction.
  const renameAll = !d.transactionalDdl && creates.length === ordered.length;
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
    // 1. Staging tables (and, without transactional DDL, the missing real tables unless all are new).
    if (!d.transactionalDdl && !renameAll) {
      for (const t of creates) {
        current = t.name;
        await s.query(createTableSql(s.dialect, s.qualified, t, plan.relationships, planned, { foreignKeys: keys, indexes: keys }));
        createdUpFront.push(t.name);
      }
    }
    // A staging table that becomes its table by a rename carries the keys `during-load` asks for (the swap adds them where DDL is transactional).
    const inline = during && !d.transactionalDdl;
    for (const t of ordered) {
      current = t.name;
      const renamed = actions.get(t.name) === 'create' && !createdUpFront.includes(t.name);
      await s.query(
        renamed
          ? createTableSql(s.dialect, stageQ, t, plan.relationships, planned, { foreignKeys: inline, indexes: inline })
          : staging.createLikeSql(stageQ(t.name), s.qualified(t.name)),
      );
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
          await conn.query(d.beginSql);
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
      // After the load: keys go onto the staging tables, which the one rename then turns into the tables.
      if (keys && !during) for (const sql of addKeysSql(s.dialect, stageQ, ordered, plan.relationships, planned)) await s.query(sql);
      await staging.renameTables(
        s,
        ordered.map((t) => ({ stage: stages.get(t.name)!, table: t })),
      );
      staged.length = 0;
      return ordered.map((t) => t.name);
    }
    const cols = (t: TableMeta): string => t.columns.map((c) => quote(s.dialect, c.name)).join(', ');
    await s.query(d.beginSql);
    began = true;
    for (const sql of d.emptyTablesSql(truncates.map((t) => s.qualified(t.name)))) await s.query(sql);
    for (const t of ordered) {
      current = t.name;
      if (d.transactionalDdl && actions.get(t.name) === 'create') await staging.renameTables(s, [{ stage: stages.get(t.name)!, table: t }]);
      else {
        await s.query(`INSERT INTO ${s.qualified(t.name)} (${cols(t)}) SELECT ${cols(t)} FROM ${stageQ(t.name)}`);
        if (d.transactionalDdl) await s.query(`DROP TABLE ${stageQ(t.name)}`);
      }
    }
    current = '';
    await checkIntegrity(s, plan.relationships, planned, integrity);
    if (d.transactionalDdl && keys) {
      const fks = createdForeignKeys(plan.relationships, new Set(creates.map((t) => t.name)), planned);
      for (const sql of addKeysSql(s.dialect, s.qualified, creates, fks, planned)) await s.query(sql);
    }
    await s.query('COMMIT');
    began = false;
    if (d.transactionalDdl) staged.length = 0;
    else await dropTables(s, staged.splice(0));
    return creates.map((t) => t.name);
  } catch (e) {
    if (began) await s.query('ROLLBACK').catch(() => undefined);
    await dropTables(s, staged).catch(() => undefined);
    await dropTables(s, [...createdUpFront].reverse()).catch(() => undefined);
    throw fail(e);
  } finally {
    await staging.unlock(s, token).catch(() => undefined);
  }
}
