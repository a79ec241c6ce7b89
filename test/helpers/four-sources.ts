/**
 * The same tables in the four kinds of source a whole-table statistic is taken from: a scratch
 * PostgreSQL and a scratch MariaDB database, a SQLite file and CSV files, made before the file's
 * tests and removed after them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { SynthesisConfig } from '../../src/shared';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import type { CellValue } from '../../src/shared/values';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from './db';
import { sourceConfig } from './pg-scratch';

export interface SourceColumn {
  name: string;
  /** `timestamp`: a date and time without a zone, given as `YYYY-MM-DD HH:MM:SS` text. */
  type: 'int' | 'text' | 'real' | 'timestamp';
  primaryKey?: boolean;
  notNull?: boolean;
  /** `table(column)` of the parent this column references (declared in the databases). */
  references?: string;
}

export interface SourceTable {
  name: string;
  columns: SourceColumn[];
  rows: CellValue[][];
  /** The rows of the MariaDB table when they differ (values its case-insensitive collation groups). */
  mariadbRows?: CellValue[][];
}

export interface FourSources {
  dir: string;
  /** PostgreSQL, MariaDB, SQLite and CSV, labelled for `describe.each`. */
  sources: Array<[label: string, spec: () => SourceSpec]>;
  pg: () => ScratchDatabase;
  /** The default config of a source (`meta` adds what files cannot declare), sampled to `maxTrainingRows`. */
  config(spec: SourceSpec, maxTrainingRows: number, meta?: (m: DatasetMetadata) => void): Promise<SynthesisConfig>;
}

const TYPES = {
  postgres: { int: 'integer', text: 'text', real: 'double precision', timestamp: 'timestamp' },
  mysql: { int: 'int', text: 'varchar(64)', real: 'double', timestamp: 'datetime' },
  sqlite: { int: 'integer', text: 'text', real: 'real', timestamp: 'datetime' },
} as const;
const ARRAYS = { int: 'int[]', text: 'text[]', real: 'float8[]', timestamp: 'timestamp[]' } as const;

function createTable(t: SourceTable, kind: keyof typeof TYPES): string {
  const q = (n: string): string => (kind === 'mysql' ? `\`${n}\`` : `"${n}"`);
  const cols = t.columns.map((c) => {
    const ref = c.references && /^(.+)\((.+)\)$/.exec(c.references);
    return [
      q(c.name),
      TYPES[kind][c.type],
      c.primaryKey ? 'PRIMARY KEY' : '',
      c.notNull ? 'NOT NULL' : '',
      ref ? `REFERENCES ${q(ref[1]!)}(${q(ref[2]!)})` : '',
    ]
      .filter(Boolean)
      .join(' ');
  });
  // A case-insensitive collation in MariaDB: "Gold" and "gold" are one group to the server but two values to the reader.
  return `CREATE TABLE ${q(t.name)} (${cols.join(', ')})${kind === 'mysql' ? ' COLLATE utf8mb4_general_ci' : ''}`;
}

/**
 * `tables` (parents first) in the four sources; `csv: 'file'` makes the CSV source the one
 * table's file rather than the folder. `name` names the scratch databases, the folder and the configs.
 */
export function useFourSources(name: string, tables: SourceTable[], opts: { csv?: 'file' | 'folder'; csvLabel?: string } = {}): FourSources {
  const dir = mkdtempSync(path.join(os.tmpdir(), `doppel-${name}-`));
  const sqlite = path.join(dir, `${name}.sqlite`);
  const csvDir = path.join(dir, 'csv');
  const csv = opts.csv === 'file' ? path.join(csvDir, `${tables[0]!.name}.csv`) : csvDir;
  let db: ScratchDatabase | undefined;
  let my: ScratchDatabase | undefined;

  beforeAll(async () => {
    db = await createPgDatabase(`doppel_${name}`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const t of tables) {
        await c.query(createTable(t, 'postgres'));
        const arrays = t.columns.map((col, j) => `$${j + 1}::${ARRAYS[col.type]}`).join(', ');
        await c.query(
          `INSERT INTO "${t.name}" SELECT * FROM unnest(${arrays})`,
          t.columns.map((_, j) => t.rows.map((r) => r[j])),
        );
      }
    } finally {
      await c.end();
    }

    my = await createMysqlDatabase(`doppel_${name}`);
    const m = await mysql.createConnection(my.url);
    try {
      for (const t of tables) {
        await m.query(createTable(t, 'mysql'));
        const rows = t.mariadbRows ?? t.rows;
        for (let i = 0; i < rows.length; i += 5000) await m.query(`INSERT INTO \`${t.name}\` VALUES ?`, [rows.slice(i, i + 5000)]);
      }
    } finally {
      await m.end();
    }

    const lite = new Database(sqlite);
    try {
      for (const t of tables) {
        lite.exec(createTable(t, 'sqlite'));
        const insert = lite.prepare(`INSERT INTO "${t.name}" VALUES (${t.columns.map(() => '?').join(', ')})`);
        lite.transaction(() => t.rows.forEach((r) => insert.run(...r)))();
      }
    } finally {
      lite.close();
    }

    mkdirSync(csvDir);
    for (const t of tables)
      writeFileSync(
        path.join(csvDir, `${t.name}.csv`),
        [t.columns.map((c) => c.name).join(','), ...t.rows.map((r) => r.map((v) => v ?? '').join(','))].join('\n'),
      );
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
    await my?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const made = (d: ScratchDatabase | undefined, what: string): ScratchDatabase => {
    if (!d) throw new Error(`the ${what} database of ${name} is not made yet`);
    return d;
  };
  return {
    dir,
    sources: [
      ['PostgreSQL', () => made(db, 'PostgreSQL').spec],
      ['MariaDB', () => made(my, 'MariaDB').spec],
      ['SQLite', () => ({ kind: 'sqlite', path: sqlite })],
      [opts.csvLabel ?? (opts.csv === 'file' ? 'a CSV file' : 'CSV files'), () => ({ kind: 'files', path: csv })],
    ],
    pg: () => made(db, 'PostgreSQL'),
    async config(spec, maxTrainingRows, meta) {
      const config = await sourceConfig(spec, name, meta);
      config.settings.maxTrainingRows = maxTrainingRows;
      return config;
    },
  };
}
