/**
 * Generates in a process of its own from a trained run's workspace, as a generate run does:
 * analyze and encode loaded, the train stage's weights loaded, then generate.
 *
 *   node --import tsx test/engine/stage-process.ts <job.json>
 *
 * job.json: { config, from, workspace, artifactKey, seed, count, out }; the rows go to `out` (JSON).
 */
import fs from 'node:fs/promises';
import type { SynthesisConfig } from '../../src/shared/config';
import type { Row } from '../../src/shared/values';
import { generateStage } from '../../src/worker/engine/stages/generate';
import { loadEncoded } from '../../src/worker/engine/stages/reload';
import { build, dispose, trainStage } from '../../src/worker/engine/stages/train';

interface Job {
  config: SynthesisConfig;
  from: string;
  workspace: string;
  artifactKey: string;
  seed: number;
  count: number;
  out: string;
}

const job = JSON.parse(await fs.readFile(process.argv[2]!, 'utf8')) as Job;
const prepared = await loadEncoded(job);
if (!prepared) throw new Error(`No generation artifacts in ${job.from}.`);
const built = await build(prepared);
await trainStage.load(job.from, built, {});
const rows: Record<string, Row[]> = {};
await generateStage.run({ built, count: job.count, seed: job.seed, sink: async (table, batch) => void (rows[table] ??= []).push(...batch.rows) }, {});
dispose(built);
await fs.writeFile(job.out, JSON.stringify(rows));
