/**
 * Test fixtures for the report: public datasets read from ../shared/datasets with csv-parse,
 * and a quick "synthetic" side made by sampling every column independently (it keeps the column
 * shapes and loses the pair trends, which the report must show).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { defaultConfig, type DatasetMetadata, type Row, type RowBatch, type Sdtype, type SynthesisConfig } from '../../src/shared';
import { rng, sampleRows } from '../../src/worker/engine/evaluate/sample';

export const datasetsDir = process.env.DOPPEL_DATASETS ?? fileURLToPath(new URL('../../../shared/datasets', import.meta.url));

interface MetaJson {
  tables: Record<string, { file: string; primary_key: string | null; rows: number; columns: Record<string, Sdtype> }>;
  relationships?: { parent: string; parent_key: string; child: string; child_key: string }[];
}

export function readMeta(dataset: string): MetaJson {
  return JSON.parse(readFileSync(join(datasetsDir, dataset, 'meta.json'), 'utf8')) as MetaJson;
}

/** A table of a dataset as a RowBatch: numbers parsed for numerical and id columns, '' → null. */
export function readTable(dataset: string, table: string): RowBatch {
  const meta = readMeta(dataset).tables[table]!;
  const path = join(datasetsDir, dataset, meta.file);
  const text = path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('utf8') : readFileSync(path, 'utf8');
  const [header, ...records] = parse(text, { relax_column_count: true }) as string[][];
  const kinds = header!.map((c) => meta.columns[c]);
  const rows: Row[] = records.map((r) =>
    r.map((v, i) => {
      if (v === '') return null;
      const k = kinds[i];
      if (k === 'numerical' || k === 'id') {
        const n = Number(v);
        return Number.isFinite(n) ? n : v;
      }
      return v;
    }),
  );
  return { columns: header!, rows };
}

export function metadataOf(dataset: string, tables: Record<string, RowBatch>): DatasetMetadata {
  const meta = readMeta(dataset);
  return {
    tables: Object.entries(tables).map(([name, batch]) => {
      const t = meta.tables[name]!;
      return {
        name,
        rowCount: batch.rows.length,
        primaryKey: t.primary_key ? [t.primary_key] : [],
        columns: batch.columns.map((c) => ({
          name: c,
          sdtype: t.columns[c] ?? 'categorical',
          storageType: t.columns[c] === 'numerical' ? 'float' : 'string',
          nullable: true,
        })),
      };
    }),
    relationships: (meta.relationships ?? [])
      .filter((r) => tables[r.parent] && tables[r.child])
      .map((r) => ({ parentTable: r.parent, parentColumns: [r.parent_key], childTable: r.child, childColumns: [r.child_key], origin: 'declared' as const })),
  };
}

export function configOf(dataset: string, metadata: DatasetMetadata): SynthesisConfig {
  return defaultConfig(metadata, { kind: 'files', path: join(datasetsDir, dataset) }, { name: dataset });
}

/** Every column sampled independently from the real rows (seeded). */
export function independentSample(real: RowBatch, n: number, seed: number): RowBatch {
  const r = rng(seed);
  const m = real.rows.length;
  return { columns: real.columns, rows: Array.from({ length: n }, () => real.columns.map((_, j) => real.rows[Math.floor(r() * m)]![j]!)) };
}

export function adultInput(
  trainRows = 8000,
  holdoutRows = 4000,
): { config: SynthesisConfig; metadata: DatasetMetadata; train: RowBatch; holdout: RowBatch; synthetic: RowBatch } {
  const all = readTable('adult', 'adult_train');
  const r = rng(1);
  const train = sampleRows(all, trainRows, r);
  const holdout = sampleRows(readTable('adult', 'adult_test'), holdoutRows, r);
  const metadata = metadataOf('adult', { adult_train: train });
  const config = configOf('adult', metadata);
  config.name = 'Adult census';
  return { config, metadata, train, holdout, synthetic: independentSample(train, trainRows, 2) };
}

export function haveDataset(name: string): boolean {
  return existsSync(join(datasetsDir, name, 'meta.json'));
}

/**
 * A naive relational "synthesis" of a dataset: per table an independent-columns sample of the
 * same size, primary keys kept unique, each foreign key pointing at a uniformly random parent
 * row (integrity 1.0, child-count shape lost).
 */
export function relationalBaseline(metadata: DatasetMetadata, real: Record<string, RowBatch>, seed: number): Record<string, RowBatch> {
  const r = rng(seed);
  const out: Record<string, RowBatch> = {};
  for (const t of metadata.tables) {
    const batch = real[t.name]!;
    const syn = independentSample(batch, batch.rows.length, seed + t.name.length);
    for (const pk of t.primaryKey) {
      const j = batch.columns.indexOf(pk);
      syn.rows.forEach((row, i) => (row[j] = batch.rows[i]![j]!));
    }
    for (const fk of metadata.relationships.filter((x) => x.childTable === t.name)) {
      const parent = real[fk.parentTable]!;
      const pj = parent.columns.indexOf(fk.parentColumns[0]!);
      const cj = batch.columns.indexOf(fk.childColumns[0]!);
      for (const row of syn.rows) row[cj] = parent.rows[Math.floor(r() * parent.rows.length)]![pj]!;
    }
    out[t.name] = syn;
  }
  return out;
}

export function berkaInput(): {
  config: SynthesisConfig;
  metadata: DatasetMetadata;
  train: Record<string, RowBatch>;
  holdout: Record<string, RowBatch>;
  synthetic: Record<string, RowBatch>;
} {
  const names = Object.keys(readMeta('berka').tables);
  const real: Record<string, RowBatch> = {};
  for (const n of names) real[n] = readTable('berka', n);
  const metadata = metadataOf('berka', real);
  const config = configOf('berka', metadata);
  config.name = 'Berka bank';
  config.report = { targetTable: 'loan', targetColumn: 'status' };
  const train: Record<string, RowBatch> = {};
  const holdout: Record<string, RowBatch> = {};
  for (const n of names) {
    const b = real[n]!;
    const cut = Math.round(b.rows.length * 0.8);
    train[n] = { columns: b.columns, rows: b.rows.slice(0, cut) };
    holdout[n] = { columns: b.columns, rows: b.rows.slice(cut) };
  }
  return { config, metadata, train, holdout, synthetic: relationalBaseline(metadata, real, 9) };
}
