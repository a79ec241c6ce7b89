/**
 * The trained model of a table on disk, written after training and read back to generate again
 * without training: `training.json` (family, options, loss history, the copula when chosen) and,
 * for the network, `weights.json` (architecture + tensor layout) and `weights.bin` (float32).
 * Real values are never written: the encoders come from `encoding.json` and the preprocessing
 * of the same data, the copy filter and mocking pools from the data at generation time.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { exportParams, makeMasks, type Arch, type Params } from './model/network';
import type { TrainedNet, TrainOptions } from './model/trainer';
import { CopyFilter } from './privacy-filter';
import type { DpSpent } from './privacy/budget';
import { trainingMarginals, type PreparedTable, type TableModel } from './table-model';

/** A table's artifact folder in a workspace (names made safe for any file system). */
export function tableDir(workspace: string, table: string): string {
  return path.join(workspace, table.replace(/[^\w.-]+/g, '_'));
}

const trainingSchema = z.object({
  family: z.enum(['ar', 'copula', 'none']),
  seconds: z.number(),
  options: z.record(z.string(), z.unknown()).nullable(),
  history: z.array(z.object({ epoch: z.number(), trainLoss: z.number(), valLoss: z.number().nullable(), lr: z.number().optional() })),
  bestEpoch: z.number().nullable(),
  stoppedBy: z.enum(['early-stopping', 'max-epochs', 'time-budget', 'privacy-budget']).nullable(),
  steps: z.number().optional(),
  copula: z.object({ kind: z.literal('copula'), cards: z.array(z.number()), cdf: z.array(z.array(z.number())), chol: z.array(z.number()) }).nullable(),
  /** Sampled batches are raked to the training token marginals (recomputed from the same encoding). */
  raked: z.boolean().optional(),
  /** Held-out scores of the model choice and the copula's share of the rows (the copula is stored when the share is above 0). */
  selection: z
    .object({
      copulaShare: z.number(),
      network: z.number().nullable(),
      copula: z.number().nullable(),
      chosen: z.number().nullable(),
      validationRows: z.number(),
    })
    .optional(),
  differentialPrivacy: z.record(z.string(), z.unknown()).optional(),
});

const weightsSchema = z.object({
  arch: z.object({ cards: z.array(z.number()), hidden: z.number(), contextDim: z.number(), direct: z.boolean() }),
  tensors: z.record(z.string(), z.object({ shape: z.array(z.number()), offset: z.number() })),
  dtype: z.literal('float32'),
});

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

function readSelection(t: z.infer<typeof trainingSchema>): { selection?: TableModel['selection'] } {
  const s = t.selection;
  return s ? { selection: { ...s, network: s.network ?? NaN, copula: s.copula ?? NaN, chosen: s.chosen ?? NaN } } : {};
}

export async function writeModelArtifacts(workspace: string, table: string, model: TableModel): Promise<void> {
  const dir = tableDir(workspace, table);
  await fs.mkdir(dir, { recursive: true });
  const net = model.net;
  const options = model.trainOptions ? { ...model.trainOptions, signal: undefined, onProgress: undefined, initLogFreq: undefined } : null;
  const training: z.input<typeof trainingSchema> = {
    family: model.family,
    seconds: model.trainSeconds,
    options: options as Record<string, unknown> | null,
    history: net?.history ?? [],
    bestEpoch: net?.bestEpoch ?? null,
    stoppedBy: net?.stoppedBy ?? null,
    steps: net?.steps ?? 0,
    copula: model.copula,
    raked: Boolean(model.marginals),
    ...(model.selection
      ? { selection: { ...model.selection, network: num(model.selection.network), copula: num(model.selection.copula), chosen: num(model.selection.chosen) } }
      : {}),
    ...(model.differentialPrivacy ? { differentialPrivacy: { ...model.differentialPrivacy } } : {}),
  };
  await fs.writeFile(path.join(dir, 'training.json'), JSON.stringify(training, null, 1));
  if (!net) return;
  const weights = await exportParams(net.params);
  const manifest: Record<string, { shape: number[]; offset: number }> = {};
  let total = 0;
  for (const [k, w] of Object.entries(weights)) {
    manifest[k] = { shape: w.shape, offset: total };
    total += w.data.length;
  }
  const buf = new Float32Array(total);
  for (const [k, w] of Object.entries(weights)) buf.set(w.data, manifest[k]!.offset);
  await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.from(buf.buffer));
  await fs.writeFile(path.join(dir, 'weights.json'), JSON.stringify({ arch: net.arch, tensors: manifest, dtype: 'float32' }, null, 1));
}

async function readJson<T>(file: string, schema: z.ZodType<T>, table: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new AppError('NOT_FOUND', `The trained model of table "${table}" is missing (${path.basename(file)}).`, {
      fix: 'Generate from an execution that finished training, or run the synthesis again.',
    });
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new AppError('CONFIG_INVALID', `The trained model of table "${table}" is damaged (${path.basename(file)}).`, {
      fix: 'Run the synthesis again to train a new model.',
    });
  return parsed.data;
}

const sameCards = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function mismatch(table: string): AppError {
  return new AppError('CONFIG_INVALID', `The data of table "${table}" no longer matches its trained model (its columns or categories changed).`, {
    fix: 'Run the synthesis again to train on the current data.',
  });
}

/** The trained model of a prepared table, read back from `workspace` (the encoding must match the one it was trained on). */
export async function loadTableModel(workspace: string, prepared: PreparedTable): Promise<TableModel> {
  const dir = tableDir(workspace, prepared.table);
  const t = await readJson(path.join(dir, 'training.json'), trainingSchema, prepared.table);
  const base = {
    prepared,
    filter: CopyFilter.fromPrepared(prepared),
    trainSeconds: 0,
    trainOptions: (t.options as TrainOptions | null) ?? null,
    ...(t.differentialPrivacy ? { differentialPrivacy: t.differentialPrivacy as unknown as DpSpent } : {}),
  };
  if (t.family === 'none') return { ...base, family: 'none', net: null, copula: null };
  if (t.family === 'copula') {
    if (!t.copula || !sameCards(t.copula.cards, prepared.cards)) throw mismatch(prepared.table);
    return { ...base, family: 'copula', net: null, copula: t.copula, ...readSelection(t) };
  }
  const w = await readJson(path.join(dir, 'weights.json'), weightsSchema, prepared.table);
  if (!sameCards(w.arch.cards, prepared.cards)) throw mismatch(prepared.table);
  const bin = await fs.readFile(path.join(dir, 'weights.bin'));
  const data = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  const tensor = (k: string): tf.Tensor | null => {
    const m = w.tensors[k];
    if (!m) return null;
    const size = m.shape.reduce((a, b) => a * b, 1);
    if (m.offset + size > data.length)
      throw new AppError('CONFIG_INVALID', `The weights of table "${prepared.table}" are truncated.`, { fix: 'Run the synthesis again to train a new model.' });
    return tf.tensor(data.slice(m.offset, m.offset + size), m.shape, 'float32');
  };
  const params = { W1: tensor('W1'), b1: tensor('b1'), W2: tensor('W2'), b2: tensor('b2'), V1: tensor('V1'), Ws: tensor('Ws') } as Params;
  if (!params.W1 || !params.b1 || !params.W2 || !params.b2)
    throw new AppError('CONFIG_INVALID', `The weights of table "${prepared.table}" are incomplete.`, { fix: 'Run the synthesis again to train a new model.' });
  const arch: Arch = w.arch;
  const net: TrainedNet = {
    arch,
    params,
    masks: makeMasks(arch),
    history: t.history,
    bestEpoch: t.bestEpoch ?? 0,
    stoppedBy: t.stoppedBy ?? 'max-epochs',
    rowsProcessed: 0,
    flops: 0,
    steps: t.steps ?? 0,
    validationRows: new Int32Array(0),
  };
  const marginals = t.raked ? trainingMarginals(prepared) : null;
  const blend = t.copula && (t.selection?.copulaShare ?? 0) > 0 ? t.copula : null;
  if (blend && !sameCards(blend.cards, prepared.cards)) throw mismatch(prepared.table);
  return { ...base, family: 'ar', net, copula: blend, marginals, ...readSelection(t) };
}
