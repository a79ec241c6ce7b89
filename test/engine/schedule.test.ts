import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { cosineLr, train, type TrainData, type TrainOptions } from '../../src/worker/engine/model/trainer';
import { disposeMasks, disposeParams } from '../../src/worker/engine/model/network';
import { createRng } from '../../src/worker/engine/rng';
import { chooseTrainOptions } from '../../src/worker/engine/table-model';
import { settings } from './helpers';

// The learning-rate schedule: 'cosine' (the default) plans its epochs from the data size, warms up,
// then decays to a floor at the end of the plan; 'plateau' keeps the rate and halves it when the
// validation loss stalls. Early stopping ends either one once the validation loss stops improving.

beforeAll(async () => {
  await initBackend('cpu');
});

const cards = [4, 6, 3];
const stepsPerEpoch = (n: number, o: TrainOptions): number => Math.ceil((n * (1 - o.valFraction)) / o.batchSize);

describe('planned schedule from the data size', () => {
  it('is cosine by default, with a peak above the plateau rate, a 5% warm-up and a 2% floor', () => {
    const cosine = chooseTrainOptions(10_000, cards, settings());
    const plateau = chooseTrainOptions(10_000, cards, settings({ trainingSchedule: 'plateau' }));
    expect(cosine.schedule).toMatchObject({ kind: 'cosine', floor: 0.02 });
    expect(plateau.schedule).toEqual({ kind: 'plateau' });
    expect(cosine.lr).toBeCloseTo(1.25 * plateau.lr, 10);
    const warmup = cosine.schedule?.kind === 'cosine' ? cosine.schedule.warmupSteps : NaN;
    expect(warmup).toBe(Math.round(0.05 * cosine.maxEpochs * stepsPerEpoch(10_000, cosine)));
    // The plateau schedule keeps the preset's epoch cap (early stopping ends it); the cosine plan is shorter.
    expect(plateau.maxEpochs).toBe(60);
    expect(cosine.maxEpochs).toBeLessThan(plateau.maxEpochs);
  });

  it('plans about 450 optimizer steps, at least 12 epochs and at most the preset cap', () => {
    const sizes = [200, 1000, 5000, 20_000, 50_000, 200_000];
    const plans = sizes.map((n) => ({ n, o: chooseTrainOptions(n, cards, settings()) }));
    for (const { n, o } of plans) {
      expect(o.maxEpochs).toBeGreaterThanOrEqual(12);
      expect(o.maxEpochs).toBeLessThanOrEqual(60);
      const steps = o.maxEpochs * stepsPerEpoch(n, o);
      // Either the plan reaches its steps, or the preset's epoch cap stops it first.
      if (o.maxEpochs < 60) expect(steps).toBeGreaterThanOrEqual(450);
      // At the 12-epoch floor large tables take more steps; otherwise no more than one epoch beyond the plan.
      if (o.maxEpochs > 12) expect(steps - stepsPerEpoch(n, o)).toBeLessThan(450);
    }
    // Fewer epochs as the table grows (more steps per epoch), never more.
    for (let i = 1; i < plans.length; i++) expect(plans[i]!.o.maxEpochs).toBeLessThanOrEqual(plans[i - 1]!.o.maxEpochs);
    expect(plans[0]!.o.maxEpochs).toBe(60);
    expect(plans.at(-1)!.o.maxEpochs).toBe(12);
    // The presets scale the plan; explicit epochs win.
    expect(chooseTrainOptions(5000, cards, settings({ preset: 'fast' })).maxEpochs).toBeLessThan(plans[2]!.o.maxEpochs);
    expect(chooseTrainOptions(5000, cards, settings({ preset: 'accurate' })).maxEpochs).toBeGreaterThan(plans[2]!.o.maxEpochs);
    expect(chooseTrainOptions(5000, cards, settings({ epochs: 7 })).maxEpochs).toBe(7);
  });
});

describe('cosine learning rate', () => {
  const s = { warmupSteps: 10, floor: 0.02 };
  const total = 200;
  const peak = 0.004;

  it('warms up linearly to the peak, then decays to the floor at the end of the plan', () => {
    const lrs = Array.from({ length: total + 1 }, (_, step) => cosineLr(peak, s, step, total));
    expect(lrs[0]).toBeCloseTo(peak / 11, 12);
    expect(lrs[9]).toBeCloseTo((peak * 10) / 11, 12);
    for (let i = 1; i < 10; i++) expect(lrs[i]! - lrs[i - 1]!).toBeCloseTo(peak / 11, 12);
    expect(lrs[10]).toBeCloseTo(peak, 12);
    // Half-way through the decay: half-way between the peak and the floor.
    expect(lrs[105]).toBeCloseTo(peak * (0.02 + 0.98 * 0.5), 12);
    expect(lrs[total]).toBeCloseTo(peak * 0.02, 12);
    // Past the plan (a longer run than planned) it stays at the floor.
    expect(cosineLr(peak, s, total + 50, total)).toBeCloseTo(peak * 0.02, 12);
    for (let i = 11; i <= total; i++) expect(lrs[i]!).toBeLessThan(lrs[i - 1]!);
    expect(Math.max(...lrs)).toBeCloseTo(peak, 12);
  });
});

/** `b` copies `a` 90% of the time; `c` is noise. */
function signalData(n: number, seed: number): TrainData {
  const rng = createRng(seed);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const c = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.int(4);
    b[i] = rng.next() < 0.9 ? (a[i] as number) : 4 + rng.int(2);
    c[i] = rng.int(3);
  }
  return { tokens: [a, b, c], cards, n };
}

/** Every column independent noise: nothing to learn beyond the marginals. */
function noiseData(n: number, seed: number): TrainData {
  const rng = createRng(seed);
  const tokens = cards.map((k) => Int32Array.from({ length: n }, () => rng.int(k)));
  return { tokens, cards, n };
}

const base = (over: Partial<TrainOptions>): TrainOptions => ({
  hidden: 16,
  direct: false,
  dropout: 0,
  weightDecay: 0,
  batchSize: 32,
  lr: 0.01,
  maxEpochs: 10,
  patience: 3,
  minDelta: 1e-4,
  timeBudgetMs: 0,
  seed: 5,
  valFraction: 0.2,
  ...over,
});

async function run(data: TrainData, opts: TrainOptions) {
  const net = await train(data, opts);
  disposeParams(net.params);
  disposeMasks(net.masks);
  return net;
}

describe('training under each schedule', () => {
  it('cosine: runs the whole plan when the loss keeps improving, the rate following the planned curve', async () => {
    const data = signalData(400, 1);
    const opts = base({ maxEpochs: 8, patience: Number.POSITIVE_INFINITY, schedule: { kind: 'cosine', warmupSteps: 5, floor: 0.02 } });
    const net = await run(data, opts);
    const batches = Math.ceil((400 - 80) / 32);
    expect(net.stoppedBy).toBe('max-epochs');
    expect(net.history).toHaveLength(8);
    expect(net.steps).toBe(8 * batches);
    // The rate recorded at the end of each epoch is the curve's at that epoch's last step.
    net.history.forEach((h, e) => expect(h.lr).toBeCloseTo(cosineLr(0.01, { warmupSteps: 5, floor: 0.02 }, (e + 1) * batches - 1, 8 * batches), 12));
    expect(net.history.at(-1)!.lr!).toBeLessThan(0.01 * 0.03);
    // It learned the dependence: the validation loss fell well below its first epoch's.
    expect(net.history.at(-1)!.valLoss!).toBeLessThan(net.history[0]!.valLoss! - 0.3);
    expect(net.validationRows).toHaveLength(80);
  });

  it('cosine: early stopping ends the plan when the validation loss stalls, keeping the best epoch and its rate unhalved', async () => {
    const opts = base({ maxEpochs: 40, lr: 0.05, patience: 3, schedule: { kind: 'cosine', warmupSteps: 2, floor: 0.02 } });
    const net = await run(noiseData(300, 2), opts);
    expect(net.stoppedBy).toBe('early-stopping');
    expect(net.history.length).toBeLessThan(40);
    const vals = net.history.map((h) => h.valLoss!);
    // The kept weights are the best epoch's.
    expect(vals[net.bestEpoch - 1]).toBe(Math.min(...vals));
    // The last `patience` epochs brought no significant progress.
    const last = vals.length;
    const before = Math.min(...vals.slice(0, last - 3));
    for (const v of vals.slice(last - 3)) expect(v).toBeGreaterThanOrEqual(before * (1 - 1e-4));
    // Stalling does not halve the cosine rate: it follows the planned curve.
    const batches = Math.ceil((300 - 60) / 32);
    net.history.forEach((h, e) => expect(h.lr).toBeCloseTo(cosineLr(0.05, { warmupSteps: 2, floor: 0.02 }, (e + 1) * batches - 1, 40 * batches), 12));
  });

  it('plateau: a constant rate, halved after every second epoch without progress, then early stopping', async () => {
    const opts = base({ maxEpochs: 40, lr: 0.05, patience: 4, schedule: { kind: 'plateau' } });
    const net = await run(noiseData(300, 2), opts);
    expect(net.stoppedBy).toBe('early-stopping');
    const lrs = net.history.map((h) => h.lr!);
    expect(lrs[0]).toBe(0.05);
    // The rate only ever stays or halves, and it was halved at least once before stopping.
    for (let i = 1; i < lrs.length; i++) expect([lrs[i - 1], lrs[i - 1]! / 2]).toContain(lrs[i]);
    expect(Math.min(...lrs)).toBeLessThan(0.05);
    // It is halved only after stalled epochs: the epochs right after a new best keep the rate.
    const vals = net.history.map((h) => h.valLoss!);
    let progress = Infinity;
    let bad = 0;
    let lr = 0.05;
    vals.forEach((v, e) => {
      expect(lrs[e]).toBe(lr);
      if (!Number.isFinite(progress) || v < progress - 1e-4 * Math.abs(progress)) {
        progress = v;
        bad = 0;
      } else {
        bad++;
        if (bad % 2 === 0) lr /= 2;
      }
    });
    expect(bad).toBe(4);
  });

  it('a refit trains exactly the chosen epochs on every row, on the learning rates of the planned run', async () => {
    const data = signalData(400, 1);
    const schedule = { kind: 'cosine' as const, warmupSteps: 5, floor: 0.02 };
    const net = await run(data, base({ maxEpochs: 20, schedule, runEpochs: 4 }));
    const batches = Math.ceil(400 / 32);
    expect(net.validationRows).toHaveLength(0);
    expect(net.history).toHaveLength(4);
    expect(net.stoppedBy).toBe('max-epochs');
    expect(net.bestEpoch).toBe(4);
    expect(net.history.every((h) => h.valLoss === null)).toBe(true);
    net.history.forEach((h, e) => expect(h.lr).toBeCloseTo(cosineLr(0.01, schedule, (e + 1) * batches - 1, 20 * batches), 12));
  });
});
