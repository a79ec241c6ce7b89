import path from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import type { DatasetMetadata, StorageType } from '../../src/shared/metadata';
import { validateConfig } from '../../src/shared/validation';
import type { RowBatch } from '../../src/shared/values';
import { initBackend } from '../../src/worker/engine/backend';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { chinookSalesConfig } from './chinook-config';
import { column, datasets, integrity, loadDataset, synthesizeInMemory } from './helpers';

type Loaded = Awaited<ReturnType<typeof loadDataset>>;

const pgType = (t: StorageType): string =>
  t === 'integer' || t === 'bigint' ? 'bigint' : t === 'float' || t === 'decimal' ? 'double precision' : t === 'date' || t === 'datetime' ? 'timestamp' : t === 'boolean' ? 'boolean' : 'text';

/** Creates the output tables with PK and FK constraints and inserts parents before children. */
async function writeToPostgres(db: ScratchDatabase, metadata: DatasetMetadata, config: SynthesisConfig, out: Record<string, RowBatch>, order: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const q = (s: string) => `"${s}"`;
  try {
    for (const name of order) {
      const meta = metadata.tables.find((t) => t.name === name)!;
      const cols = out[name]!.columns.map((c) => `${q(c)} ${pgType(meta.columns.find((m) => m.name === c)!.storageType)}`);
      const pk = config.tables[name]!.primaryKey;
      const fks = config.foreignKeys
        .filter((f) => f.childTable === name && order.includes(f.parentTable) && f.parentTable !== name)
        .map((f) => `FOREIGN KEY (${f.childColumns.map(q).join(',')}) REFERENCES ${q(f.parentTable)} (${f.parentColumns.map(q).join(',')})`);
      await client.query(`CREATE TABLE ${q(name)} (${[...cols, `PRIMARY KEY (${pk.map(q).join(',')})`, ...fks].join(', ')})`);
      const b = out[name]!;
      for (let i = 0; i < b.rows.length; i += 500) {
        const chunk = b.rows.slice(i, i + 500);
        const params: unknown[] = [];
        const tuples = chunk.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(',')})`);
        await client.query(`INSERT INTO ${q(name)} (${b.columns.map(q).join(',')}) VALUES ${tuples.join(',')}`, params);
      }
    }
  } finally {
    await client.end();
  }
}

let real: Loaded;
let config: SynthesisConfig;
let out: Record<string, RowBatch>;

describe('relational synthesis of chinook with original-data lookups', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    real = await loadDataset({ kind: 'sqlite', path: path.join(datasets, 'chinook', 'Chinook_Sqlite.sqlite') });
    config = chinookSalesConfig(real.config);
    config.settings.epochs = 3;
    out = await synthesizeInMemory({ config, metadata: real.metadata, tables: real.tables }, { rootRows: 120 });
  }, 240_000);

  it('validates once the self-referencing Employee is original data', () => {
    expect(validateConfig(real.config, real.metadata).some((p) => p.code === 'FK_SELF_REFERENCE' && p.table === 'Employee')).toBe(true);
    expect(validateConfig(config, real.metadata).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('copies original data verbatim and points lookup FKs at existing original rows', () => {
    for (const t of ['Employee', 'Track', 'Genre']) expect(out[t]!.rows).toEqual(real.tables[t]!.rows);
    expect(out.Playlist).toBeUndefined();
    for (const fk of config.foreignKeys.filter((f) => f.childTable !== f.parentTable && out[f.childTable] && out[f.parentTable])) {
      expect(integrity(out, fk), `${fk.childTable}.${fk.childColumns[0]}`).toBe(1);
    }
    // Lookup FKs are never left empty when the data has no empty ones.
    expect(column(out.InvoiceLine!, 'TrackId').every((v) => v !== null)).toBe(true);
    const support = column(out.Customer!, 'SupportRepId');
    expect(new Set(support.map(String)).size).toBeGreaterThan(1);
  });

  it('scales the root and keeps invoices per customer and lines per invoice in range', () => {
    expect(out.Customer!.rows.length).toBe(120);
    const ids = column(out.Customer!, 'CustomerId');
    expect(new Set(ids.map(String)).size).toBe(120);
    expect(ids.every((v) => Number.isInteger(v))).toBe(true);
    const perCustomer = out.Invoice!.rows.length / 120;
    expect(perCustomer).toBeGreaterThan(4);
    expect(perCustomer).toBeLessThan(10);
    const perInvoice = out.InvoiceLine!.rows.length / out.Invoice!.rows.length;
    expect(perInvoice).toBeGreaterThan(3);
    expect(perInvoice).toBeLessThan(8);
  });

  it('keeps parent-level values of siblings: all invoices of a customer share one billing address, as in the data', () => {
    const sharedShare = (b: RowBatch) => {
      const byCustomer = new Map<string, Set<string>>();
      const ci = b.columns.indexOf('CustomerId');
      const ai = b.columns.indexOf('BillingAddress');
      for (const r of b.rows) {
        const k = String(r[ci]);
        const set = byCustomer.get(k) ?? new Set<string>();
        set.add(String(r[ai]));
        byCustomer.set(k, set);
      }
      return [...byCustomer.values()].filter((s) => s.size === 1).length / byCustomer.size;
    };
    expect(sharedShare(real.tables.Invoice!)).toBe(1);
    expect(sharedShare(out.Invoice!)).toBe(1);
    expect(new Set(column(out.Invoice!, 'BillingAddress')).size).toBeGreaterThan(10);
  });

  it('writes to PostgreSQL with FK constraints enforced (the database proves integrity)', async () => {
    const db = await createPgDatabase('doppel_t_rel');
    try {
      const order = ['Genre', 'MediaType', 'Artist', 'Album', 'Track', 'Employee', 'Customer', 'Invoice', 'InvoiceLine'];
      await writeToPostgres(db, real.metadata, config, out, order);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM "InvoiceLine" l JOIN "Invoice" i ON i."InvoiceId" = l."InvoiceId" JOIN "Customer" c ON c."CustomerId" = i."CustomerId" JOIN "Track" t ON t."TrackId" = l."TrackId"');
        expect(Number(r.rows[0]!.n)).toBe(out.InvoiceLine!.rows.length);
      } finally {
        await client.end();
      }
    } finally {
      await db.drop();
    }
  }, 60_000);
});

