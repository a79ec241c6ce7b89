/**
 * A full garbage collection of this process's JavaScript heap, run by the job runner between
 * steps. V8 collects its old generation only when it reaches a limit set from the heap it found
 * alive last time, so the garbage of a step (training's batches, the synthesis's rows) would
 * otherwise be carried into the next one and add to its peak, by an amount that depends on where
 * the collector happened to be rather than on the data. Collecting at the step's start makes the
 * peak of the synthesis and of the report the same whatever the output's row count.
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
