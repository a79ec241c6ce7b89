import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type { StorageType } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import { openSource } from '../../data/sources/connector';
import { storageTypeOf } from '../dialects/native-types';
import { readStoredNames, readValueForms, sqlite } from '../dialects/sqlite';
import type { ValueForm } from '../../shared/value-form';

export interface ExportColumn {
  name: string;
  storageType: StorageType;
  /** How the source wrote the column's values, when the output recorded it. */
  form?: ValueForm;
}

export interface ExportTable {
  name: string;
  columns: ExportColumn[];
  rowCount: number;
}

/** Runs `read` on an execution's output SQLite file opened read-only (NOT_FOUND when the file is missing), then closes it. */
export function withOutputFile<T>(sqlitePath: string, read: (db: Database.Database) => T): T {
  if (!existsSync(sqlitePath)) {
    throw new AppError('NOT_FOUND', `The synthetic output ${sqlitePath} does not exist.`, { fix: 'Run the execution again; its output file is missing.' });
  }
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Columns (with storage types from the declared types) and row counts of tables of an output SQLite file. */
export function describeOutputTables(sqlitePath: string, tables: string[]): ExportTable[] {
  return withOutputFile(sqlitePath, (db) => {
    const renames = readStoredNames(db);
    const forms = readValueForms(db);
    return tables.map((name) => {
      const stored = renames.find((r) => r.table_name === name)?.stored_table ?? name;
      const logical = (c: string): string => renames.find((r) => r.stored_table === stored && r.stored_column === c)?.column_name ?? c;
      const info = db.prepare('select name, type from pragma_table_info(?) order by cid').all(stored) as Array<{ name: string; type: string }>;
      if (!info.length)
        throw new AppError('TABLE_NOT_FOUND', `Table "${name}" is not in the synthetic output ${sqlitePath}.`, {
          fix: 'Pick one of the tables of this execution.',
        });
      const count = db.prepare(`select count(*) as n from ${sqlite.quote(stored)}`).get() as { n: number };
      const columns = info.map((c): ExportColumn => {
        const column: ExportColumn = { name: logical(c.name), storageType: storageTypeOf(c.type).storageType };
        const form = forms.get(name)?.get(column.name);
        if (form) column.form = form;
        return column;
      });
      return { name, columns, rowCount: count.n };
    });
  });
}

/** Streams the rows of a table of the output SQLite file through the sqlite source connector (Dates back). */
export async function* readOutputTable(sqlitePath: string, table: string, batchSize: number, signal?: AbortSignal): AsyncGenerator<RowBatch> {
  const src = await openSource({ kind: 'sqlite', path: sqlitePath });
  try {
    for await (const batch of src.readTable(table, { batchSize, signal })) {
      if (signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Exporting ${table} was canceled.`);
      yield batch;
    }
  } finally {
    await src.close();
  }
}
