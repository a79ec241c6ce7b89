/**
 * A sharded run writes its output into the destination only, but its original-data tables are
 * also kept in the run's workspace output (`output.sqlite` holding those tables alone), copied
 * batch by batch before any shard starts: the site's workers load the trained model from that
 * workspace (generation-artifacts.ts `originalsFromOutput`), and so does any later generation from
 * this run, on the site or in one local process, as from a local run's output.
 */
import type { SynthesisConfig } from '../../shared/config';
import type { DestinationPlan } from '../../data/destinations/check';
import { openLocalOutput } from '../../data/destinations/local-output';
import { originalsParentsFirst } from '../engine/relational/synthesize';
import type { BuiltDataset } from '../engine/stages/dataset';
import { generateStage } from '../engine/stages/generate';

/** Copies the original-data tables into `outputPath` (nothing is written when there are none); a failure leaves no file. */
export async function keepOriginals(
  built: BuiltDataset,
  config: SynthesisConfig,
  plan: DestinationPlan,
  outputPath: string,
  signal: AbortSignal,
): Promise<void> {
  const kept = new Set(originalsParentsFirst(config));
  if (kept.size === 0) return;
  const out = await openLocalOutput(
    outputPath,
    plan.tables.filter((t) => kept.has(t.name)),
    plan.relationships.filter((fk) => kept.has(fk.childTable) && kept.has(fk.parentTable)),
  );
  try {
    for (const table of kept)
      for await (const { batch } of generateStage.part({ built, part: { kind: 'original', table }, signal })) await out.append(table, batch);
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
}
