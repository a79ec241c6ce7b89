/**
 * Long computations written as generators that yield between their pieces of work (a table, a
 * column pair, a block of rows). Run at once they are plain functions; run pausing, the caller
 * awaits between pieces (the worker lets a cancel be heard there).
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs the steps to the end at once. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs the steps, awaiting `pause` between them (a throw from it stops the steps). */
export async function runStepsPausing<T>(steps: Steps<T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}
