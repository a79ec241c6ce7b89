/**
 * A trained model made ready to generate on a site worker, from the artifacts folder named in the
 * job description: the analyze and encode stages' outputs and the train stage's weights loaded
 * (stages/reload.ts, `trainStage.load`), without reading the source. A run that wrote no
 * generation artifacts (an older run, or one without an artifact key) is
 * analyzed and encoded again from the source (a training sample, drawn as the training run drew
 * it) into the same encoding. Nothing is trained.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SynthesisConfig } from '../../shared/config';
import type { DatasetMetadata } from '../../shared/metadata';
import { analyzeStage } from '../engine/stages/analyze';
import type { BuiltDataset, PreparedDataset } from '../engine/stages/dataset';
import { encodeStage } from '../engine/stages/encode';
import { loadEncoded } from '../engine/stages/reload';
import { build, dispose, trainStage } from '../engine/stages/train';
import { loadData, originalReader } from '../jobs/load-data';

export interface TrainedModel {
  built: BuiltDataset;
  metadata: DatasetMetadata;
  dispose(): Promise<void>;
}

export async function loadTrainedModel(
  config: SynthesisConfig,
  modelDir: string,
  secrets: { sourcePassword?: string | undefined; mockingKey?: string | undefined; artifactKey?: string | undefined },
  signal?: AbortSignal,
): Promise<TrainedModel> {
  // Preparing writes its own settings and encoding: a scratch folder, never the shared artifacts.
  const scratch = await mkdtemp(path.join(tmpdir(), 'doppel-shard-'));
  let built: BuiltDataset | null = null;
  try {
    const stored = secrets.artifactKey ? await loadEncoded({ config, from: modelDir, workspace: scratch, artifactKey: secrets.artifactKey }) : null;
    let prepared: PreparedDataset;
    let metadata: DatasetMetadata;
    if (stored) {
      prepared = stored;
      metadata = stored.input.metadata;
    } else {
      const data = await loadData(config, {
        ...(secrets.sourcePassword !== undefined ? { password: secrets.sourcePassword } : {}),
        ...(signal ? { signal } : {}),
      });
      metadata = data.metadata;
      const analysis = await analyzeStage.run(
        {
          config,
          metadata: data.metadata,
          tables: data.tables,
          sourceRows: data.sourceRows,
          wholeStats: data.wholeStats,
          copies: { copied: data.copied, read: originalReader(config, { password: secrets.sourcePassword, widened: data.widened }) },
          workspace: scratch,
          ...(secrets.mockingKey !== undefined ? { mockingKey: secrets.mockingKey } : {}),
        },
        {},
      );
      prepared = await encodeStage.run(analysis, {});
    }
    built = await build(prepared);
    await trainStage.load(modelDir, built, signal ? { signal } : {});
    const ready = built;
    return {
      built: ready,
      metadata,
      dispose: async () => {
        dispose(ready);
        await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (built) dispose(built);
    await rm(scratch, { recursive: true, force: true });
    throw e;
  }
}
