import { describe, expect, it } from 'vitest';
import { progressGate, PROGRESS_INTERVAL_MS } from '../../src/shared/progress-gate';

describe('progress throttle', () => {
  it('lets one report through per interval, a forced one always, and starts afresh after reset', () => {
    let t = 0;
    const gate = progressGate(PROGRESS_INTERVAL_MS, () => t);
    const passed: number[] = [];
    for (t = 0; t < 1000; t += 10) if (gate.due()) passed.push(t);
    expect(passed).toEqual([0, 200, 400, 600, 800]);
    t = 900;
    expect(gate.due()).toBe(false);
    expect(gate.due(true)).toBe(true);
    gate.reset();
    expect(gate.due()).toBe(true);
  });
});
