import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { CellValue, RowBatch } from '../../src/shared/values';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `doppel` CLI (tsx) in a subprocess with its own project store. */
export function doppel(args: string[], opts: { store: string; env?: Record<string, string>; cwd?: string } = { store: '' }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main/cli/index.ts'), ...args], {
      cwd: opts.cwd ?? root,
      env: { ...process.env, DOPPEL_STORE: opts.store, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `doppel-${prefix}-`));
}

/** A whole table of an SQLite file (an output or a source), read-only. */
export function sqliteTable(file: string, table: string): RowBatch {
  const db = new Database(file, { readonly: true });
  try {
    const stmt = db.prepare(`SELECT * FROM "${table}"`).raw();
    return { columns: stmt.columns().map((c) => c.name), rows: stmt.all() as CellValue[][] };
  } finally {
    db.close();
  }
}
