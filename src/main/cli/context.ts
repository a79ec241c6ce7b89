import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError, isAppError, synthesisConfigSchema, type SynthesisConfig } from '../../shared';
import { defaultStoreDir, openStore } from '../../data/store/index';
import { REPORT_JSON } from '../../data/store/workspace-files';
import { localOutputOf } from '../../shared/local-output';
import type { Services } from '../services/index';
import type { SiteQueue } from '../../shared/site';

/** The project store folder: --store, else DOPPEL_STORE, else the app's data folder. */
export function storeDirOf(cmd: Command): string {
  return cmd.optsWithGlobals<{ store?: string }>().store ?? defaultStoreDir();
}

/** Runs `fn` with the services over the store; always closes them. */
export async function withServices<T>(storeDir: string, fn: (s: Services) => Promise<T>, opts: { queue?: SiteQueue } = {}): Promise<T> {
  const { createServices } = await import('../services/index');
  const services = createServices({ storeDir, ...(opts.queue ? { queue: opts.queue } : {}) });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

/** An execution's files by id (or a unique id prefix), for `export` and `report`. */
export async function locateExecutionFile(execution: string, storeDir: string | undefined, file: 'output' | 'report'): Promise<string | null> {
  const dir = storeDir ?? defaultStoreDir();
  if (!existsSync(dir)) return null;
  const store = openStore(dir);
  try {
    const all = store.executions.list();
    const byPrefix = all.filter((e) => e.id.startsWith(execution));
    const match = all.find((e) => e.id === execution) ?? (byPrefix.length === 1 ? byPrefix[0] : undefined);
    if (!match) return null;
    return file === 'output' ? localOutputOf(match) : path.join(match.workspace, REPORT_JSON);
  } finally {
    store.close();
  }
}

/** Reads and checks a SynthesisConfig JSON file; every schema problem is listed. */
export function readConfigFile(file: string): SynthesisConfig {
  if (!existsSync(file))
    throw new AppError('NOT_FOUND', `The configuration file ${file} does not exist.`, { fix: 'Create one with `doppel init <source> -o config.json`.' });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, {
      fix: 'Fix the JSON syntax, or create a fresh file with `doppel init`.',
    });
  }
  const parsed = synthesisConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('CONFIG_INVALID', `${file} is not a valid Doppel configuration: ${where}`, {
      fix: 'Correct the fields named, or create a fresh file with `doppel init`.',
    });
  }
  return parsed.data;
}

/** Prints an error as every command does (message, then the fix) and sets the exit code: 1 user error, 2 internal. */
export function fail(e: unknown): void {
  if (isAppError(e) && e.code !== 'INTERNAL') {
    process.stderr.write(`error: ${e.message}\n${e.fix ? `fix: ${e.fix}\n` : ''}`);
    process.exitCode = 1;
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`internal error: ${message}\nfix: this is a bug in Doppel; run again with DOPPEL_DEBUG=1 for details and report it.\n`);
  if (process.env.DOPPEL_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 2;
}

/** Wraps a command action with the common error handling. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      fail(e);
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
