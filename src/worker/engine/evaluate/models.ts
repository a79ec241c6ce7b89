/**
 * Two small, dependable models for the utility score, in plain TypeScript:
 * multinomial logistic regression (softmax, L2, mini-batch Adam) and ridge regression (closed
 * form, Cholesky). Inputs are row-major feature matrices from features.ts.
 */
import { runSteps, type Steps } from '../steps';
import { rng } from './sample';

export interface SoftmaxModel {
  classes: number;
  width: number;
  /** (width + 1) × classes, last row = bias. */
  weights: Float64Array;
}

interface SoftmaxOptions {
  epochs?: number;
  batch?: number;
  lr?: number;
  l2?: number;
  seed?: number;
}

export function trainSoftmax(x: Float64Array, y: Int32Array, width: number, classes: number, opts: SoftmaxOptions = {}): SoftmaxModel {
  return runSteps(softmaxSteps(x, y, width, classes, opts));
}

/** trainSoftmax in steps: a yield after each epoch. */
export function* softmaxSteps(x: Float64Array, y: Int32Array, width: number, classes: number, opts: SoftmaxOptions = {}): Steps<SoftmaxModel> {
  const n = y.length;
  const epochs = opts.epochs ?? 15;
  const batch = opts.batch ?? 256;
  const lr = opts.lr ?? 0.02;
  const l2 = opts.l2 ?? 1e-4;
  const random = rng(opts.seed ?? 11);
  const size = (width + 1) * classes;
  const w = new Float64Array(size);
  // Bias starts at the log class frequencies.
  const freq = new Float64Array(classes).fill(1);
  for (const c of y) freq[c]!++;
  for (let k = 0; k < classes; k++) w[width * classes + k] = Math.log(freq[k]! / (n + classes));
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const grad = new Float64Array(size);
  const p = new Float64Array(classes);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      grad.fill(0);
      for (let b = start; b < end; b++) {
        const r = order[b]!;
        const off = r * width;
        softmaxRow(w, x, off, width, classes, p);
        p[y[r]!]! -= 1;
        for (let f = 0; f < width; f++) {
          const xv = x[off + f]!;
          if (xv === 0) continue;
          const g = f * classes;
          for (let k = 0; k < classes; k++) grad[g + k]! += xv * p[k]!;
        }
        const g = width * classes;
        for (let k = 0; k < classes; k++) grad[g + k]! += p[k]!;
      }
      const scale = 1 / (end - start);
      step++;
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (let i = 0; i < size; i++) {
        const gi = grad[i]! * scale + (i < width * classes ? l2 * w[i]! : 0);
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        w[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
      }
    }
    yield;
  }
  return { classes, width, weights: w };
}

function softmaxRow(w: Float64Array, x: Float64Array, off: number, width: number, classes: number, out: Float64Array): void {
  const bias = width * classes;
  for (let k = 0; k < classes; k++) out[k] = w[bias + k]!;
  for (let f = 0; f < width; f++) {
    const xv = x[off + f]!;
    if (xv === 0) continue;
    const g = f * classes;
    for (let k = 0; k < classes; k++) out[k]! += xv * w[g + k]!;
  }
  let max = -Infinity;
  for (let k = 0; k < classes; k++) if (out[k]! > max) max = out[k]!;
  let sum = 0;
  for (let k = 0; k < classes; k++) {
    out[k] = Math.exp(out[k]! - max);
    sum += out[k]!;
  }
  for (let k = 0; k < classes; k++) out[k]! /= sum;
}

export function predictSoftmax(model: SoftmaxModel, x: Float64Array): Int32Array {
  const n = x.length / model.width;
  const out = new Int32Array(n);
  const p = new Float64Array(model.classes);
  for (let i = 0; i < n; i++) {
    softmaxRow(model.weights, x, i * model.width, model.width, model.classes, p);
    let best = 0;
    for (let k = 1; k < model.classes; k++) if (p[k]! > p[best]!) best = k;
    out[i] = best;
  }
  return out;
}

/** Ridge regression: weights (width + 1, last = intercept) solving (XᵀX + λI)w = Xᵀy. */
export function trainRidge(x: Float64Array, y: Float64Array, width: number, lambda = 1): Float64Array {
  const d = width + 1;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const n = y.length;
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < width; f++) row[f] = x[i * width + f]!;
    row[width] = 1;
    const yi = y[i]!;
    for (let p = 0; p < d; p++) {
      const rp = row[p]!;
      if (rp === 0) continue;
      b[p]! += rp * yi;
      for (let q = p; q < d; q++) a[p * d + q]! += rp * row[q]!;
    }
  }
  for (let p = 0; p < d; p++) {
    for (let q = 0; q < p; q++) a[p * d + q] = a[q * d + p]!;
    if (p < width) a[p * d + p]! += lambda;
    else a[p * d + p]! += 1e-9;
  }
  return choleskySolve(a, b, d);
}

function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) l[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * z[k]!;
    z[i] = s / l[i * d + i]!;
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * w[k]!;
    w[i] = s / l[i * d + i]!;
  }
  return w;
}

export function predictRidge(w: Float64Array, x: Float64Array, width: number): Float64Array {
  const n = x.length / width;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = w[width]!;
    for (let f = 0; f < width; f++) s += w[f]! * x[i * width + f]!;
    out[i] = s;
  }
  return out;
}

/** Accuracy and macro-F1 (over the classes present in truth or prediction, like scikit-learn). */
export function classificationScores(truth: Int32Array, pred: Int32Array, classes: number): { accuracy: number; macroF1: number } {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = pred[i]!;
    if (t === p) {
      correct++;
      tp[t]!++;
    } else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  let f1 = 0;
  let present = 0;
  for (let k = 0; k < classes; k++) {
    if (tp[k]! + fp[k]! + fn[k]! === 0) continue;
    present++;
    const denom = 2 * tp[k]! + fp[k]! + fn[k]!;
    f1 += denom === 0 ? 0 : (2 * tp[k]!) / denom;
  }
  return { accuracy: truth.length ? correct / truth.length : NaN, macroF1: present ? f1 / present : NaN };
}

/** Coefficient of determination R². */
export function r2Score(truth: Float64Array, pred: Float64Array): number {
  let mean = 0;
  for (const t of truth) mean += t;
  mean /= truth.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < truth.length; i++) {
    ssRes += (truth[i]! - pred[i]!) ** 2;
    ssTot += (truth[i]! - mean) ** 2;
  }
  return ssTot === 0 ? NaN : 1 - ssRes / ssTot;
}
