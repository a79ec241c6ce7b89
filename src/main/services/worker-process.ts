import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running worker process as main sees it (child_process.fork here, utilityProcess in Electron). */
export interface WorkerHandle {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone, with its exit code (null when killed by a signal). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type SpawnWorker = () => WorkerHandle;

const here = path.dirname(fileURLToPath(import.meta.url));

/** Node options of every worker process (a large heap limit: the training rows and the model live in it). */
export const WORKER_NODE_OPTIONS = ['--max-old-space-size=8192'];

/**
 * The worker entry: the built bundle when present (out/worker/entry.js next to the main bundle),
 * else the TypeScript source run through tsx (development, tests, the CLI via `npm run doppel`).
 */
function workerEntry(name: 'entry' | 'site/entry' = 'entry'): { file: string; execArgv: string[] } {
  const built = path.resolve(here, `../worker/${name}.js`);
  if (existsSync(built)) return { file: built, execArgv: [] };
  return { file: path.resolve(here, `../../worker/${name}.ts`), execArgv: ['--import', 'tsx'] };
}

/**
 * Forks the site worker process of `doppel worker` (src/worker/site/entry.ts): its output goes to
 * this process's, its options are sent over IPC once it runs.
 */
export function forkSiteWorker(): ChildProcess {
  const entry = workerEntry('site/entry');
  return fork(entry.file, [], { execArgv: [...entry.execArgv, ...WORKER_NODE_OPTIONS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Forks the worker as a Node child process (headless: CLI, loopback host, tests). */
export const forkWorker: SpawnWorker = () => {
  const entry = workerEntry();
  const child = fork(entry.file, [], {
    execArgv: [...entry.execArgv, ...WORKER_NODE_OPTIONS],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m as never);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
    kill: () => {
      child.kill('SIGKILL');
    },
  };
};
