/**
 * The worker process: a thin adapter between the parent (child_process.fork headless, Electron's
 * utilityProcess in the desktop shell) and the job runner. It receives one `start` command, then
 * possibly `cancel`; it sends JobEvents; it exits when the job is over.
 */
import { toErrorShape } from '../shared/errors';
import { workerCommandSchema, type JobEvent } from '../shared/job';
import { runJob } from './jobs/run-job';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(event: JobEvent): void {
  if (parentPort) parentPort.postMessage(event);
  else process.send?.(event);
}

function onMessage(listener: (message: unknown) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data));
  else process.on('message', listener);
}

const controller = new AbortController();
let started = false;

onMessage((raw) => {
  const parsed = workerCommandSchema.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'error', error: { code: 'INTERNAL', message: `The worker got an invalid command: ${parsed.error.issues[0]?.message ?? 'unknown'}` } });
    return;
  }
  const cmd = parsed.data;
  if (cmd.type === 'cancel') {
    controller.abort();
    return;
  }
  if (started) return;
  started = true;
  runJob(cmd, send, controller.signal)
    .catch((e: unknown) => send({ type: 'error', error: toErrorShape(e) }))
    .finally(() => {
      // Let the last message flush, then leave (a pending tfjs/wasm handle must not keep us alive).
      setTimeout(() => process.exit(0), 50);
    });
});
