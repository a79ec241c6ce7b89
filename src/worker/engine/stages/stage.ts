/**
 * The engine as four stages, each a timeline step with an artifact in the execution workspace:
 *
 *   analyze   (Preprocessing)      data facts + effective settings  → settings.json, source.json
 *   encode    (Preprocessing)      prepared tables and plans        → <table>/encoding.json, <table>/generation.json
 *   train     (Training the model) fitted models                    → <table>/training.json, weights.json, weights.bin
 *   generate  (Synthesis)          sampled rows into the sink       → the destination (through the sink)
 *
 * `run(input, ctx)` computes a stage's output from the previous one's; `save(output, workspace)`
 * writes its artifact and `load(from, upstream)` reads it back in a fresh call, so that a later
 * stage can run in another process or on another machine (a generate run: analyze, encode and
 * train loaded, then generate). Single-table and relational datasets differ only in the engine
 * (dataset.ts `DatasetEngine`) that analyze chooses once for the dataset.
 */
import type { JobStep, TrainMetrics } from '../../../shared/job';

export type LogFn = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface StepProgress {
  done: number;
  total: number;
  message?: string;
  metrics?: TrainMetrics;
}
export type ProgressFn = (p: StepProgress) => void;

export interface StageContext {
  signal?: AbortSignal;
  progress?: ProgressFn;
  log?: LogFn;
}

export interface Stage<In, Out> {
  /** The timeline step the stage reports as. */
  readonly name: JobStep;
  run(input: In, ctx: StageContext): Promise<Out>;
}

/** A stage whose output is written to the workspace and read back (`upstream`: what loading it needs of the earlier stages). */
export interface ReloadableStage<In, Out, Upstream> extends Stage<In, Out> {
  save(output: Out, workspace: string): Promise<void>;
  /** The output read back from the workspace `from`, or null when the run there wrote no such artifact. */
  load(from: string, upstream: Upstream, ctx: StageContext): Promise<Out | null>;
}
