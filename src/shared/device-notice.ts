import type { Device } from './config';

/**
 * What the user is told when the compute device asked for in the settings was not available and
 * the engine ran on another backend (null when it ran where asked, or when `auto` chose).
 */
export function deviceNotice(requested: Device, backend: string): string | null {
  if (requested === 'gpu' && backend !== 'tensorflow-gpu') {
    return (
      `The GPU was requested but is not available here, so the model ran on the ${backend} backend instead (slower on large tables). ` +
      'To train on the GPU, install @tensorflow/tfjs-node-gpu with a matching CUDA runtime; or set the compute device to Auto.'
    );
  }
  if (requested === 'wasm' && backend !== 'wasm') {
    return `The WASM backend was requested but could not start, so the model ran on the ${backend} backend instead. Set the compute device to Auto to stop this notice.`;
  }
  return null;
}
