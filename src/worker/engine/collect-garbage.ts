/**
 * Full garbage collections of this thread's JavaScript heap, run by the job runner (and by each
 * sampling thread on its own heap, sample-thread.ts). V8 collects
 * its old generation when it reaches a limit set from the heap it found alive last time, times a
 * factor it picks from how fast the program allocates; over a long synthesis (rows made, written
 * and dropped by the million) the collections come at heights that vary from one to the next, so
 * the highest of them, the worker's peak, rose with the number of rows. Collecting at a step's
 * start (so it does not carry the garbage of the step before) and whenever the heap has grown by
 * a set headroom above what was alive makes the peak the same whatever the output's row count.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

export function collectGarbage(): void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      // The collector is reachable from a context created while --expose-gc is set; the flag is then unset again.
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  collect();
}

/** Garbage allowed above the live heap before a collection: at least this, or half the live heap (a collection's cost grows with it). */
export const MIN_HEADROOM_BYTES = 128 * 2 ** 20;

/**
 * Collects now, then returns a check to call as work goes (once per batch): it collects again
 * when the heap has grown by more than the headroom since the last collection. The heap then
 * stays under what was alive plus the headroom, however long the work runs.
 */
export function boundedHeap(minHeadroom = MIN_HEADROOM_BYTES): { check(): void; readonly collections: number } {
  let collections = 0;
  let live = 0;
  let limit = 0;
  const used = (): number => v8.getHeapStatistics().used_heap_size;
  const run = (): void => {
    collectGarbage();
    collections++;
    live = used();
    limit = live + Math.max(minHeadroom, live / 2);
  };
  run();
  return {
    check() {
      if (used() > limit) run();
    },
    get collections() {
      return collections;
    },
  };
}
