/**
 * What a trained relational model needs to generate again besides its tables' own artifacts
 * (generation-artifacts.ts), written once after training as `relational.json` in the workspace:
 * the generation plan and the learned structure (child-count columns, matched links with their
 * null rates, anchors and real degrees, sibling-constant, inherited and relative-date columns,
 * sequences, self-reference forest shapes), each table's candidate targets (the real child counts
 * of its training rows and its output copy filter as keyed hashes, privacy-filter.ts) and the
 * learned matchers (pair-scorer weights, the feature centres of the depths of a self-reference),
 * and of the FKs into original-data tables: the lookup matchers, the pools of the composite
 * lookups they do not choose, and which rows of each original table they learned on (keyed
 * hashes of the rows' keys, lookup-rows.ts).
 *
 * Counts, weights, shares, column names and keyed hashes only: the one thing that holds values of
 * a column, the step pattern of an integer sequence (its range), is sealed with the execution's
 * artifact key. Read back (`readRelationalArtifact`), it is a prepared relational dataset without
 * training rows whose matchers are restored instead of fitted (synthesize.ts `fitRelational`),
 * with the original tables' rows taken from the first run's output.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SynthesisConfig } from '../../../shared/config';
import type { EffectiveSettings } from '../../../shared/effective-settings';
import { AppError } from '../../../shared/errors';
import type { DatasetMetadata, Relationship } from '../../../shared/metadata';
import { keyCheck, originalsFromOutput, parse, readParsed, seal, stringify, unseal, wrongKey } from '../generation-artifacts';
import { CopyFilter, copyFilterArtifactSchema } from '../privacy-filter';
import type { PreparedTable } from '../table-model';
import type { Assignment, LookupPool } from './assign';
import { heldRows, heldRowsPicker, heldRowsSchema } from './lookup-rows';
import type { StoredLink } from './matched-link';
import type { InheritedColumn } from './parent-values';
import type { GenerationPlan } from './plan';
import type { RelativeTime } from './relative-time';
import type { StepPattern } from './sequences';
import type { PairScorer } from './matcher';
import type { RelationalModel, RelationalPrepared, StoredMatchers } from './synthesize';

export const RELATIONAL_JSON = 'relational.json';
const FORMAT = 1;

const relationship = z.custom<Relationship>((v) => typeof v === 'object' && v !== null && 'childTable' in v && 'parentTable' in v);
const scorerSchema = z.object({ dimC: z.number().int(), dimP: z.number().int(), w: z.string(), u: z.string(), v: z.string() });
const linkSchema = z.object({
  fk: relationship,
  nullRate: z.number(),
  degrees: z.string(),
  agreement: z.object({ equal: z.array(z.object({ child: z.string(), parent: z.string() })), stable: z.array(z.string()), share: z.number() }),
  scorer: scorerSchema,
});

const schema = z.object({
  format: z.literal(FORMAT),
  plan: z.custom<GenerationPlan>((v) => typeof v === 'object' && v !== null && 'order' in v && 'roots' in v && 'tables' in v),
  countColumns: z.record(z.string(), z.record(z.string(), z.string())),
  assignments: z.record(
    z.string(),
    z.array(
      z.object({ fk: relationship, nullRate: z.number(), anchor: z.string().nullable(), anchorShare: z.number(), unique: z.boolean(), degrees: z.string() }),
    ),
  ),
  siblingConstant: z.record(z.string(), z.array(z.string())),
  inherited: z.record(z.string(), z.array(z.object({ column: z.string(), parentTable: z.string(), parentColumn: z.string() }))),
  relativeTimes: z.record(
    z.string(),
    z.array(
      z.object({
        column: z.string(),
        parentTable: z.string().nullable(),
        parentColumn: z.string(),
        granularity: z.number(),
        format: z.string().nullable(),
        parentFormat: z.string().nullable(),
      }),
    ),
  ),
  sequences: z.record(z.string(), z.string()),
  forests: z.record(
    z.string(),
    z.array(z.object({ fk: relationship, shape: z.object({ depthShare: z.array(z.number()), fanout: z.array(z.array(z.number())) }) })),
  ),
  /** Per table: training rows, real child counts per count column (base64 int32), the output copy filter. */
  targets: z.record(z.string(), z.object({ rows: z.number().int(), counts: z.record(z.string(), z.string()), copies: copyFilterArtifactSchema.nullable() })),
  matchers: z.record(z.string(), z.object({ scorer: scorerSchema, depths: z.array(z.object({ depth: z.number().int(), centre: z.string() })) })),
  links: z.record(z.string(), linkSchema),
  /** Lookup matchers by child table (degrees per held row of the original table). */
  lookups: z.record(z.string(), z.array(linkSchema)).default({}),
  /** Composite lookups the matcher does not choose, by child table: references per held row of the original table (base64 int32). */
  lookupPools: z.record(z.string(), z.array(z.object({ fk: relationship, counts: z.string(), realEmpty: z.boolean() }))).default({}),
  /** The rows of each original table the lookups learned on, by keyed hashes of their keys, in order. */
  heldRows: z.record(z.string(), heldRowsSchema).default({}),
  keyCheck: z.string(),
  /** AES-256-GCM (base64) of the step patterns by table. */
  sealed: z.string().nullable(),
});

type Typed = Int32Array | Float32Array | Float64Array;

function b64(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function bytes(text: string): Buffer {
  // Copied so that the typed array views start on an aligned offset.
  return Buffer.from(Buffer.from(text, 'base64'));
}

const int32 = (text: string): Int32Array => {
  const b = bytes(text);
  return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const float32 = (text: string): Float32Array => {
  const b = bytes(text);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

const writeScorer = (s: PairScorer): z.infer<typeof scorerSchema> => ({ dimC: s.dimC, dimP: s.dimP, w: b64(s.w), u: b64(s.u), v: b64(s.v) });
const readScorer = (s: z.infer<typeof scorerSchema>): PairScorer => ({ dimC: s.dimC, dimP: s.dimP, w: float32(s.w), u: float32(s.u), v: float32(s.v) });

const writeLink = (m: StoredLink): z.infer<typeof linkSchema> => ({
  fk: m.fk,
  nullRate: m.nullRate,
  degrees: b64(m.degrees),
  agreement: m.agreement,
  scorer: writeScorer(m.scorer),
});
const readLink = (m: z.infer<typeof linkSchema>): StoredLink => ({ ...m, degrees: int32(m.degrees), scorer: readScorer(m.scorer) });

const mapValues = <A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/** Writes `relational.json` of a trained relational model. */
export async function writeRelationalArtifact(workspace: string, model: RelationalModel, artifactKey: string): Promise<void> {
  const p = model.prepared;
  const steps = Object.keys(p.steps).length
    ? seal(artifactKey, stringify(mapValues(p.steps, (s) => ({ column: s.column, deltas: Array.from(s.deltas), min: s.min, max: s.max }))))
    : null;
  const artifact: z.input<typeof schema> = {
    format: FORMAT,
    plan: p.plan,
    countColumns: p.countColumns,
    assignments: mapValues(p.assignments, (list) => list.map((a) => ({ ...a, degrees: b64(a.degrees) }))),
    siblingConstant: p.siblingConstant,
    inherited: p.inherited,
    relativeTimes: p.relativeTimes,
    sequences: p.sequences,
    forests: mapValues(p.forests, (list) => list.map((f) => ({ fk: f.fk, shape: f.shape }))),
    targets: mapValues(p.targets, (t) => ({
      rows: t.rows,
      counts: mapValues(t.counts, b64),
      copies: t.copies.size > 0 ? t.copies.toArtifact() : null,
    })),
    matchers: mapValues(model.matchers, (m) => ({ scorer: writeScorer(m.scorer), depths: m.depths.map((d) => ({ depth: d.depth, centre: b64(d.centre) })) })),
    links: mapValues(model.links, writeLink),
    lookups: mapValues(model.lookups, (list) => list.map(writeLink)),
    lookupPools: mapValues(p.lookupPools, (list) => list.map((x) => ({ fk: x.fk, counts: b64(x.counts), realEmpty: x.realEmpty }))),
    heldRows: Object.fromEntries(
      lookupParents(p.plan).map((t) => [t, heldRows(p.input.config, t, p.input.tables[t] ?? { columns: [], rows: [] }, artifactKey)]),
    ),
    keyCheck: keyCheck(artifactKey),
    sealed: steps,
  };
  await fs.writeFile(path.join(workspace, RELATIONAL_JSON), stringify(artifact));
}

/** Original-data tables the synthesized tables look up. */
function lookupParents(plan: GenerationPlan): string[] {
  return [...new Set(plan.order.flatMap((t) => plan.tables[t]!.lookups.map((fk) => fk.parentTable)))];
}

/**
 * The prepared relational dataset of a trained run (`from`: its workspace) from its artifacts and
 * its tables read back (`tables`), or null when the run wrote none. No training rows: `training`,
 * `parentIdx` and `evaluation` are empty; the matchers are restored by `fitRelational`. The
 * original-data tables come from that run's output (`input.tables`: the rows the lookups learned
 * on, in their order; `input.copies`: what is copied batch by batch).
 */
export async function readRelationalArtifact(opts: {
  from: string;
  config: SynthesisConfig;
  metadata: DatasetMetadata;
  tables: Record<string, PreparedTable>;
  effective: EffectiveSettings;
  artifactKey: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  signal?: AbortSignal;
}): Promise<RelationalPrepared | null> {
  const a = await readParsed(path.join(opts.from, RELATIONAL_JSON), schema, 'relational model');
  if (!a) return null;
  const first = a.plan.order[0] ?? '';
  if (a.keyCheck !== keyCheck(opts.artifactKey)) throw wrongKey(first);
  const missing = a.plan.order.find((t) => !opts.tables[t]);
  if (missing)
    throw new AppError('CONFIG_INVALID', `The stored relational model has no model of table "${missing}".`, {
      fix: 'Run the synthesis again to train a new model.',
    });
  const steps: Record<string, StepPattern> = {};
  if (a.sealed) {
    const raw = parse(unseal(opts.artifactKey, a.sealed, first)) as Record<string, { column: string; deltas: number[]; min: number; max: number }>;
    for (const [t, s] of Object.entries(raw)) steps[t] = { column: s.column, deltas: Float64Array.from(s.deltas), min: s.min, max: s.max };
  }
  const assignments: Record<string, Assignment[]> = mapValues(a.assignments, (list) => list.map((x) => ({ ...x, degrees: int32(x.degrees) })));
  const stored: StoredMatchers = {
    matchers: mapValues(a.matchers, (m) => ({ scorer: readScorer(m.scorer), depths: m.depths.map((d) => ({ depth: d.depth, centre: float32(d.centre) })) })),
    links: mapValues(a.links, readLink),
    lookups: mapValues(a.lookups, (list) => list.map(readLink)),
  };
  const lookupPools: Record<string, LookupPool[]> = mapValues(a.lookupPools, (list) => list.map((x) => ({ ...x, counts: int32(x.counts) })));
  const originals = await originalsFromOutput(opts.config, opts.from, opts.signal, heldRowsPicker(a.heldRows, opts.artifactKey));
  const empty = <T>(): Record<string, T> => ({});
  return {
    input: {
      config: opts.config,
      metadata: opts.metadata,
      tables: originals.held,
      copies: originals.copies,
      ...(opts.log ? { log: opts.log } : {}),
      artifactKey: opts.artifactKey,
    },
    plan: a.plan,
    effective: opts.effective,
    training: empty(),
    parentIdx: empty(),
    prepared: opts.tables,
    countColumns: a.countColumns,
    assignments,
    lookupPools,
    siblingConstant: a.siblingConstant,
    inherited: a.inherited as Record<string, InheritedColumn[]>,
    relativeTimes: a.relativeTimes as Record<string, RelativeTime[]>,
    sequences: a.sequences,
    steps,
    evaluation: empty(),
    forests: mapValues(a.forests, (list) => list.map((f) => ({ fk: f.fk, shape: f.shape, depth: new Int32Array(0) }))),
    targets: mapValues(a.targets, (t) => ({
      rows: t.rows,
      counts: mapValues(t.counts, int32),
      copies: t.copies ? CopyFilter.fromArtifact(t.copies, opts.artifactKey) : CopyFilter.none(),
    })),
    stored,
    warnings: [],
  };
}
