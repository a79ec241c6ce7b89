import type Database from 'better-sqlite3';
import type { StorageType } from '../../shared/metadata';
import type { Row } from '../../shared/values';
import { sqliteConverters, type SqliteBindable } from './sqlite-values';

/** The most parameters one statement may bind in the SQLite Doppel ships (SQLITE_MAX_VARIABLE_NUMBER). */
export const SQLITE_MAX_VARIABLES = 32_766;

/**
 * Rows per multi-row INSERT. Measured on 1M rows x 10 columns: 25 to 200 rows per statement take
 * the same CPU time, about 30% less than one row per statement; the most the parameter limit
 * allows (3,276 rows) takes 20% more than 100.
 */
export const ROWS_PER_INSERT = 100;

/** Rows one INSERT of `width` columns takes: ROWS_PER_INSERT, or fewer within SQLite's parameter limit. */
export function rowsPerInsert(width: number): number {
  return Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(SQLITE_MAX_VARIABLES / Math.max(1, width))));
}

/** Statements kept for the remainders of batches (a batch size not a multiple of the rows per statement). */
const REMAINDERS_KEPT = 4;

/**
 * Inserts rows (cells in the order of `types`) with multi-row INSERTs: `head` is
 * `INSERT INTO "t" ("a", "b") VALUES `, one statement is prepared for `rowsPerInsert` rows and one for each
 * shorter remainder (the last few kept), each cell goes through its column's converter (chosen
 * once). Runs inside the caller's transaction.
 */
export function sqliteRowInserter(db: Database.Database, head: string, types: StorageType[]): (rows: Row[]) => void {
  const width = types.length;
  const per = rowsPerInsert(width);
  const tuple = `(${types.map(() => '?').join(', ')})`;
  const statements = new Map<number, { stmt: Database.Statement; values: SqliteBindable[] }>();
  const statementFor = (rows: number): { stmt: Database.Statement; values: SqliteBindable[] } => {
    let s = statements.get(rows);
    if (!s) {
      if (rows !== per && statements.size > REMAINDERS_KEPT) {
        const oldest = [...statements.keys()].find((n) => n !== per);
        if (oldest !== undefined) statements.delete(oldest);
      }
      s = { stmt: db.prepare(head + Array.from({ length: rows }, () => tuple).join(', ')), values: new Array<SqliteBindable>(rows * width) };
      statements.set(rows, s);
    }
    return s;
  };
  const convert = sqliteConverters(types);
  const run = (rows: Row[], from: number, count: number): void => {
    const { stmt, values } = statementFor(count);
    let v = 0;
    for (let k = from; k < from + count; k++) {
      const row = rows[k]!;
      for (let i = 0; i < width; i++) values[v++] = convert[i]!(row[i] ?? null);
    }
    stmt.run(values);
  };
  return (rows) => {
    let r = 0;
    for (; r + per <= rows.length; r += per) run(rows, r, per);
    if (r < rows.length) run(rows, r, rows.length - r);
  };
}
