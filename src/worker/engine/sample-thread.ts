/**
 * A sampling thread (see sample-threads.ts): for each model it is sent, starts the backend named
 * and rebuilds the model from its snapshot, then draws the chunks it is sent, one at a time, in
 * the order they come. Its heap is its own: it is collected whenever it has grown by a headroom
 * above what was alive (collect-garbage.ts), checked after every chunk, so it stays the same
 * however many chunks the thread draws.
 */
import v8 from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { toErrorShape } from '../../shared/errors';
import { initBackend } from './backend';
import { boundedHeap } from './collect-garbage';
import { restoreModel, type ThreadHeap, type ThreadMessage } from './sample-threads';
import { localRunner, type ChunkRunner } from './table-sample';

const models = new Map<number, Promise<ChunkRunner>>();
let queue: Promise<unknown> = Promise.resolve();
/**
 * Garbage allowed above a thread's live heap before a collection (DOPPEL_THREAD_HEAP_HEADROOM_MB
 * overrides it): less than the main thread's, a thread holds only a model and the chunk it draws.
 */
export const THREAD_HEADROOM_BYTES = 64 * 2 ** 20;
const headroomMb = Number(process.env['DOPPEL_THREAD_HEAP_HEADROOM_MB']);
const heap = boundedHeap(headroomMb > 0 ? headroomMb * 2 ** 20 : THREAD_HEADROOM_BYTES);
/** The highest heap seen after a chunk, before the check that may collect it. */
let highest = 0;

function heapFigures(): ThreadHeap {
  return { used: v8.getHeapStatistics().used_heap_size, highest, collections: heap.collections };
}

parentPort?.on('message', (m: ThreadMessage) => {
  if (m.type === 'model') {
    const ready = initBackend(m.snapshot.backend).then(() => localRunner(restoreModel(m.snapshot)));
    ready.catch(() => undefined);
    models.set(m.key, ready);
    return;
  }
  if (m.type === 'heap') {
    // Answered in turn with the chunks, so the figures cover every chunk asked for before.
    queue = queue.then(() => parentPort?.postMessage({ id: m.id, heap: heapFigures() }));
    return;
  }
  if (m.type === 'drop') {
    // Chunks of the model still queued are not drawn (the sampling stopped, or was canceled).
    const runner = models.get(m.key);
    models.delete(m.key);
    queue = queue.then(() => runner?.then((r) => r.close())).catch(() => undefined);
    return;
  }
  queue = queue.then(async () => {
    try {
      // A turn of the event loop first, so that a drop sent after this chunk is read before it is drawn.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const runner = models.get(m.key);
      if (!runner) throw new Error(`no model ${m.key} on this thread (its sampling stopped)`);
      parentPort?.postMessage({ id: m.id, cols: await (await runner).run(m.job) });
    } catch (e) {
      parentPort?.postMessage({ id: m.id, error: toErrorShape(e) });
    }
    highest = Math.max(highest, v8.getHeapStatistics().used_heap_size);
    heap.check();
  });
});
