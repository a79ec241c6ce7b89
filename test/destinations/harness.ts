/** Shared pieces of the destination tests: fixture plan and rows, scratch destinations per dialect, readers. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseDestination, DestinationPlan } from '../../src/data/destinations/check';
import { openSource } from '../../src/data/sources/connector';
import type { TableMode } from '../../src/shared/config';
import type { TableMeta } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import type { Row, RowBatch } from '../../src/shared/values';
import { customers, fixtureRows, orders, relationships } from '../exporters/fixture';
import { createDatabase, type ScratchDatabase } from '../helpers/db';

export type Kind = 'sqlite' | 'postgres' | 'mysql';
export const plan: DestinationPlan = { tables: [orders, customers], relationships };
export const data = fixtureRows();
export const byTable: Record<string, Row[]> = { customers: data.customers, orders: data.orders };

export function reader(rows: Record<string, Row[]>, batch = 40, metas: TableMeta[] = [customers, orders]): (table: string) => AsyncIterable<RowBatch> {
  return async function* (table: string) {
    const cols = metas.find((t) => t.name === table)?.columns.map((c) => c.name) ?? [];
    const all = rows[table] ?? [];
    for (let i = 0; i < all.length; i += batch) yield { columns: cols, rows: all.slice(i, i + batch) };
  };
}

export const dest = (target: SourceSpec, tableMode: TableMode = 'create', parallel = 1): DatabaseDestination => ({
  kind: 'database',
  target,
  tableMode,
  batchSize: 100,
  parallel,
});

/** Each dialect gets a fresh database (or file) per test through this factory. */
export interface Fixture {
  spec(): Promise<SourceSpec>;
  exec(spec: SourceSpec, sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

export const tmp = mkdtempSync(join(tmpdir(), 'doppel-dest-'));

export function fixtureFor(kind: Kind): Fixture {
  const dbs: ScratchDatabase[] = [];
  return {
    spec: async () => {
      if (kind === 'sqlite') return { kind: 'sqlite', path: join(tmp, `d-${randomBytes(4).toString('hex')}.sqlite`) };
      const db = await createDatabase(kind);
      dbs.push(db);
      return db.spec;
    },
    exec: async (spec, sql) => {
      if (spec.kind === 'sqlite') {
        const db = new Database(spec.path);
        db.exec(sql);
        db.close();
      } else if (spec.kind === 'postgres') {
        const c = new pg.Client({ host: spec.host, port: spec.port, user: spec.user, database: spec.database });
        await c.connect();
        await c.query(sql);
        await c.end();
      } else if (spec.kind === 'mysql') {
        const c = await mysql.createConnection({ host: spec.host, port: spec.port, user: spec.user, database: spec.database, multipleStatements: true });
        await c.query(sql);
        await c.end();
      }
    },
    cleanup: async () => {
      for (const d of dbs) await d.drop();
    },
  };
}

export async function readAll(spec: SourceSpec): Promise<{ tables: Record<string, Row[]>; keys: { pk: Record<string, string[]>; fks: string[] } }> {
  const src = await openSource(spec);
  try {
    const meta = await src.introspect({ inferKeys: false });
    const tables: Record<string, Row[]> = {};
    const pk: Record<string, string[]> = {};
    for (const t of meta.tables) {
      pk[t.name] = t.primaryKey;
      const rows: Row[] = [];
      for await (const b of src.readTable(t.name)) rows.push(...b.rows);
      tables[t.name] = rows.sort((a, b) => Number(a[0]) - Number(b[0]));
    }
    return {
      tables,
      keys: { pk, fks: meta.relationships.map((r) => `${r.childTable}(${r.childColumns.join()})->${r.parentTable}(${r.parentColumns.join()})`) },
    };
  } finally {
    await src.close();
  }
}

/** Table names present in the destination (no rows read). */
export async function tableNames(spec: SourceSpec): Promise<string[]> {
  if (spec.kind === 'sqlite' && !existsSync(spec.path)) return [];
  const src = await openSource(spec);
  try {
    return (await src.introspect({ inferKeys: false, sampleRows: 1 })).tables.map((t) => t.name).sort();
  } finally {
    await src.close();
  }
}

/** Removes the temporary folder of SQLite destinations (call from afterAll). */
export function removeTmp(): void {
  rmSync(tmp, { recursive: true, force: true });
}
