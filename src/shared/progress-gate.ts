/** How often progress may be shown or sent (the app and the CLI redraw at about 5 per second). */
export const PROGRESS_INTERVAL_MS = 200;

/** The one throttle of progress: `due()` is true at most once per interval (always with `force`). */
export interface ProgressGate {
  due(force?: boolean): boolean;
  /** The next `due()` passes (a new step starts). */
  reset(): void;
}

export function progressGate(intervalMs: number = PROGRESS_INTERVAL_MS, now: () => number = () => performance.now()): ProgressGate {
  let last = -Infinity;
  return {
    due(force = false) {
      const t = now();
      if (!force && t - last < intervalMs) return false;
      last = t;
      return true;
    },
    reset() {
      last = -Infinity;
    },
  };
}
