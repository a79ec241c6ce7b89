/**
 * DuckDB as the engine of the whole-table passes over a large CSV/TSV file (row count, key
 * candidates, value counts, rows by index for a sample): out of core and several times faster
 * than the streamed JavaScript pass. It reads the file as our reader does — the dialect our
 * reader detected (delimiter, quote, header, encoding), every field as text, no type guessing —
 * and hands back raw texts, which our own converters type, so the values are those of the
 * JavaScript pass. Files it cannot read identically go to the JavaScript pass (`csvEngineRoute`),
 * and so does everything when the native module cannot load on this machine.
 */
import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CsvDialect } from './csv';
import type { TableEngine } from './types';
import { duckdbMinBytes, duckdbPass, duckdbQuantiles, duckdbRowsAt, lit, type EngineRoute } from './duckdb';

/** Which engine makes the whole-table passes over a CSV file of `bytes` bytes. */
export function csvEngineRoute(dialect: CsvDialect, bytes: number): EngineRoute {
  if (bytes < duckdbMinBytes()) return { engine: 'js', reason: 'a small file is read faster without starting DuckDB' };
  // DuckDB's own decoders differ from ours outside UTF-8 (windows-1252 is not latin-1).
  if (dialect.encoding.toUpperCase() !== 'UTF-8') return { engine: 'js', reason: `DuckDB does not decode ${dialect.encoding} as our reader does` };
  // Our reader's escape is `"` whatever the quote; DuckDB would read a single-quoted file otherwise.
  if (dialect.quote !== '"') return { engine: 'js', reason: 'values quoted with single quotes' };
  return { engine: 'duckdb' };
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/**
 * DuckDB's CSV read buffer. It hears an interrupt (a cancel) only between buffers, and its own
 * default (16 times the 2 MiB longest line, 32 MiB) let a cancel wait for that much more of a slow
 * file or pipe to be read; twice the longest line keeps every line readable.
 */
const READ_BUFFER_BYTES = 4 * 2 ** 20;

/**
 * The whole-table engine of a CSV file of `width` columns read with `dialect`. Records are those
 * of our reader: the header row (when the dialect has one) is record 1 and is left out of every
 * answer; an empty field is an empty text (quoted or not), as our reader gives it.
 */
export function duckdbCsvEngine(path: string, dialect: CsvDialect, width: number): TableEngine {
  const cols = Array.from({ length: width }, (_, i) => `c${i}`);
  const from = `read_csv(${lit(path)}, auto_detect = false, header = false, delim = ${lit(dialect.delimiter)}, quote = ${lit(dialect.quote)}, escape = ${lit(dialect.quote)}, columns = {${cols.map((c) => `${lit(c)}: 'VARCHAR'`).join(', ')}}, strict_mode = true, allow_quoted_nulls = false, encoding = 'utf-8', compression = 'auto', buffer_size = ${READ_BUFFER_BYTES})`;
  const skip = dialect.header ? 1 : 0;
  const what = basename(path);
  /** The header record's raw cells (empty when the dialect has no header). */
  const headerCells = async (c: DuckDBConnection): Promise<string[]> => {
    if (!dialect.header) return [];
    const r = await c.runAndReadAll(`select ${cols.join(', ')} from ${from} limit 1`);
    return (r.getRowsJS()[0] ?? []).map(text);
  };
  const relation = `(select * exclude (record) from (select row_number() over () as record, * from ${from}) where record > ${skip})`;
  return {
    name: 'duckdb',
    relation,
    quantiles: (k, n, instants, signal) => duckdbQuantiles(relation, k, n, what, signal, instants),
    profile: (keyColumns, signal) =>
      duckdbPass(what, signal, async (c) => {
        const head = await headerCells(c);
        const parts = keyColumns.flatMap((k) => {
          const v = `coalesce(c${k}, '')`;
          return [`count(distinct ${v})`, `count(*) filter (where ${v} = '')`, `count(*) filter (where ${v} = ${lit(head[k] ?? '')})`];
        });
        const r = (await c.runAndReadAll(`select ${['count(*)', ...parts].join(', ')} from ${from}`)).getRowsJS()[0]!.map(Number);
        const rows = r[0]! - skip;
        const unique = keyColumns.map((k, j) => {
          const [distinct, empty, asHeader] = [r[1 + 3 * j]!, r[2 + 3 * j]!, r[3 + 3 * j]!];
          // The header cell is one more record: it adds a distinct value unless a row holds it too.
          const dataDistinct = distinct - (skip && asHeader === 1 ? 1 : 0);
          const dataEmpty = empty - (skip && (head[k] ?? '') === '' ? 1 : 0);
          return rows > 0 && dataEmpty === 0 && dataDistinct === rows;
        });
        return { rows, unique };
      }),
    valueCounts: (columns, onValue, signal) =>
      duckdbPass(what, signal, async (c) => {
        const head = await headerCells(c);
        const vs = columns.map((_, j) => `v${j}`);
        const sets = [...vs.map((v) => `(${v})`), '()'];
        const sql = `select ${vs.join(', ')}, count(*) as n from (select ${columns.map((k, j) => `coalesce(c${k}, '') as v${j}`).join(', ')} from ${from}) group by grouping sets (${sets.join(', ')}) order by n desc`;
        const result = await c.stream(sql);
        let rows = 0;
        for await (const chunk of result.yieldRowsJs()) {
          for (const r of chunk) {
            const n = Number(r[columns.length]);
            const j = r.findIndex((v, i) => i < columns.length && v !== null);
            if (j < 0) {
              rows = n - skip;
              continue;
            }
            const value = String(r[j]);
            const held = skip && value === (head[columns[j]!] ?? '') ? n - 1 : n;
            if (held > 0) onValue(j, value, held);
          }
        }
        return rows;
      }),
    rowsAt: (indices, columns, signal) =>
      duckdbRowsAt(what, signal, {
        from,
        record: 'row_number() over ()',
        records: indices.map((at) => at + 1 + skip),
        columns,
        pick: (ref) => ref,
        cell: text,
      }),
  };
}
