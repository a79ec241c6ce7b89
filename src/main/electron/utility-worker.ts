import path from 'node:path';
import { utilityProcess } from 'electron';
import { WORKER_NODE_OPTIONS, type SpawnWorker, type WorkerHandle } from '../services/worker-process';

/**
 * Starts the synthesis worker as an Electron utilityProcess (a Node process without a window,
 * managed by Electron). `workerFile` is the built worker bundle (out/main/worker/entry.js).
 */
export function utilityWorkerLauncher(workerFile: string): SpawnWorker {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(workerFile, [], {
      serviceName: 'Doppel synthesis worker',
      stdio: 'inherit',
      cwd: path.dirname(workerFile),
      execArgv: WORKER_NODE_OPTIONS,
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => {
        child.on('message', (message: unknown) => listener(message));
      },
      // utilityProcess reports only an exit code; a crash (signal) shows as a non-zero code.
      onExit: (listener) => {
        child.once('exit', (code: number) => listener(code, null));
      },
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
