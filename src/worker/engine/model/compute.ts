/**
 * The seam between the model and the hardware: a Trainer fits the network, a Sampler draws rows
 * from it. Two implementations:
 *
 * - `host`: today's code tuned for WASM and the pure-JS CPU backend — batches are one-hot rows
 *   built in host memory and uploaded per step, and the sampler draws tokens on the host from
 *   logits read straight out of WASM memory.
 * - `device`: for the native TensorFlow backends (tfjs-node, tfjs-node-gpu; optional, not
 *   installed by default): the token matrix is uploaded once and every batch is gathered and
 *   one-hot encoded on the device, so a GPU is not fed over the host link each step; sampling
 *   keeps a chunk's activations, logits and draws on the device and reads its tokens back once
 *   (device-sampler.ts), with the host sampler's uniforms, so it gives the same rows.
 *
 * Both train the same model and sample the same rows from the same seed; `computeFor` picks by backend.
 */
import { tf } from '../backend';
import type { BackendName } from '../backend';
import { createDeviceSampler } from './device-sampler';
import { createSampler, type Sampler, type SamplingNet } from './sampler';
import { hostBatches, train, type BatchSourceFactory, type TrainData, type TrainedNet, type TrainOptions } from './trainer';

export interface Trainer {
  train(data: TrainData, opts: TrainOptions): Promise<TrainedNet>;
}

export interface SamplerFactory {
  sampler(net: SamplingNet): Sampler;
}

export interface Compute extends Trainer, SamplerFactory {
  readonly kind: 'host' | 'device';
}

/** Batches gathered on the device from the token matrix uploaded once. */
export const deviceBatches: BatchSourceFactory = (data, offs, C) => {
  const J = data.tokens.length;
  const flat = new Int32Array(data.n * J);
  for (let j = 0; j < J; j++) {
    const t = data.tokens[j]!;
    const o = offs[j]!;
    for (let r = 0; r < data.n; r++) flat[r * J + j] = o + t[r]!;
  }
  const tokens = tf.tensor2d(flat, [data.n, J], 'int32');
  const K = data.contextDim ?? 0;
  const context = K > 0 && data.context ? tf.tensor2d(data.context, [data.n, K]) : null;
  return {
    batch(idx, start, end, transposed = false) {
      const rows = tf.tensor1d(idx.subarray(start, end), 'int32');
      const X = tf.tidy(() => tf.cast(tf.sum(tf.oneHot(tf.gather(tokens, rows), C), 1), 'float32')) as tf.Tensor2D;
      const Z = context ? (tf.gather(context, rows) as tf.Tensor2D) : null;
      rows.dispose();
      return transposed ? { X, Z, XT: tf.transpose(X) as tf.Tensor2D } : { X, Z };
    },
    dispose() {
      tokens.dispose();
      context?.dispose();
    },
  };
};

export const hostCompute: Compute = {
  kind: 'host',
  train: (data, opts) => train(data, { ...opts, batches: hostBatches }),
  sampler: createSampler,
};

export const deviceCompute: Compute = {
  kind: 'device',
  train: (data, opts) => train(data, { ...opts, batches: deviceBatches }),
  sampler: createDeviceSampler,
};

/** The implementation for a backend: device-resident on the native TensorFlow backends, host-built elsewhere. */
export function computeFor(backend: BackendName | null): Compute {
  return backend === 'tensorflow' || backend === 'tensorflow-gpu' ? deviceCompute : hostCompute;
}
