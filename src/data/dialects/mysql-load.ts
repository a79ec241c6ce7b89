import { Readable } from 'node:stream';
import { AppError } from '../../shared/errors';
import type { TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import { aligned, checkAbort, columnFormatters, textLines } from './load-rows';
import { wholeDateText } from './sqlite-values';
import { backquoted as quote } from './quoting';
import type { LoadOptions, WriteTarget } from './types';

/** MySQL/MariaDB: LOAD DATA LOCAL INFILE from a stream when the server allows it, else multi-row INSERTs. */
export async function loadMysql(c: WriteTarget, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions): Promise<number> {
  const conn = c.mysql!;
  const types = t.columns.map((c) => c.storageType);
  const cols = t.columns.map((col) => quote(col.name)).join(', ');
  let n = 0;
  const names = t.columns.map((col) => col.name);
  const formats = columnFormatters(types, false, names);
  if (o.localInfile) {
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
      sql: `LOAD DATA LOCAL INFILE 'doppel-stream' INTO TABLE ${o.into ?? c.qualified(t.name)} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${cols})`,
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
      row.map((v, i) => (v instanceof Date ? wholeDateText(v, types[i] === 'date' || types[i] === 'time' ? types[i] : 'datetime', 'mysql', names[i]) : v)),
    );
    for (let i = 0; i < r.length; i += chunk) await conn.query(`INSERT INTO ${o.into ?? c.qualified(t.name)} (${cols}) VALUES ?`, [r.slice(i, i + chunk)]);
    n += batch.rows.length;
    o.onRows(batch.rows.length);
  }
  return n;
}
