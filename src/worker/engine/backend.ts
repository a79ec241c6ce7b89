/**
 * TensorFlow.js backend selection. The engine is written against `@tensorflow/tfjs-core` ops
 * (import `tf` from this module) and runs on the best backend present:
 * tfjs-node-gpu (CUDA) → tfjs-node (native CPU) → WASM → pure JS cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Device } from '../../shared/config';
import { hasNativeBinding } from '../../data/platform/backend-probe';

export { tf };

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

const requireHere = createRequire(import.meta.url);
let current: BackendName | null = null;

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', name: string): Promise<boolean> {
  if (!hasNativeBinding(pkg)) return false;
  try {
    // The native packages register the 'tensorflow' backend on import; their binary is often missing.
    await import(/* @vite-ignore */ pkg);
    if (!tf.findBackend(name) && !tf.findBackendFactory(name)) return false;
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * The WASM module's emscripten glue installs process-wide `uncaughtException` /
 * `unhandledRejection` handlers that rethrow (and print the whole minified module). Remove the
 * ones it added so the worker's own error handling stays in charge.
 */
async function withoutEmscriptenHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const before = { ex: process.listeners('uncaughtException'), rej: process.listeners('unhandledRejection') };
  try {
    return await fn();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!before.ex.includes(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.rej.includes(l)) process.removeListener('unhandledRejection', l);
  }
}

async function tryWasm(): Promise<boolean> {
  return withoutEmscriptenHandlers(tryWasmInner);
}

async function tryWasmInner(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Resolve the .wasm binaries from node_modules so it works from tsx, vitest and the bundled app.
    const dir = path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dir + path.sep);
    if (!tf.findBackendFactory('wasm')) return false;
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Picks and initialises a backend. `auto`/`gpu` try the native GPU then CPU builds first;
 * `wasm` starts at WASM; `cpu` forces the pure-JS backend. Returns the backend in use.
 * Idempotent: a second call with the same device returns at once.
 */
export async function initBackend(device: Device = 'auto'): Promise<BackendName> {
  if (current && (device === 'auto' || (device === 'cpu') === (current === 'cpu'))) return current;
  // Production mode: no debug checks and no "install tfjs-node" banner on the cpu backend.
  tf.env().set('PROD', true);
  let chosen: BackendName | null = null;
  if (device === 'auto' || device === 'gpu') {
    if (await tryNative('@tensorflow/tfjs-node-gpu', 'tensorflow')) chosen = 'tensorflow-gpu';
    else if (await tryNative('@tensorflow/tfjs-node', 'tensorflow')) chosen = 'tensorflow';
  }
  if (!chosen && device !== 'cpu' && (await tryWasm())) chosen = 'wasm';
  if (!chosen) {
    await tf.setBackend('cpu');
    chosen = 'cpu';
  }
  await tf.ready();
  current = chosen;
  return chosen;
}

/** The backend in use, or null before initBackend. */
export function currentBackend(): BackendName | null {
  return current;
}

/** tf.tidy for any result shape (objects with null fields included); tensors inside are kept. */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}
