/**
 * The engine in one call per timeline step, for callers that keep everything in one process
 * (tests, benchmarks): each runs the stage of stages/ and saves its artifact to `workspace`.
 *
 *   const prepared = await preprocess({ config, metadata, tables, workspace, log });   // analyze + encode
 *   const built = await build(prepared);                                              // the compute backend
 *   await train(built, { signal, onProgress });                                       // train
 *   const result = await synthesize(built, { signal, onProgress, sink });             // generate
 *   // prepared.evaluation[table] = { train, holdout } real rows for the report (DCR, TSTR).
 *   dispose(built);
 *
 * `tables` holds the loaded real rows of every table that is synthesized or kept as original
 * data (columns = the included ones). The stages, their artifacts and how a later stage runs in
 * another process from them are described in stages/stage.ts; single-table and relational
 * datasets differ only in their engine (stages/table-engine.ts, stages/relational-engine.ts).
 */
import type { RowBatch } from '../../shared/values';
import { analyzeStage } from './stages/analyze';
import type { BuiltDataset, PipelineInput, PreparedDataset, SynthesisResult } from './stages/dataset';
import { encodeStage } from './stages/encode';
import { generateStage } from './stages/generate';
import type { ProgressFn } from './stages/stage';
import { trainStage } from './stages/train';

export type { BuiltDataset, PipelineInput, PreparedDataset, SynthesisResult } from './stages/dataset';
export type { LogFn, ProgressFn, StepProgress } from './stages/stage';
export { isRelational } from './stages/engines';
export { outputRows } from './stages/output-rows';
export { relationalOutputRows } from './stages/relational-engine';
export { build, dispose, modelSummary } from './stages/train';

export async function preprocess(input: PipelineInput): Promise<PreparedDataset> {
  const ctx = input.log ? { log: input.log } : {};
  const analysis = await analyzeStage.run(input, ctx);
  await analyzeStage.save(analysis, input.workspace);
  const prepared = await encodeStage.run(analysis, ctx);
  await encodeStage.save(prepared, input.workspace);
  return prepared;
}

export async function train(built: BuiltDataset, opts: { signal?: AbortSignal; onProgress?: ProgressFn } = {}): Promise<void> {
  const { log, workspace } = built.prepared.input;
  await trainStage.run(built, { ...opts, ...(opts.onProgress ? { progress: opts.onProgress } : {}), ...(log ? { log } : {}) });
  await trainStage.save(built, workspace);
}

export function synthesize(
  built: BuiltDataset,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn; sink: (table: string, batch: RowBatch) => Promise<void>; count?: number; seed?: number },
): Promise<SynthesisResult> {
  const { onProgress, signal, ...input } = opts;
  return generateStage.run({ built, ...input }, { ...(signal ? { signal } : {}), ...(onProgress ? { progress: onProgress } : {}) });
}
