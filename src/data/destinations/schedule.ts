/**
 * Runs one job per item, at most `concurrency` at a time; an item starts only once every item it
 * depends on has finished (dependencies outside `items` are ignored, and a dependency cycle is
 * broken by starting its first item). The first failure stops new starts and aborts the running
 * jobs through their signal; it is thrown once every started job has settled.
 */
export async function runScheduled(
  items: string[],
  dependsOn: (item: string) => Iterable<string>,
  concurrency: number,
  job: (item: string, signal: AbortSignal) => Promise<void>,
  outer?: AbortSignal,
): Promise<void> {
  const ac = new AbortController();
  const forward = (): void => ac.abort();
  outer?.addEventListener('abort', forward, { once: true });
  if (outer?.aborted) ac.abort();
  const known = new Set(items);
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const pending = [...items];
  let failure: { error: unknown } | null = null;
  const ready = (item: string): boolean => [...dependsOn(item)].every((d) => d === item || !known.has(d) || done.has(d));
  const start = (index: number): void => {
    const item = pending.splice(index, 1)[0]!;
    const p = job(item, ac.signal)
      .then(
        () => void done.add(item),
        (error: unknown) => {
          if (!failure) {
            failure = { error };
            ac.abort();
          }
        },
      )
      .finally(() => running.delete(item));
    running.set(item, p);
  };
  try {
    while (pending.length || running.size) {
      while (!failure && pending.length && running.size < Math.max(1, concurrency)) {
        const i = pending.findIndex(ready);
        if (i < 0) {
          if (!running.size) start(0);
          break;
        }
        start(i);
      }
      if (!running.size) break;
      await Promise.race(running.values());
    }
  } finally {
    outer?.removeEventListener('abort', forward);
  }
  if (failure) throw (failure as { error: unknown }).error;
}
