import { once } from 'node:events';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { AppError } from '../../shared/errors';
import type { StorageType, TableMeta } from '../../shared/metadata';
import type { CellValue, Row, RowBatch } from '../../shared/values';
import { quote } from './dialect';
import { binaryEncoders, binaryHeader, binaryTrailer, binaryTuples, binaryWritable } from './pg-binary';
import type { Session } from './session';
import { dateTextFormatter, sqliteValue, wholeDateText, type SqliteBindable } from '../dialects/sqlite-values';

export interface LoadOptions {
  batchSize: number;
  signal?: AbortSignal;
  onRows: (n: number) => void;
  /** The SQL name rows go into when it is not the table's own (a staging table); messages still name the table. */
  into?: string;
  /** PostgreSQL: text COPY even when binary is possible. */
  textCopy?: boolean;
}

/** Rows of a batch in the table's column order (batches may name their columns in another order). */
function aligned(t: TableMeta, batch: RowBatch): Row[] {
  const idx = t.columns.map((c) => batch.columns.indexOf(c.name));
  if (idx.every((i, k) => i === k) && batch.columns.length === t.columns.length) return batch.rows;
  return batch.rows.map((r) => idx.map((i) => (i < 0 ? null : (r[i] ?? null))));
}

function checkAbort(signal: AbortSignal | undefined, table: string): void {
  if (signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Writing ${table} was canceled; nothing was kept.`);
}

const SPECIAL = /[\\\t\n\r]/;

/** A cell in PostgreSQL COPY text / MySQL LOAD DATA format (tab-separated, \N for null, backslash escapes). */
export function textCell(v: CellValue, type: StorageType, pg: boolean): string {
  if (v === null) return '\\N';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '\\N' : wholeDateText(v, type === 'date' || type === 'time' ? type : 'datetime');
  if (typeof v === 'boolean') return pg ? (v ? 't' : 'f') : v ? '1' : '0';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  if (!SPECIAL.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

type CellFormat = (v: CellValue) => string;

/**
 * One formatter per column, chosen once from its storage type: the common value of the column
 * takes a direct path, anything else goes through `textCell` (same output, without deciding
 * the type again for every cell).
 */
export function columnFormatters(types: StorageType[], pg: boolean): CellFormat[] {
  return types.map((type): CellFormat => {
    const other = (v: CellValue): string => textCell(v, type, pg);
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'float':
      case 'decimal':
        return (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '\\N') : other(v));
      case 'date':
      case 'time':
      case 'datetime': {
        const dateText = dateTextFormatter(type);
        return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? dateText(v) : other(v));
      }
      case 'boolean': {
        const [yes, no] = pg ? ['t', 'f'] : ['1', '0'];
        return (v) => (v === true ? yes : v === false ? no : other(v));
      }
      default:
        return (v) => (typeof v === 'string' && !SPECIAL.test(v) ? v : other(v));
    }
  });
}

/** Rows as COPY / LOAD DATA text, one string built by appending (no array per row or per batch). */
function textLines(rows: Row[], formats: CellFormat[]): string {
  const last = formats.length - 1;
  if (last < 0) return '\n'.repeat(rows.length);
  let text = '';
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    for (let i = 0; i < last; i++) text += `${formats[i]!(r[i] ?? null)}\t`;
    text += `${formats[last]!(r[last] ?? null)}\n`;
  }
  return text;
}

/** The type OIDs of a table's columns, by name. */
async function columnOids(s: Session, sqlName: string): Promise<Map<string, number>> {
  const rows = await s.query(
    'select attname as name, atttypid::int as oid from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped',
    [sqlName],
  );
  return new Map(rows.map((r) => [String(r.name), Number(r.oid)]));
}

/** One COPY FROM STDIN into a PostgreSQL table, fed batch by batch. */
export interface PgCopy {
  /** Encodes and sends one batch, waiting while the server is behind. */
  write(batch: RowBatch): Promise<void>;
  /** Ends the COPY; resolves once the server has taken every row (the rows written). */
  end(): Promise<number>;
  /** Abandons the COPY (the server discards it); the connection is usable again afterwards. */
  destroy(e?: unknown): Promise<void>;
}

/**
 * Starts a COPY FROM STDIN written with backpressure, in binary when every column type has a
 * binary encoder (the server then parses no text), else in text.
 */
export async function openPgCopy(s: Session, t: TableMeta, o: Omit<LoadOptions, 'batchSize' | 'onRows'> & { onRows?: (n: number) => void }): Promise<PgCopy> {
  const client = s.pg!;
  const target = o.into ?? s.qualified(t.name);
  const cols = t.columns.map((c) => quote('postgres', c.name)).join(', ');
  const oids = await columnOids(s, target);
  const typed = t.columns.map((c) => ({ name: c.name, oid: oids.get(c.name) ?? 0, storage: c.storageType }));
  const binary = !o.textCopy && binaryWritable(typed.map((c) => c.oid));
  const stream = client.query(copyFrom(`COPY ${target} (${cols}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`));
  const formats = columnFormatters(
    t.columns.map((c) => c.storageType),
    true,
  );
  const encoders = binary ? binaryEncoders(typed) : [];
  const encode = (r: Row[]): string | Buffer => (binary ? binaryTuples(r, encoders) : textLines(r, formats));
  if (binary) stream.write(binaryHeader);
  let failure: Error | null = null;
  stream.on('error', (e: Error) => (failure = e));
  let n = 0;
  return {
    async write(batch) {
      checkAbort(o.signal, t.name);
      if (failure) throw failure;
      const chunk = encode(aligned(t, batch));
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw failure;
      n += batch.rows.length;
      o.onRows?.(batch.rows.length);
    },
    async end() {
      stream.end(binary ? binaryTrailer : undefined);
      await new Promise<void>((resolve, reject) => {
        if (failure) reject(failure);
        stream.on('finish', () => resolve());
        stream.on('error', reject);
      });
      return n;
    },
    async destroy(e) {
      if (stream.destroyed) return;
      stream.destroy(e instanceof Error ? e : new Error(String(e ?? 'The write was abandoned.')));
      await once(stream, 'close').catch(() => undefined);
    },
  };
}

/** PostgreSQL: every batch of `rows` through one COPY (see openPgCopy). */
export async function loadPostgres(s: Session, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions): Promise<number> {
  const copy = await openPgCopy(s, t, o);
  let failure: unknown = null;
  try {
    for await (const batch of rows) await copy.write(batch);
  } catch (e) {
    await copy.destroy(e);
    failure = e;
  }
  if (failure) throw failure;
  return copy.end();
}

/** MySQL/MariaDB: LOAD DATA LOCAL INFILE from a stream when the server allows it, else multi-row INSERTs. */
export async function loadMysql(s: Session, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions, localInfile: boolean): Promise<number> {
  const conn = s.mysql!;
  const types = t.columns.map((c) => c.storageType);
  const cols = t.columns.map((c) => quote('mysql', c.name)).join(', ');
  let n = 0;
  const formats = columnFormatters(types, false);
  if (localInfile) {
    async function* text(): AsyncGenerator<Buffer> {
      for await (const batch of rows) {
        checkAbort(o.signal, t.name);
        yield Buffer.from(textLines(aligned(t, batch), formats));
        n += batch.rows.length;
        o.onRows(batch.rows.length);
      }
    }
    const source = Readable.from(text());
    const [res] = await conn.query({
      sql: `LOAD DATA LOCAL INFILE 'doppel-stream' INTO TABLE ${o.into ?? s.qualified(t.name)} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${cols})`,
      infileStreamFactory: () => source,
    });
    const info = res as { affectedRows?: number; warningStatus?: number };
    // With LOCAL the server downgrades bad rows to warnings; any warning fails the write.
    if ((info.warningStatus ?? 0) > 0 || info.affectedRows !== n) {
      const [w] = await conn.query('SHOW WARNINGS LIMIT 3');
      const msgs = (w as Array<Record<string, unknown>>).map((x) => String(x.Message)).join('; ');
      throw new AppError('DESTINATION_WRITE_FAILED', `Writing table "${t.name}" failed: ${msgs || `${info.affectedRows ?? 0} of ${n} rows accepted`}.`, {
        fix: 'Nothing was kept (the write was rolled back). Check the destination table definition against the synthetic data.',
      });
    }
    return n;
  }
  const chunk = Math.max(1, Math.min(o.batchSize, 2000));
  for await (const batch of rows) {
    checkAbort(o.signal, t.name);
    const r = aligned(t, batch).map((row) =>
      row.map((v, i) => (v instanceof Date ? wholeDateText(v, types[i] === 'date' || types[i] === 'time' ? types[i] : 'datetime') : v)),
    );
    for (let i = 0; i < r.length; i += chunk) await conn.query(`INSERT INTO ${o.into ?? s.qualified(t.name)} (${cols}) VALUES ?`, [r.slice(i, i + chunk)]);
    n += batch.rows.length;
    o.onRows(batch.rows.length);
  }
  return n;
}

/** SQLite: one prepared INSERT run for every row (inside the caller's transaction). */
export async function loadSqlite(s: Session, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions): Promise<number> {
  const db = s.sqlite!;
  const types = t.columns.map((c) => c.storageType);
  const values: SqliteBindable[] = new Array<SqliteBindable>(types.length).fill(null);
  const stmt = db.prepare(
    `INSERT INTO ${s.qualified(t.name)} (${t.columns.map((c) => quote('sqlite', c.name)).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
  );
  let n = 0;
  for await (const batch of rows) {
    checkAbort(o.signal, t.name);
    for (const r of aligned(t, batch)) {
      for (let i = 0; i < types.length; i++) values[i] = sqliteValue(r[i] ?? null, types[i]!);
      stmt.run(values);
    }
    n += batch.rows.length;
    o.onRows(batch.rows.length);
  }
  return n;
}
