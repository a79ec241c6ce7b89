import { once } from 'node:events';
import { from as copyFrom } from 'pg-copy-streams';
import type { TableMeta } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import { aligned, checkAbort, columnFormatters, textLines } from './load-rows';
import { binaryEncoders, binaryHeader, binaryTrailer, binaryTuples, binaryWritable } from './pg-binary';
import { doubleQuoted as quote } from './quoting';
import type { CopySink, LoadOptions, WriteTarget } from './types';

/** The type OIDs of a table's columns, by name. */
async function columnOids(c: WriteTarget, sqlName: string): Promise<Map<string, number>> {
  const rows = await c.query(
    'select attname as name, atttypid::int as oid from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped',
    [sqlName],
  );
  return new Map(rows.map((r) => [String(r.name), Number(r.oid)]));
}

/**
 * Starts a COPY FROM STDIN written with backpressure, in binary when every column type has a
 * binary encoder (the server then parses no text), else in text.
 */
export async function openPgCopy(
  c: WriteTarget,
  t: TableMeta,
  o: Omit<LoadOptions, 'batchSize' | 'onRows'> & { onRows?: (n: number) => void },
): Promise<CopySink> {
  const client = c.pg!;
  const target = o.into ?? c.qualified(t.name);
  const cols = t.columns.map((col) => quote(col.name)).join(', ');
  const oids = await columnOids(c, target);
  const typed = t.columns.map((c) => ({ name: c.name, oid: oids.get(c.name) ?? 0, storage: c.storageType }));
  const binary = !o.textCopy && binaryWritable(typed.map((c) => c.oid));
  const stream = client.query(copyFrom(`COPY ${target} (${cols}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`));
  const formats = columnFormatters(
    t.columns.map((c) => c.storageType),
    true,
    t.columns.map((c) => c.name),
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
export async function loadPostgres(c: WriteTarget, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions): Promise<number> {
  const copy = await openPgCopy(c, t, o);
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
