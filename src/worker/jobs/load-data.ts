import { createHash } from 'node:crypto';
import type { SynthesisConfig } from '../../shared/config';
import { includedColumns } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { DatasetMetadata, TableMeta } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import { openSource } from '../../data/sources/connector';

export interface LoadedData {
  metadata: DatasetMetadata;
  tables: Record<string, RowBatch>;
  /** Schema + row counts + content hash of what was read (for the audit trail). */
  fingerprint: { schemaHash: string; contentHash: string; rows: Record<string, number> };
}

/** A stable text of a cell for hashing (dates by time, types kept apart). */
function cellText(v: Row[number]): string {
  if (v === null) return '\u0000';
  if (v instanceof Date) return `d${v.getTime()}`;
  return `${typeof v}:${String(v)}`;
}

/**
 * Data loading: introspects the source and reads the included columns of every table that is
 * synthesized or kept as original data, in batches, with progress over all rows to read.
 */
export async function loadData(
  config: SynthesisConfig,
  opts: { password?: string; signal?: AbortSignal; onProgress?: (done: number, total: number, table: string) => void },
): Promise<LoadedData> {
  const source = await openSource(config.source, { password: opts.password });
  try {
    const full = await source.introspect({ inferKeys: false });
    const wanted = Object.entries(config.tables).filter(([, t]) => t.treatment !== 'exclude');
    const metaTables: TableMeta[] = [];
    for (const [name] of wanted) {
      const meta = full.tables.find((t) => t.name === name);
      if (!meta) {
        throw new AppError('TABLE_NOT_FOUND', `Table "${name}" of the configuration is not in the source any more.`, {
          fix: 'Open the synthesis, refresh the source and unselect or re-add the table.',
        });
      }
      metaTables.push(meta);
    }
    const metadata: DatasetMetadata = { tables: metaTables, relationships: config.foreignKeys };
    const counts = await Promise.all(wanted.map(([name]) => source.countRows(name)));
    const total = counts.reduce((a, b) => a + b, 0);
    const tables: Record<string, RowBatch> = {};
    const content = createHash('sha256');
    const rows: Record<string, number> = {};
    let done = 0;
    for (const [name, tableConfig] of wanted) {
      const columns = includedColumns(tableConfig);
      const meta = metaTables.find((t) => t.name === name)!;
      const missing = columns.filter((c) => !meta.columns.some((m) => m.name === c));
      if (missing.length > 0) {
        throw new AppError('CONFIG_INVALID', `Table "${name}" has no column ${missing.map((c) => `"${c}"`).join(', ')} any more.`, {
          fix: 'Open the synthesis and unselect the missing columns.',
        });
      }
      const all: Row[] = [];
      content.update(`\u0002${name}\u0002${columns.join('\u0001')}`);
      for await (const batch of source.readTable(name, { columns, signal: opts.signal })) {
        for (const r of batch.rows) {
          all.push(r);
          content.update(r.map(cellText).join('\u0001'));
        }
        done += batch.rows.length;
        opts.onProgress?.(done, total, name);
      }
      tables[name] = { columns, rows: all };
      rows[name] = all.length;
      if (config.source.kind === 'files') widenGuessedTypes(meta, tables[name]);
    }
    const schemaHash = createHash('sha256')
      .update(JSON.stringify(metaTables.map((t) => ({ name: t.name, columns: t.columns.map((c) => [c.name, c.storageType]), pk: t.primaryKey }))))
      .digest('hex');
    return { metadata, tables, fingerprint: { schemaHash, contentHash: content.digest('hex'), rows } };
  } finally {
    await source.close();
  }
}

const TYPED = new Set(['boolean', 'integer', 'bigint', 'float', 'decimal', 'date', 'datetime']);

/**
 * A file column's type is a guess from a sample: when a later value did not convert to it (a
 * text "Steady" in a column sampled as yes/no), the column is text, so the output can hold it.
 */
function widenGuessedTypes(meta: TableMeta, batch: RowBatch): void {
  batch.columns.forEach((name, i) => {
    const col = meta.columns.find((c) => c.name === name);
    if (!col || !TYPED.has(col.storageType)) return;
    // (Big integers stay texts of digits on purpose: beyond 2^53 a JS number would round them.)
    const unconverted = (v: unknown): boolean => typeof v === 'string' && !(col.storageType === 'bigint' && /^\s*-?\d+\s*$/.test(v));
    if (batch.rows.some((r) => unconverted(r[i]))) col.storageType = 'string';
  });
}
