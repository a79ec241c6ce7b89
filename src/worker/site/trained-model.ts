/**
 * A trained model made ready to generate on a site worker: the source is read (a training sample,
 * drawn as the training run drew it), preprocessed into the same encoding, and the weights are read
 * back from the artifacts folder named in the job description. Nothing is trained.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SynthesisConfig } from '../../shared/config';
import type { DatasetMetadata } from '../../shared/metadata';
import { build, dispose, preprocess, train, type BuiltDataset } from '../engine/pipeline';
import { loadTableModel } from '../engine/model-artifacts';
import { loadData } from '../jobs/load-data';

export interface TrainedModel {
  built: BuiltDataset;
  metadata: DatasetMetadata;
  dispose(): Promise<void>;
}

export async function loadTrainedModel(
  config: SynthesisConfig,
  modelDir: string,
  secrets: { sourcePassword?: string | undefined; mockingKey?: string | undefined },
  signal?: AbortSignal,
): Promise<TrainedModel> {
  const data = await loadData(config, { ...(secrets.sourcePassword !== undefined ? { password: secrets.sourcePassword } : {}), ...(signal ? { signal } : {}) });
  // Preprocessing writes its own copy of the encoding: a scratch folder, never the shared artifacts.
  const scratch = await mkdtemp(path.join(tmpdir(), 'doppel-shard-'));
  let built: BuiltDataset | null = null;
  try {
    const prepared = await preprocess({
      config,
      metadata: data.metadata,
      tables: data.tables,
      sourceRows: data.sourceRows,
      wholeStats: data.wholeStats,
      workspace: scratch,
      ...(secrets.mockingKey !== undefined ? { mockingKey: secrets.mockingKey } : {}),
    });
    built = await build(prepared);
    await train(built, { ...(signal ? { signal } : {}), fit: (p) => loadTableModel(modelDir, p) });
  } catch (e) {
    if (built) dispose(built);
    await rm(scratch, { recursive: true, force: true });
    throw e;
  }
  const ready = built;
  return {
    built: ready,
    metadata: data.metadata,
    dispose: async () => {
      dispose(ready);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
