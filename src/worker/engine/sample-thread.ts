/**
 * A sampling thread (see sample-threads.ts): for each model it is sent, starts the backend named
 * and rebuilds the model from its snapshot, then draws the chunks it is sent, one at a time, in
 * the order they come.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorShape } from '../../shared/errors';
import { initBackend } from './backend';
import { restoreModel, type ThreadMessage } from './sample-threads';
import { localRunner, type ChunkRunner } from './table-sample';

const models = new Map<number, Promise<ChunkRunner>>();
let queue: Promise<unknown> = Promise.resolve();

parentPort?.on('message', (m: ThreadMessage) => {
  if (m.type === 'model') {
    const ready = initBackend(m.snapshot.backend).then(() => localRunner(restoreModel(m.snapshot)));
    ready.catch(() => undefined);
    models.set(m.key, ready);
    return;
  }
  const runner = models.get(m.key);
  if (m.type === 'drop') {
    models.delete(m.key);
    queue = queue.then(() => runner?.then((r) => r.close())).catch(() => undefined);
    return;
  }
  queue = queue.then(async () => {
    try {
      if (!runner) throw new Error(`no model ${m.key} on this thread`);
      parentPort?.postMessage({ id: m.id, cols: await (await runner).run(m.job) });
    } catch (e) {
      parentPort?.postMessage({ id: m.id, error: toErrorShape(e) });
    }
  });
});
