/**
 * DuckDB as the engine of the whole-table passes over a large file (CSV/TSV in csv-duckdb.ts,
 * Parquet in parquet-duckdb.ts): loading the native module, the size from which it is used, and
 * one bounded, cancellable database per pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../../shared/errors';
import { QUANTILE_POINTS, discreteOffset, quantilePoints, type ChildCountHistogram } from '../../../shared/table-stats';
import type { ContainmentCount } from '../containment';

/** Files from this size on are read by DuckDB (DOPPEL_DUCKDB_MIN_BYTES overrides it). */
export const DUCKDB_MIN_BYTES = 16 * 2 ** 20;
/**
 * DuckDB's memory before it spills to its temporary folder, and its threads. A load of a 2M-row
 * CSV (row count and keys, a 125,000-row sample, value counts and extremes) peaked at 612-629 MiB
 * with 1 GB and a thread per core, 505 MiB with 128 MB and two threads, 426-440 MiB with 128 MB and
 * one thread (the streamed JavaScript pass: 540 MiB), in about the same time on a shared 2-core
 * machine: each thread adds buffers of its own, and the passes are bound by reading the file.
 */
const SETTINGS = { memory_limit: '128MB', threads: '1' };

type DuckApi = typeof import('@duckdb/node-api');
let api: Promise<DuckApi | undefined> | undefined;

/** Warns once per process on stderr (the worker's log): a fallback is never silent. */
const warned = new Set<string>();
export function engineWarning(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`doppel: ${message}`);
}

/** The native module, or undefined (with a log line) when it cannot load on this machine. */
export function duckdbModule(): Promise<DuckApi | undefined> {
  api ??= import('@duckdb/node-api').then(
    (m) => m,
    (e: unknown) => {
      engineWarning(`DuckDB cannot be loaded (${e instanceof Error ? e.message : String(e)}); large files are read by the streamed JavaScript pass.`);
      return undefined;
    },
  );
  return api;
}

export type EngineRoute = { engine: 'duckdb' } | { engine: 'js'; reason: string };

/** The size from which files are read by DuckDB. */
export function duckdbMinBytes(): number {
  return Number(process.env['DOPPEL_DUCKDB_MIN_BYTES'] ?? DUCKDB_MIN_BYTES);
}

/** A SQL string literal. */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * One DuckDB database in memory for one pass, closed after it, with a spill folder of its own
 * removed with it. An abort of `signal` interrupts the running query: the pass stops with
 * EXECUTION_CANCELED (`what` names the file) without reading the rest of the file.
 */
export async function duckdbPass<T>(what: string, signal: AbortSignal | undefined, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const canceled = (): AppError => new AppError('EXECUTION_CANCELED', `Reading ${what} was canceled.`);
  if (signal?.aborted) throw canceled();
  const duck = await duckdbModule();
  if (!duck) throw new Error('DuckDB is not available');
  const temp = mkdtempSync(join(tmpdir(), 'doppel-duckdb-'));
  try {
    const db = await duck.DuckDBInstance.create(':memory:', { ...SETTINGS, temp_directory: temp });
    const c = await db.connect();
    const interrupt = (): void => c.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      if (signal?.aborted) throw canceled();
      return await fn(c);
    } catch (e) {
      throw signal?.aborted ? canceled() : e;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      c.closeSync();
      db.closeSync();
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** How `duckdbRowsAt` reads rows of a file by their record number. */
export interface RowsRead<T> {
  /** The file as a relation whose columns are c0, c1, ... */
  from: string;
  /** The expression numbering its records. */
  record: string;
  /** Record numbers in the order the rows are wanted. */
  records: number[];
  /** The columns read, by position. */
  columns: number[];
  /** The expression column `k` is read as, given its reference. */
  pick: (ref: string, k: number) => string;
  /** The cell of a value read from column `k`. */
  cell: (v: unknown, k: number) => T;
}

/**
 * The rows at `records` in one pass (`duckdbPass`): the record numbers are loaded into a table
 * and joined with the numbered file, so each row is read once in the order asked for.
 */
export function duckdbRowsAt<T>(what: string, signal: AbortSignal | undefined, read: RowsRead<T>): Promise<T[][]> {
  const { from, record, records, columns, pick, cell } = read;
  return duckdbPass(what, signal, async (c) => {
    if (records.length === 0) return [];
    await c.run('create table wanted (slot integer, record bigint)');
    const app = await c.createAppender('wanted');
    records.forEach((at, slot) => {
      app.appendInteger(slot);
      app.appendBigInt(BigInt(at));
      app.endRow();
    });
    app.closeSync();
    const picked = columns.map((k) => pick(`s.c${k}`, k)).join(', ');
    const sql = `select ${picked} from wanted w join (select ${record} as record, ${columns.map((k) => `c${k}`).join(', ')} from ${from}) s on s.record = w.record order by w.slot`;
    const out: T[][] = [];
    for await (const chunk of (await c.stream(sql)).yieldRowsJs()) for (const r of chunk) out.push(r.map((v, i) => cell(v, columns[i]!)));
    if (out.length !== records.length) throw new Error(`DuckDB read ${out.length} of the ${records.length} rows asked for`);
    return out;
  });
}

/** One side of a link for `duckdbChildCounts`: a table's relation (`TableEngine.relation`) and its key columns. */
export interface KeySide {
  relation: string;
  columns: number[];
}

/**
 * Parents per number of children along a link between two files, out of core: children per
 * parent row by a left join on the keys' texts (an empty cell is no key), then parents per count.
 */
export function duckdbChildCounts(parent: KeySide, child: KeySide, what: string, signal?: AbortSignal): Promise<ChildCountHistogram> {
  const keyed = (side: KeySide, alias: string): string =>
    `(select ${side.columns.map((k, j) => `c${k} as k${j}`).join(', ')} from ${side.relation} where ${side.columns.map((k) => `coalesce(c${k}, '') <> ''`).join(' and ')}) ${alias}`;
  const on = parent.columns.map((_, j) => `c.k${j} = p.k${j}`).join(' and ');
  const key = parent.columns.map((_, j) => `p.k${j}`).join(', ');
  const perParent = `select count(c.k0) as n from ${keyed(parent, 'p')} left join ${keyed(child, 'c')} on ${on} group by ${key}`;
  return duckdbPass(what, signal, async (c) => {
    const rows = (await c.runAndReadAll(`select n, count(*) from (${perParent}) group by n order by n`)).getRowsJS();
    return rows.map((r): [number, number] => [Number(r[0]), Number(r[1])]);
  });
}

/** The characters JavaScript's `trim` removes: a cell of only these is empty, as our readers give it. */
const JS_SPACES = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/**
 * A foreign key's containment between two files' first key columns, out of core: the child's
 * non-empty cells left-joined with the parent's distinct non-empty cells, compared as the files'
 * texts, those without a match counted (`ContainmentCount`).
 */
export function duckdbContainment(parent: KeySide, child: KeySide, what: string, signal?: AbortSignal): Promise<ContainmentCount> {
  const keyed = (side: KeySide): string =>
    `select c${side.columns[0]!} as k from ${side.relation} where trim(coalesce(c${side.columns[0]!}, ''), ${lit(JS_SPACES)}) <> ''`;
  const sql = `select count(*), count(*) - count(p.k) from (${keyed(child)}) c left join (select distinct k from (${keyed(parent)})) p on c.k = p.k`;
  return duckdbPass(what, signal, async (c) => {
    const r = (await c.runAndReadAll(sql)).getRowsJS()[0] ?? [];
    return { values: Number(r[0] ?? 0), orphans: Number(r[1] ?? 0) };
  });
}

/**
 * The discrete quantiles at QUANTILE_POINTS of `n` values (`values`: a relation of the values
 * read `v`, ordered by `o`, without empty cells): the rows at those positions of the ordered
 * values, each read as a number by `number` (NaN where a position is missing).
 */
export async function quantilesAt(c: DuckDBConnection, values: string, n: number, number: (v: unknown) => number): Promise<number[]> {
  const at = QUANTILE_POINTS.map((p) => discreteOffset(p, n) + 1);
  const sql = `select v, rn from (select v, row_number() over (order by o) as rn from ${values}) where rn in (${[...new Set(at)].join(', ')})`;
  const byRow = new Map((await c.runAndReadAll(sql)).getRowsJS().map((r) => [Number(r[1]), number(r[0])]));
  return at.map((r) => byRow.get(r) ?? NaN);
}

/**
 * The discrete quantiles at QUANTILE_POINTS of column `k` of a relation of texts read as numbers,
 * or as instants in milliseconds since the epoch (`instants`: ISO dates and times, UTC unless they
 * give an offset), out of core; undefined when the cells so read are not the `n` non-empty cells
 * counted (a form DuckDB does not read).
 */
export function duckdbQuantiles(relation: string, k: number, n: number, what: string, signal?: AbortSignal, instants = false): Promise<number[] | undefined> {
  const read = instants ? `epoch_ms(try_cast(c${k} as timestamptz))` : `try_cast(c${k} as double)`;
  const values = `(select ${read} as v, ${read} as o from ${relation}) where v is not null`;
  return duckdbPass(what, signal, async (c) => {
    if (instants) await c.run("set TimeZone = 'UTC'");
    const counted = Number((await c.runAndReadAll(`select count(*) from ${values}`)).getRowsJS()[0]?.[0] ?? 0);
    if (counted !== n || n === 0) return undefined;
    return quantilePoints(await quantilesAt(c, values, n, Number));
  });
}
