import type { ColumnMeta, Relationship, StorageType, TableMeta } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';

/** Quotes an SQLite (and PostgreSQL) identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The declared SQLite type of a column. The spelling is chosen so that reading the file back
 * (the sqlite connector maps declared types to storage types) gives the same storage type,
 * hence Dates back for date/datetime columns stored as ISO text.
 */
export function sqliteDeclaredType(c: ColumnMeta): string {
  const byType: Record<StorageType, string> = {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'REAL',
    decimal: c.scale !== undefined ? `DECIMAL(38,${c.scale})` : 'DECIMAL',
    string: c.maxLength !== undefined ? `VARCHAR(${c.maxLength})` : 'VARCHAR',
    text: 'TEXT',
    boolean: 'BOOLEAN',
    date: 'DATE',
    datetime: 'DATETIME',
    time: 'TIME',
    binary: 'BLOB',
    json: 'JSON',
    unknown: '',
  };
  return byType[c.storageType];
}

/** `CREATE TABLE` with primary key and the foreign keys whose parent is among `tables`. */
export function sqliteCreateTable(t: TableMeta, relationships: Relationship[], tables: TableMeta[]): string {
  const parts = t.columns.map((c) => {
    const type = sqliteDeclaredType(c);
    return `${quoteIdent(c.name)}${type ? ` ${type}` : ''}${c.nullable === false ? ' NOT NULL' : ''}`;
  });
  if (t.primaryKey.length) parts.push(`PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')})`);
  const names = new Set(tables.map((x) => x.name));
  for (const r of relationships) {
    if (r.childTable !== t.name || !names.has(r.parentTable)) continue;
    parts.push(`FOREIGN KEY (${r.childColumns.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(r.parentTable)} (${r.parentColumns.map(quoteIdent).join(', ')})`);
  }
  return `CREATE TABLE ${quoteIdent(t.name)} (\n  ${parts.join(',\n  ')}\n)`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A Date as SQL text in UTC: `YYYY-MM-DD` for dates, `YYYY-MM-DD HH:MM:SS.sss` otherwise. */
export function sqlDateText(d: Date, type: StorageType): string {
  const y = d.getUTCFullYear();
  if (y >= 0 && y <= 9999) {
    // toISOString is native and several times faster than assembling the parts.
    const iso = d.toISOString();
    if (type === 'date') return iso.slice(0, 10);
    return type === 'time' ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (type === 'date') return date;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return type === 'time' ? time : `${date} ${time}`;
}

export type SqliteBindable = string | number | bigint | Buffer | null;

/** A cell as a value better-sqlite3 can bind, for a column of the given storage type. */
export function sqliteValue(v: CellValue, type: StorageType): SqliteBindable {
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : sqlDateText(v, type);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && (type === 'integer' || type === 'bigint') && /^[-+]?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}
