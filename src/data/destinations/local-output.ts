import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Relationship, TableMeta } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import { sqlite, STORED_NAMES_TABLE, VALUE_FORMS_TABLE } from '../dialects/sqlite';
import { storedPlan } from './stored-plan';
import { sqliteRowInserter } from '../dialects/sqlite-insert';
import { createTableSql } from './dialect';
import { tempPathFor } from '../platform/partial-files';
import { childCountSql } from '../sources/child-counts';
import type { ChildCountHistogram } from '../../shared/table-stats';

/** The synthetic output of one execution being written into its local SQLite file. */
export interface LocalOutput {
  append(table: string, batch: RowBatch): Promise<void>;
  /** Parents per number of children along a link, over every row written so far (counted in the file). */
  childCounts(fk: Relationship): ChildCountHistogram;
  /** Makes the file appear at its path (until then it is a temporary file next to it). */
  commit(): Promise<void>;
  /** Discards everything written; no file is left behind. */
  abort(): Promise<void>;
}

interface Insert {
  /** Inserts rows of the batch's columns, converted to SQLite values. */
  rows(rows: Row[]): void;
}

/**
 * Opens the local output SQLite file of an execution: one table per TableMeta with its primary
 * key and foreign keys, column types declared so readers get the storage types (and Dates) back,
 * and the source's value forms recorded for the downloads.
 * Rows go into a temporary file renamed to `path` on commit; abort or a failure leaves no file.
 */
export function openLocalOutput(path: string, logicalTables: TableMeta[], logicalRelationships: Relationship[]): Promise<LocalOutput> {
  // Names SQLite cannot hold as they are (twins but for case) are stored renamed, and the renames
  // recorded in the file, so every reader gets the synthetic data's own names back.
  const stored = storedPlan('sqlite', { tables: logicalTables, relationships: logicalRelationships });
  const { tables, relationships } = stored.plan;
  const tmp = tempPathFor(path);
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(tmp);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // Foreign keys are checked once, at commit: rows may arrive in any order (original-data
    // tables with a cycle, self-references), but the committed file has no dangling reference.
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      const names = new Set(tables.map((t) => t.name));
      for (const t of tables) db.exec(createTableSql('sqlite', sqlite.quote, t, relationships, names));
      if (stored.names.renames.length) {
        db.exec(
          `CREATE TABLE ${sqlite.quote(STORED_NAMES_TABLE)} (table_name TEXT NOT NULL, column_name TEXT, stored_table TEXT NOT NULL, stored_column TEXT)`,
        );
        const ins = db.prepare(`INSERT INTO ${sqlite.quote(STORED_NAMES_TABLE)} VALUES (?, ?, ?, ?)`);
        for (const t of logicalTables) {
          const st = stored.names.tables.get(t.name) ?? t.name;
          if (st !== t.name) ins.run(t.name, null, st, null);
          for (const [c, sc] of stored.names.columns.get(t.name) ?? []) if (sc !== c) ins.run(t.name, c, st, sc);
        }
      }
      // How the source wrote each column's values, so the downloads write them the same way.
      const forms = logicalTables.flatMap((t) => t.columns.filter((c) => c.form).map((c) => [t.name, c.name, JSON.stringify(c.form)]));
      if (forms.length) {
        db.exec(`CREATE TABLE ${sqlite.quote(VALUE_FORMS_TABLE)} (table_name TEXT NOT NULL, column_name TEXT NOT NULL, form TEXT NOT NULL)`);
        const ins = db.prepare(`INSERT INTO ${sqlite.quote(VALUE_FORMS_TABLE)} VALUES (?, ?, ?)`);
        for (const f of forms) ins.run(f);
      }
    })();
  } catch (e) {
    rmSync(tmp, { force: true });
    return Promise.reject(
      new AppError('DESTINATION_WRITE_FAILED', `Could not create the output file ${path}: ${(e as Error).message}`, {
        fix: 'Check that the folder is writable and the disk has space.',
        cause: e,
      }),
    );
  }
  const inserts = new Map<string, Insert>();
  let done = false;

  const insertFor = (table: string, columns: string[]): Insert => {
    const key = `${table}\u0000${columns.join('\u0000')}`;
    const cached = inserts.get(key);
    if (cached) return cached;
    const meta = logicalTables.find((t) => t.name === table);
    if (!meta) throw new AppError('TABLE_NOT_FOUND', `Table "${table}" is not part of this output.`, { fix: 'Only tables of the synthesis can be written.' });
    const types = columns.map((c) => {
      const col = meta.columns.find((x) => x.name === c);
      if (!col)
        throw new AppError('BAD_REQUEST', `Column "${c}" is not in output table "${table}".`, { fix: 'Write only the columns of the synthesized table.' });
      return col.storageType;
    });
    const cols = stored.names.columns.get(table);
    const head = `INSERT INTO ${sqlite.quote(stored.names.tables.get(table) ?? table)} (${columns.map((c) => sqlite.quote(cols?.get(c) ?? c)).join(', ')}) VALUES `;
    const ins: Insert = { rows: sqliteRowInserter(db, head, types) };
    inserts.set(key, ins);
    return ins;
  };

  const cleanup = (): void => {
    done = true;
    if (db.open) db.close();
    rmSync(tmp, { force: true });
  };

  const output: LocalOutput = {
    append(table, batch) {
      if (done) return Promise.reject(new AppError('DESTINATION_WRITE_FAILED', `The output ${path} is already closed.`));
      try {
        const ins = insertFor(table, batch.columns);
        db.transaction(() => ins.rows(batch.rows))();
        return Promise.resolve();
      } catch (e) {
        if (e instanceof AppError) return Promise.reject(e);
        return Promise.reject(
          new AppError('DESTINATION_WRITE_FAILED', `Writing table "${table}" to ${path} failed: ${(e as Error).message}`, {
            fix: 'Check the disk space and the synthesized keys.',
            cause: e,
          }),
        );
      }
    },
    childCounts(fk) {
      if (done) throw new AppError('DESTINATION_WRITE_FAILED', `The output ${path} is already closed.`);
      const table = (t: string): string => sqlite.quote(stored.names.tables.get(t) ?? t);
      const column = (t: string, c: string): string => sqlite.quote(stored.names.columns.get(t)?.get(c) ?? c);
      const sql = childCountSql({
        parent: table(fk.parentTable),
        child: table(fk.childTable),
        parentColumns: fk.parentColumns.map((c) => column(fk.parentTable, c)),
        childColumns: fk.childColumns.map((c) => column(fk.childTable, c)),
      });
      return (db.prepare(sql).raw().all() as unknown[][]).map((r) => [Number(r[0] ?? 0), Number(r[1] ?? 0)]);
    },
    commit() {
      if (done) return Promise.reject(new AppError('DESTINATION_WRITE_FAILED', `The output ${path} is already closed.`));
      try {
        const dangling = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
        if (dangling.length > 0) {
          const first = dangling[0]!;
          cleanup();
          return Promise.reject(
            new AppError(
              'DESTINATION_WRITE_FAILED',
              `The synthetic output has ${dangling.length} row(s) whose foreign key points at no row (first: table "${first.table}" → "${first.parent}"); nothing was kept.`,
              {
                fix: 'This is a bug in Doppel: please report it with the configuration. Running again with another seed may work around it.',
              },
            ),
          );
        }
        done = true;
        db.close();
        if (existsSync(path)) rmSync(path, { force: true });
        renameSync(tmp, path);
        return Promise.resolve();
      } catch (e) {
        cleanup();
        return Promise.reject(
          new AppError('DESTINATION_WRITE_FAILED', `Could not finish the output file ${path}: ${(e as Error).message}`, {
            fix: 'Check that the folder is writable.',
            cause: e,
          }),
        );
      }
    },
    abort() {
      cleanup();
      return Promise.resolve();
    },
  };
  return Promise.resolve(output);
}
