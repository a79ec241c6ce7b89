/**
 * Generate: rows sampled from the trained models into the sink, in batches (its artifact is the
 * output the sink writes). Rows depend on the trained models and the seed only, so the models
 * may come from `trainStage.run` in this process or `trainStage.load` in another one.
 */
import type { RowBatch } from '../../../shared/values';
import type { BuiltDataset, SynthesisResult } from './dataset';
import type { Stage } from './stage';

export interface GenerateInput {
  built: BuiltDataset;
  sink: (table: string, batch: RowBatch) => Promise<void>;
  /** Rows to generate (default: the output-size setting; a relational dataset: the largest root's). */
  count?: number;
  seed?: number;
}

export const generateStage: Stage<GenerateInput, SynthesisResult> = {
  name: 'synthesize',

  run(input, ctx) {
    return input.built.prepared.engine.generate(input.built, {
      ...ctx,
      sink: input.sink,
      ...(input.count !== undefined ? { count: input.count } : {}),
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
    });
  },
};
