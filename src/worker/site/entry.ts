/**
 * The process of `doppel worker`: started by the CLI, which sends the options over IPC (the queue
 * URL may hold a password). It serves until told to stop (SIGTERM/SIGINT: the running job ends
 * first) or until its parent is gone, when it leaves at once like a killed process: whatever it
 * was doing is retried by the other workers.
 */
import { siteWorkerOptionsSchema } from '../../shared/site';
import { toErrorShape } from '../../shared/errors';
import { startSiteWorker, type SiteWorker } from './serve';

const say = (line: string): void => void process.stderr.write(`[doppel worker] ${line}\n`);

process.on('disconnect', () => process.exit(1));

let worker: SiteWorker | null = null;
let stopping = false;
const stop = (): void => {
  if (stopping) process.exit(130);
  stopping = true;
  say('stopping after the running job (send the signal again to stop at once)');
  void (worker?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.once('message', (raw: unknown) => {
  const parsed = siteWorkerOptionsSchema.safeParse((raw as { options?: unknown } | null)?.options);
  if (!parsed.success) {
    say(`invalid options: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    process.exit(2);
  }
  startSiteWorker(parsed.data, say)
    .then((w) => {
      worker = w;
      process.send?.({ type: 'serving', worker: w.name });
    })
    .catch((e: unknown) => {
      const error = toErrorShape(e);
      process.stderr.write(`error: ${error.message}\n${error.fix ? `fix: ${error.fix}\n` : ''}`);
      process.exit(1);
    });
});
