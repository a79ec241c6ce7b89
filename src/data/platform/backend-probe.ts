/**
 * Which compute backend a job will get, without loading TensorFlow.js (main uses it for
 * `app.info` and the wizard's device setting; the worker's initBackend makes the real choice).
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const requireHere = createRequire(import.meta.url);

/** True when the native addon of a tfjs-node package is present (importing without it throws noisily). */
export function hasNativeBinding(pkg: string): boolean {
  try {
    const lib = path.join(path.dirname(requireHere.resolve(`${pkg}/package.json`)), 'lib');
    return fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

/** The best backend present: tensorflow-gpu, tensorflow (native CPU), wasm or cpu. */
export function probeBackend(): 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' {
  if (hasNativeBinding('@tensorflow/tfjs-node-gpu')) return 'tensorflow-gpu';
  if (hasNativeBinding('@tensorflow/tfjs-node')) return 'tensorflow';
  try {
    requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    return 'wasm';
  } catch {
    return 'cpu';
  }
}
