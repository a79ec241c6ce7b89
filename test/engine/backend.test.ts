import { describe, expect, it } from 'vitest';
import { currentBackend, initBackend, tf } from '../../src/worker/engine/backend';

describe('backend selection', () => {
  it('falls back to a backend that loads and computes (native binaries are absent here)', async () => {
    const listeners = process.listeners('uncaughtException').length;
    const name = await initBackend('auto');
    // The WASM glue's rethrowing crash handlers are removed: the worker keeps its own.
    expect(process.listeners('uncaughtException').length).toBe(listeners);
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(name);
    expect(currentBackend()).toBe(name);
    const c = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await c.data())).toEqual([11]);
    c.dispose();
  });

  it('forces the pure-JS backend for device cpu', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
