/** What flows between the stages, and the one interface single-table and relational datasets implement. */
import type { SynthesisConfig } from '../../../shared/config';
import type { EffectiveSettings } from '../../../shared/effective-settings';
import type { DatasetMetadata } from '../../../shared/metadata';
import type { TableStats } from '../../../shared/table-stats';
import type { RowBatch } from '../../../shared/values';
import type { StoredSource } from '../generation-artifacts';
import type { SourceCopies } from '../original-data';
import type { RelationalModel, RelationalPrepared } from '../relational/synthesize';
import type { FitOptions, PreparedTable, TableModel } from '../table-model';
import type { LogFn, ProgressFn, StageContext } from './stage';

export interface PipelineInput {
  config: SynthesisConfig;
  metadata: DatasetMetadata;
  /**
   * Real rows per table: every synthesized table (every row, or a training sample) and the
   * original-data tables the engine works on (`heldOriginals`: every row, or the part of
   * `heldInPart`). An original-data table is copied to the output from here, unless named in
   * `copies`.
   */
  tables: Record<string, RowBatch>;
  /** Original-data tables copied from the source, batch by batch, while the output is written. */
  copies?: SourceCopies;
  /** Rows of each table in the source when `tables` holds samples (default: the rows given). */
  sourceRows?: Record<string, number>;
  /** Statistics over every row of the tables given as samples (rare categories are decided on them). */
  wholeStats?: Record<string, TableStats>;
  /** Execution workspace folder (created if missing). */
  workspace: string;
  log?: LogFn;
  /** Per-project secret for consistent mocking (from the project store); never written to artifacts. */
  mockingKey?: string;
  /**
   * Per-execution secret (hex, from the project store) the copy filter's hashes and the sealed
   * values of the generation artifacts are keyed by; never written. Without it no generation
   * artifacts are written (generating again then reads the source).
   */
  artifactKey?: string;
  /** What was read of the source (stored with the generation artifacts). */
  fingerprint?: StoredSource['fingerprint'];
}

/** The analyze stage's output: the data's facts and what the engine applies. */
export interface Analysis {
  input: PipelineInput;
  /** The engine of this dataset's kind, chosen once here. */
  engine: DatasetEngine;
  /** Synthesized tables, in generation order. */
  order: string[];
  /** What the engine applies per table and column (written as settings.json; the report prints it). */
  effective: EffectiveSettings;
  /** Rows of each table in the source (for output size 'same'). */
  sourceRows: Record<string, number>;
}

/** The encode stage's output. */
export interface PreparedDataset extends Analysis {
  tables: Record<string, PreparedTable>;
  /** Real rows for the report: the training sample and the held-out rows (may be empty). */
  evaluation: Record<string, { train: RowBatch; holdout: RowBatch }>;
  warnings: string[];
  /** Set when the tables are synthesized together by the relational engine. */
  relational?: RelationalPrepared;
}

/** The train stage's output (its models filled in by training or by loading them). */
export interface BuiltDataset {
  prepared: PreparedDataset;
  backend: string;
  models: Record<string, TableModel>;
  /** The trained relational model (relational datasets only). */
  relational?: RelationalModel;
}

export interface SynthesisResult {
  rows: Record<string, number>;
  seconds: number;
}

/** How each table's model comes to be: trained (`fitTable`) or read back (`loadTableModel`). */
export type TableFitter = (prepared: PreparedTable, opts: FitOptions) => Promise<TableModel>;

export interface EngineFitOptions {
  fit: TableFitter;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Called when a table's model is ready (before the next table starts). */
  onFitted: (table: string, model: TableModel) => Promise<void> | void;
}

export interface EngineGenerateOptions extends StageContext {
  sink: (table: string, batch: RowBatch) => Promise<void>;
  /** Rows to generate (a relational dataset: the largest root's). */
  count?: number;
  seed?: number;
}

/**
 * A part of the output (a site shard): rows [start, start + rows) of one synthesized table, the
 * family chunks [from, to) of a relational output for these root sizes (families.ts), or an
 * original-data table copied whole. A part's rows are the ones a whole run makes there.
 */
export type OutputPart =
  | { kind: 'rows'; table: string; start: number; rows: number }
  | { kind: 'families'; from: number; to: number; rootRows: Record<string, number> }
  | { kind: 'original'; table: string };

/** One batch of a part, tagged with its table (a part yields its tables one after the other, parents first). */
export interface PartBatch {
  table: string;
  batch: RowBatch;
}

/** The keys a relational part numbered per table (the next parts' keys start after them); empty for other parts. */
export type PartKeys = Record<string, number>;

export interface EnginePartOptions {
  /** Default: the synthesis's seed. */
  seed?: number;
  /** Rows per yielded batch (grouping only: the rows do not depend on it). */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Single-table and relational datasets behind one interface, chosen once by analyze (engines.ts). */
export interface DatasetEngine {
  readonly kind: 'tables' | 'relational';
  /** The generation order and, for linked tables, each table's tree root (the effective settings depend on them). */
  plan(input: PipelineInput): { order: string[]; trees?: Record<string, string> };
  encode(analysis: Analysis, ctx: StageContext): Promise<PreparedDataset>;
  fit(built: BuiltDataset, opts: EngineFitOptions): Promise<void>;
  generate(built: BuiltDataset, opts: EngineGenerateOptions): Promise<SynthesisResult>;
  /** A part of the output, in batches, each table's batches together and parents first. */
  generatePart(built: BuiltDataset, part: OutputPart, opts: EnginePartOptions): AsyncGenerator<PartBatch, PartKeys>;
  dispose(built: BuiltDataset): void;
}
