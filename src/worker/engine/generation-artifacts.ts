/**
 * What a trained model needs to generate again, on disk, so that generation never reads the
 * source (`doppel generate`, "Generate more", site shards):
 *
 * - `source.json` in the workspace: the source's metadata (names and types, no values), its rows
 *   per table, the fingerprint of what was read, and the synthesized tables in generation order;
 * - `<table>/generation.json` per synthesized table: the column plans and encoders, the training
 *   token marginals (raking), the copy filter as keyed hashes (privacy-filter.ts), the mocked
 *   columns' fake pools (fakes only) and, sealed with the execution's artifact key (AES-256-GCM),
 *   the values of kept and masked columns.
 *
 * - `relational.json` for a relational synthesis (relational/artifacts.ts): the learned structure
 *   and matchers, each table's real child counts (counts only) and output copy filter (keyed
 *   hashes), so that candidates are chosen and links matched without a training row.
 *
 * Original-data tables are not stored again: they are read back from the trained run's output
 * (`output.sqlite` in its workspace), where they were copied as they are (the rows the lookups
 * into them learned on are named in `relational.json` by keyed hashes of their keys).
 *
 * No real value of a synthesized, mocked or protected column is written in clear. The artifact
 * key itself lives in the project store, never in the workspace.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SynthesisConfig, SynthSettings } from '../../shared/config';
import type { EffectiveTable } from '../../shared/effective-settings';
import { AppError } from '../../shared/errors';
import { datasetMetadataSchema } from '../../shared/metadata';
import type { CellValue, RowBatch } from '../../shared/values';
import { describeOutputTables, readOutputTable } from '../../data/exporters/table-reader';
import { ORIGINALS_FILE, OUTPUT_FILE } from '../../data/store/workspace-files';
import type { ColumnPlan } from './encoders/index';
import { tableDir } from './model-artifacts';
import { heldOriginals, type HeldPicker, type OriginalReader, type SourceCopies } from './original-data';
import { CopyFilter, copyFilterArtifactSchema } from './privacy-filter';
import type { PreparedTable } from './table-model';

export const SOURCE_JSON = 'source.json';
export const GENERATION_JSON = 'generation.json';
const FORMAT = 1;

const sourceSchema = z.object({
  format: z.literal(FORMAT),
  metadata: datasetMetadataSchema,
  sourceRows: z.record(z.string(), z.number()),
  order: z.array(z.string()),
  fingerprint: z.object({ schemaHash: z.string(), contentHash: z.string(), rows: z.record(z.string(), z.number().int()) }).nullable(),
});
export type StoredSource = z.infer<typeof sourceSchema>;

const tableSchema = z.object({
  format: z.literal(FORMAT),
  table: z.string(),
  columns: z.array(z.string()),
  /** Plans with the values of kept/masked columns taken out (they are in `sealed`). */
  plans: z.array(z.record(z.string(), z.unknown())),
  modelled: z.array(z.number().int()),
  cards: z.array(z.number().int()),
  n: z.number().int(),
  warnings: z.array(z.string()),
  settings: z.record(z.string(), z.unknown()),
  effective: z.record(z.string(), z.unknown()),
  maxLengths: z.array(z.number().nullable()).optional(),
  marginals: z.array(z.array(z.number())),
  copyFilter: copyFilterArtifactSchema.nullable(),
  /** Per mocked plan index: the distinct fakes and, per training row, which one (base64 uint32). */
  mockPools: z.record(z.string(), z.object({ values: z.array(z.unknown()), index: z.string() })),
  /** Tells whether a key is the one the hashes and the sealed values were written under (a keyed hash of a constant). */
  keyCheck: z.string(),
  /** AES-256-GCM (base64) of the kept and masked columns' values, by plan index. */
  sealed: z.string().nullable(),
});

/** JSON with Dates and non-finite numbers kept (`{"$d": iso}`, `{"$n": "Infinity"}`). */
export function stringify(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $d: raw.toISOString() };
    if (typeof raw === 'number' && !Number.isFinite(raw)) return { $n: String(raw) };
    return v;
  });
}

export function parse(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.$d === 'string') return new Date(o.$d);
      if (keys.length === 1 && typeof o.$n === 'string') return Number(o.$n);
    }
    return v;
  });
}

/** A key derived from an execution's artifact key for one purpose (separate from the copy filter's HMAC key). */
export function derivedKey(artifactKey: string, purpose: string): Buffer {
  return createHmac('sha256', Buffer.from(artifactKey, 'hex')).update(purpose).digest();
}

const sealKey = (artifactKey: string): Buffer => derivedKey(artifactKey, 'sealed values');

export function keyCheck(artifactKey: string): string {
  return derivedKey(artifactKey, 'key check').toString('hex').slice(0, 16);
}

export function seal(artifactKey: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(artifactKey), iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function unseal(artifactKey: string, sealed: string, table: string): string {
  const buf = Buffer.from(sealed, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(artifactKey), buf.subarray(0, 12));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw wrongKey(table);
  }
}

export function wrongKey(table: string): AppError {
  return new AppError('CONFIG_INVALID', `The stored model of table "${table}" was written under another key than the one in this project's store.`, {
    fix: 'Generate from the project that ran the synthesis, or run the synthesis again.',
  });
}

/**
 * The original-data tables of a synthesis, taken from the output of the run that trained the
 * model (`workspace`: its folder), where they were copied as they are: generating again opens no
 * source. The tables the engine works on (`heldOriginals`) are read into `held`: the rows `pick`
 * chooses (the rows a stored model learned on, in their order; those tables are then copied from
 * that output batch by batch), else every row. The others are copied from that output batch by
 * batch while the new output is written (`copies`). A clear error when that output, or a table of
 * it, is gone.
 */
export async function originalsFromOutput(
  config: SynthesisConfig,
  workspace: string,
  signal?: AbortSignal,
  pick?: HeldPicker,
): Promise<{ held: Record<string, RowBatch>; copies: SourceCopies }> {
  const names = Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'original')
    .map(([name]) => name);
  // A local run's output, or the originals kept by a run whose output went into its destination only.
  const file = [OUTPUT_FILE, ORIGINALS_FILE].map((f) => path.join(workspace, f)).find((f) => existsSync(f)) ?? path.join(workspace, OUTPUT_FILE);
  const gone = (why: string): AppError =>
    new AppError(
      'NOT_FOUND',
      `The original-data table(s) ${names.map((n) => `"${n}"`).join(', ')} are copied from the output of the run that trained the model, and ${why}.`,
      { fix: 'Run the synthesis again (it reads the source), then generate from that execution.' },
    );
  const read: OriginalReader = (table, abort) => readOutputTable(file, table, 10_000, abort);
  if (names.length > 0) {
    try {
      await fs.access(file);
    } catch {
      throw gone(`that output (${file}) is gone`);
    }
    for (const name of names) {
      try {
        describeOutputTables(file, [name]);
      } catch (e) {
        if (e instanceof AppError && e.code === 'TABLE_NOT_FOUND') throw gone(`table "${name}" is not in that output (${file})`);
        throw e;
      }
    }
  }
  const kept = heldOriginals(config);
  const held: Record<string, RowBatch> = {};
  const picked: string[] = [];
  for (const name of names.filter((n) => kept.has(n))) {
    const rows = await pick?.(name, read, signal);
    if (rows) {
      held[name] = rows;
      picked.push(name);
      continue;
    }
    const whole: RowBatch = { columns: [], rows: [] };
    for await (const batch of read(name, signal)) {
      whole.columns = batch.columns;
      for (const row of batch.rows) whole.rows.push(row);
    }
    held[name] = whole;
  }
  return { held, copies: { copied: names.filter((n) => !kept.has(n) || picked.includes(n)), read, from: "the first run's output" } };
}

export async function writeSource(workspace: string, source: Omit<StoredSource, 'format'>): Promise<void> {
  await fs.writeFile(path.join(workspace, SOURCE_JSON), stringify({ format: FORMAT, ...source }));
}

/** A table's generation artifact: everything `sampleTable` reads of a prepared table, without real values in clear. */
export async function writeGenerationArtifact(workspace: string, p: PreparedTable, marginals: Float64Array[], artifactKey: string): Promise<void> {
  const values: Record<number, CellValue[]> = {};
  const plans = p.plans.map((plan, i) => {
    if (plan.role !== 'keep' && plan.role !== 'mask') return plan;
    values[i] = plan.values;
    return { name: plan.name, role: plan.role };
  });
  const mockPools: Record<string, { values: CellValue[]; index: string }> = {};
  for (const [i, pool] of p.mocking?.pools ?? []) {
    const distinct = new Map<string, number>();
    const list: CellValue[] = [];
    const index = Uint32Array.from(pool, (v) => {
      const k = v instanceof Date ? `d${v.toISOString()}` : `${typeof v}${String(v)}`;
      let at = distinct.get(k);
      if (at === undefined) {
        at = list.length;
        distinct.set(k, at);
        list.push(v);
      }
      return at;
    });
    mockPools[String(i)] = { values: list, index: Buffer.from(index.buffer, index.byteOffset, index.byteLength).toString('base64') };
  }
  const artifact: z.input<typeof tableSchema> = {
    format: FORMAT,
    table: p.table,
    columns: p.columns,
    plans: plans as unknown as Record<string, unknown>[],
    modelled: p.modelled,
    cards: p.cards,
    n: p.n,
    warnings: p.warnings,
    settings: p.settings as unknown as Record<string, unknown>,
    effective: p.effective as unknown as Record<string, unknown>,
    ...(p.maxLengths ? { maxLengths: p.maxLengths.map((m) => m ?? null) } : {}),
    marginals: marginals.map((m) => Array.from(m)),
    copyFilter: p.effective.copyFilter.enabled ? p.copyFilter.toArtifact() : null,
    mockPools,
    keyCheck: keyCheck(artifactKey),
    sealed: Object.keys(values).length > 0 ? seal(artifactKey, stringify(values)) : null,
  };
  const dir = tableDir(workspace, p.table);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, GENERATION_JSON), stringify(artifact));
}

export async function readParsed<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const parsed = schema.safeParse(parse(text));
  if (!parsed.success)
    throw new AppError('CONFIG_INVALID', `The stored ${what} is damaged (${path.basename(file)}).`, { fix: 'Run the synthesis again to train a new model.' });
  return parsed.data;
}

/** The stored source facts of a workspace, or null when the run wrote none (older runs, relational syntheses). */
export async function readSource(workspace: string): Promise<StoredSource | null> {
  return readParsed(path.join(workspace, SOURCE_JSON), sourceSchema, 'source description');
}

/** A prepared table read back from its generation artifact (no tokens: `marginals` stand in), or null when there is none. */
export async function readGenerationArtifact(workspace: string, table: string, artifactKey: string): Promise<PreparedTable | null> {
  const a = await readParsed(path.join(tableDir(workspace, table), GENERATION_JSON), tableSchema, `model of table "${table}"`);
  if (!a) return null;
  if (a.keyCheck !== keyCheck(artifactKey)) throw wrongKey(table);
  const values = a.sealed ? (parse(unseal(artifactKey, a.sealed, table)) as Record<string, CellValue[]>) : {};
  const plans = a.plans.map((plan, i) =>
    plan.role === 'keep' || plan.role === 'mask' ? { ...plan, values: values[String(i)] ?? [] } : plan,
  ) as unknown as ColumnPlan[];
  const pools = new Map<number, CellValue[]>();
  for (const [i, pool] of Object.entries(a.mockPools)) {
    const idx = Buffer.from(pool.index, 'base64');
    const list = pool.values as CellValue[];
    pools.set(
      Number(i),
      Array.from({ length: idx.length / 4 }, (_, r) => list[idx.readUInt32LE(r * 4)] ?? null),
    );
  }
  const filter = a.copyFilter ? CopyFilter.fromArtifact(a.copyFilter, artifactKey) : CopyFilter.none();
  return {
    table: a.table,
    columns: a.columns,
    plans,
    modelled: a.modelled,
    tokens: [],
    cards: a.cards,
    n: a.n,
    warnings: a.warnings,
    settings: a.settings as unknown as SynthSettings,
    effective: a.effective as unknown as EffectiveTable,
    copyFilter: filter,
    ...(pools.size > 0 ? { mocking: { pools } } : {}),
    marginals: a.marginals.map((m) => Float64Array.from(m)),
    ...(a.maxLengths ? { maxLengths: a.maxLengths.map((m) => m ?? undefined) } : {}),
  };
}
