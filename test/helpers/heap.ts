import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The live heap once the last awaited work has let go of its objects. */
export async function liveHeap(): Promise<number> {
  await new Promise((r) => setTimeout(r, 50));
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * What `fn` gives, and the peak growth of the live heap while it runs (collected every `everyMs`),
 * with how often it was sampled. With `blocking` (a synchronous call such as SQLite's, during
 * which the timer cannot run), the heap right as it ends, not collected, counts too: it still
 * holds what the call allocated; for other calls that read would count garbage not yet collected.
 */
export async function peakHeapGrowth<T>(fn: () => Promise<T>, everyMs = 25, blocking = false): Promise<{ result: T; peak: number; samples: number }> {
  const base = await liveHeap();
  let peak = -Infinity;
  let samples = 0;
  const probe = setInterval(() => {
    gc();
    samples++;
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  }, everyMs);
  try {
    const result = await fn();
    if (blocking || samples === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    return { result, peak, samples };
  } finally {
    clearInterval(probe);
  }
}

export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
