/**
 * `npm start`: the loopback host over the real services. Parses `--store <dir>` / `--port <n>`,
 * prints the URL (with its per-launch token) and closes cleanly on SIGINT / SIGTERM (running
 * executions are canceled first).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../../shared';
import { defaultStoreDir } from '../../data/store/index';
import { createServices, type Services } from '../services/index';
import { startHost, type Host } from './server';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The renderer build that `vite build` writes (vite.config.ts). */
export const defaultStaticDir = path.resolve(here, '../../../out/renderer');

export interface LaunchOptions {
  storeDir: string;
  staticDir?: string;
  port?: number;
  token?: string;
}

export interface Launched {
  host: Host;
  services: Services;
  /** Closes the host, cancels running executions and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Creates the services over the store and starts the host on 127.0.0.1. */
export async function launchHost(opts: LaunchOptions): Promise<Launched> {
  const services = createServices({ storeDir: opts.storeDir });
  let host: Host;
  try {
    host = await startHost({ backend: services.backend, staticDir: opts.staticDir ?? defaultStaticDir, port: opts.port, token: opts.token });
  } catch (e) {
    await services.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new AppError('BAD_REQUEST', `Port ${opts.port ?? 0} on 127.0.0.1 is already in use.`, {
        fix: 'Pick another one with --port, or leave it out for a free port.',
      });
    }
    throw e;
  }
  let closing: Promise<void> | null = null;
  return {
    host,
    services,
    close: () => {
      closing ??= (async () => {
        await host.close();
        await services.close();
      })();
      return closing;
    },
  };
}

export interface StartArgs {
  storeDir: string;
  port?: number;
}

/** `--store <dir>` (else DOPPEL_STORE, else ~/.doppel) and `--port <n>` (else a free port). */
export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): StartArgs {
  const { values } = parseArgs({ args: argv, options: { store: { type: 'string' }, port: { type: 'string' } }, strict: true, allowPositionals: false });
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new AppError('BAD_REQUEST', `--port "${values.port}" is not a port number.`, {
        fix: 'Use a whole number between 1 and 65535, or leave --port out.',
      });
    }
  }
  const storeDir = values.store ?? (env.DOPPEL_STORE ? env.DOPPEL_STORE : defaultStoreDir());
  return { storeDir: path.resolve(storeDir), ...(port !== undefined ? { port } : {}) };
}

async function main(): Promise<void> {
  let args: StartArgs;
  try {
    args = parseStartArgs(process.argv.slice(2));
  } catch (e) {
    const fix = isAppError(e) ? e.fix : 'Usage: npm start -- [--store <dir>] [--port <n>]';
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n${fix ? `fix: ${fix}\n` : ''}`);
    process.exitCode = 1;
    return;
  }
  const launched = await launchHost(args);
  process.stdout.write(`Doppel is running at ${launched.host.url}\n  project store: ${launched.services.store.dir}\n  press Ctrl+C to stop\n`);
  const stop = (signal: string): void => {
    process.stdout.write(`\nDoppel: ${signal}, stopping (running executions are canceled)…\n`);
    launched.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`error while stopping: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((e: unknown) => {
    const fix = isAppError(e) ? e.fix : undefined;
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n${fix ? `fix: ${fix}\n` : ''}`);
    process.exitCode = 1;
  });
}
