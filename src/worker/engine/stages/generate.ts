/**
 * Generate: rows sampled from the trained models into the sink, in batches (its artifact is the
 * output the sink writes). Rows depend on the trained models and the seed only, so the models
 * may come from `trainStage.run` in this process or `trainStage.load` in another one.
 *
 * `part` generates one part of the output (a site shard: a row range of a table, a range of
 * family chunks, an original-data table) as batches; the parts together are the rows `run` makes.
 */
import type { RowBatch } from '../../../shared/values';
import type { BuiltDataset, EnginePartOptions, OutputPart, PartBatch, PartKeys, SynthesisResult } from './dataset';
import type { Stage } from './stage';

export interface GenerateInput {
  built: BuiltDataset;
  sink: (table: string, batch: RowBatch) => Promise<void>;
  /** Rows to generate (default: the output-size setting; a relational dataset: the largest root's). */
  count?: number;
  seed?: number;
}

export interface GeneratePartInput extends EnginePartOptions {
  built: BuiltDataset;
  part: OutputPart;
}

export const generateStage: Stage<GenerateInput, SynthesisResult> & {
  /** A part of the output in batches, each table's together, parents first; returns the keys a relational part numbered per table. */
  part(input: GeneratePartInput): AsyncGenerator<PartBatch, PartKeys>;
} = {
  name: 'synthesize',

  run(input, ctx) {
    return input.built.prepared.engine.generate(input.built, {
      ...ctx,
      sink: input.sink,
      ...(input.count !== undefined ? { count: input.count } : {}),
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
    });
  },

  part({ built, part, ...opts }) {
    return built.prepared.engine.generatePart(built, part, opts);
  },
};
