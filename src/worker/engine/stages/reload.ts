import type { SynthesisConfig } from '../../../shared/config';
import { analyzeStage, writeSettings } from './analyze';
import type { PreparedDataset } from './dataset';
import { encodeStage } from './encode';
import type { LogFn } from './stage';

/**
 * A trained run's analyze and encode outputs read back from its workspace `from`, without the
 * source, for a new run in `workspace` (its settings.json written). Null when that run wrote no
 * generation artifacts (an older run, or one without an artifact key): the source is then read
 * and both stages run again.
 */
export async function loadEncoded(opts: {
  config: SynthesisConfig;
  from: string;
  workspace: string;
  artifactKey: string;
  log?: LogFn;
  signal?: AbortSignal;
}): Promise<PreparedDataset | null> {
  const ctx = { ...(opts.log ? { log: opts.log } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  const analysis = await analyzeStage.load(opts.from, { config: opts.config, workspace: opts.workspace }, ctx);
  if (!analysis) return null;
  const prepared = await encodeStage.load(opts.from, { ...analysis, artifactKey: opts.artifactKey }, ctx);
  if (!prepared) return null;
  await writeSettings(opts.workspace, prepared.effective);
  return prepared;
}
