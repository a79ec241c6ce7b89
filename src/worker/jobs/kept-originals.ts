/**
 * A sharded run writes its output into the destination only (no local output is recorded), but
 * its original-data tables are kept in the run's workspace (`originals.sqlite`), copied batch by
 * batch before any shard starts: the site's workers load the trained model from that workspace
 * (generation-artifacts.ts `originalsFromOutput`), and so does any later generation from this run,
 * on the site or in one local process, as from a local run's output. The copy is the run's one
 * read of those tables: the report's sample of them is taken from the same batches.
 */
import type { SynthesisConfig } from '../../shared/config';
import type { RowBatch } from '../../shared/values';
import type { DestinationPlan } from '../../data/destinations/check';
import { openLocalOutput } from '../../data/destinations/local-output';
import { originalsParentsFirst } from '../engine/relational/synthesize';
import type { BuiltDataset } from '../engine/stages/dataset';
import { generateStage } from '../engine/stages/generate';

/**
 * Copies the original-data tables into `file` (nothing is written when there are none), each batch
 * also given to `sample`; a failure leaves no file. Returns the tables copied.
 */
export async function keepOriginals(
  built: BuiltDataset,
  config: SynthesisConfig,
  plan: DestinationPlan,
  file: string,
  opts: { signal: AbortSignal; sample: (table: string, batch: RowBatch) => void },
): Promise<string[]> {
  const kept = new Set(originalsParentsFirst(config));
  if (kept.size === 0) return [];
  const out = await openLocalOutput(
    file,
    plan.tables.filter((t) => kept.has(t.name)),
    plan.relationships.filter((fk) => kept.has(fk.childTable) && kept.has(fk.parentTable)),
  );
  try {
    for (const table of kept)
      for await (const { batch } of generateStage.part({ built, part: { kind: 'original', table }, signal: opts.signal })) {
        await out.append(table, batch);
        opts.sample(table, batch);
      }
    await out.commit();
    return [...kept];
  } catch (e) {
    await out.abort();
    throw e;
  }
}
