/** Training a synthesis by the CLI and generating again from its stored model, with the source deleted. */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/data/store/index';
import type { SynthesisConfig } from '../../src/shared';
import type { RowBatch } from '../../src/shared/values';
import { RELATIONAL_JSON } from '../../src/worker/engine/relational/artifacts';
import { doppel, tempDir } from './helpers';

/** Every file under a folder. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((f) => {
    const p = path.join(folder, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The files of a run's workspace but its output, report and exports (which hold generated rows by design), with their text. */
export function artifactTexts(workspace: string): { file: string; text: string }[] {
  return filesUnder(workspace)
    .filter((f) => !/output\.sqlite|report\.|exports/.test(f))
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }));
}

export interface Generated {
  executionId: string;
  outputPath: string;
  rows: Record<string, number>;
}

export interface TrainedRun {
  config: SynthesisConfig;
  executionId: string;
  outputPath: string;
  workspace: string;
  /** `doppel generate` of `rows` with `seed` from this run's model. */
  generate(rows: number, seed: number): Promise<Generated>;
}

/** `doppel init` of a source and `doppel run` of its config (as `adjust` changes it) in the project store `store`. */
export async function trainBy(o: { source: string; store: string; cfgFile: string; adjust: (config: SynthesisConfig) => void }): Promise<TrainedRun> {
  const init = await doppel(['init', o.source, '-o', o.cfgFile], { store: o.store });
  expect(init.code, init.stderr).toBe(0);
  const config = JSON.parse(readFileSync(o.cfgFile, 'utf8')) as SynthesisConfig;
  o.adjust(config);
  writeFileSync(o.cfgFile, JSON.stringify(config));
  const run = await doppel(['run', o.cfgFile, '--json'], { store: o.store });
  expect(run.code, run.stderr).toBe(0);
  const first = JSON.parse(run.stdout) as { executionId: string; outputPath: string };
  return {
    config,
    ...first,
    workspace: path.dirname(first.outputPath),
    async generate(rows, seed) {
      const gen = await doppel(['generate', first.executionId.slice(0, 8), '--rows', String(rows), '--seed', String(seed), '--json'], { store: o.store });
      expect(gen.code, gen.stderr).toBe(0);
      return JSON.parse(gen.stdout) as Generated;
    },
  };
}

/**
 * Generates `rows` with `seed` from the source (the relational artifact moved aside for it), then
 * deletes the source file and generates again from the stored model alone: nothing is loaded or
 * trained, and every table of `read` equals the one generated from the source. Returns both outputs.
 */
export async function generateWithoutSource(
  run: TrainedRun,
  o: { store: string; source: string; rows: number; seed: number; read: (file: string) => Record<string, RowBatch> },
): Promise<{ fromSource: Record<string, RowBatch>; again: Record<string, RowBatch> }> {
  const artifact = path.join(run.workspace, RELATIONAL_JSON);
  const asideDir = tempDir('artifact-aside');
  const aside = path.join(asideDir, RELATIONAL_JSON);
  renameSync(artifact, aside);
  const fromSource = await run.generate(o.rows, o.seed);
  renameSync(aside, artifact);
  rmSync(asideDir, { recursive: true, force: true });

  rmSync(o.source);
  const again = await run.generate(o.rows, o.seed);
  const s = openStore(o.store);
  try {
    const steps = s.executions.get(again.executionId).steps;
    expect(steps.find((x) => x.step === 'load')?.status).toBe('skipped');
    expect(steps.find((x) => x.step === 'train')?.status).toBe('skipped');
  } finally {
    s.close();
  }
  // The same seed gives the same rows as generating from the source.
  const a = o.read(fromSource.outputPath);
  const b = o.read(again.outputPath);
  for (const t of Object.keys(a)) expect(b[t], t).toEqual(a[t]);
  return { fromSource: a, again: b };
}
