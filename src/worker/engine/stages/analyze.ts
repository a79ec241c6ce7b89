/**
 * Analyze: the configuration checked against the data, the dataset's engine chosen, and the
 * effective settings resolved from the config and the data's facts. Artifact: settings.json and,
 * with an artifact key, source.json (metadata, rows, order; no values).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { outputTables, type SynthesisConfig } from '../../../shared/config';
import { effectiveSettingsSchema, resolveSettings, type EffectiveSettings } from '../../../shared/effective-settings';
import { validateConfig } from '../../../shared/validation';
import { validationFailure } from '../../../shared/problems';
import { validationEnv } from '../../../data/sources/canonical-path';
import { SETTINGS_JSON } from '../../../data/store/workspace-files';
import { readSource, writeSource } from '../generation-artifacts';
import type { Analysis, PipelineInput } from './dataset';
import { engineFor } from './engines';
import type { LogFn, ReloadableStage } from './stage';

export async function writeSettings(workspace: string, effective: EffectiveSettings): Promise<void> {
  await fs.mkdir(workspace, { recursive: true });
  await fs.writeFile(path.join(workspace, SETTINGS_JSON), JSON.stringify(effective, null, 1));
}

async function readSettings(from: string): Promise<EffectiveSettings | null> {
  try {
    return effectiveSettingsSchema.parse(JSON.parse(await fs.readFile(path.join(from, SETTINGS_JSON), 'utf8')));
  } catch {
    return null;
  }
}

export const analyzeStage: ReloadableStage<PipelineInput, Analysis, { config: SynthesisConfig; workspace: string }> = {
  name: 'preprocess',

  async run(input, ctx) {
    const { config, metadata } = input;
    const errors = validateConfig(config, metadata, undefined, validationEnv).filter((p) => p.severity === 'error' && p.code !== 'TOO_FEW_ROWS');
    if (errors.length > 0) {
      throw validationFailure(errors);
    }
    if (config.settings.privacy.differentialPrivacy.enabled) {
      const dp = config.settings.privacy.differentialPrivacy;
      ctx.log?.(
        'info',
        `Differential privacy is on: target ε = ${dp.epsilon}${dp.delta ? `, δ = ${dp.delta}` : ''} per table (DP-SGD with a privacy accountant; category sets and numeric ranges chosen with DP). Kept and masked columns are outside the guarantee.`,
      );
    }
    const engine = engineFor(config);
    const { order, trees } = engine.plan(input);
    const rowCounts = { ...Object.fromEntries(Object.entries(input.tables).map(([t, b]) => [t, b.rows.length])), ...input.sourceRows };
    const effective = resolveSettings(config, { rows: rowCounts, trees });
    const sourceRows: Record<string, number> = {};
    for (const name of [...order, ...outputTables(config)]) sourceRows[name] ??= input.sourceRows?.[name] ?? input.tables[name]?.rows.length ?? 0;
    return { input, engine, order, effective, sourceRows };
  },

  async save(analysis, workspace) {
    await writeSettings(workspace, analysis.effective);
    const { input } = analysis;
    if (input.artifactKey)
      await writeSource(workspace, {
        metadata: input.metadata,
        sourceRows: analysis.sourceRows,
        order: analysis.order,
        fingerprint: input.fingerprint ?? null,
      });
  },

  /** No rows: `input.tables` is empty, `input.workspace` is the new run's. */
  async load(from, { config, workspace }, ctx) {
    const engine = engineFor(config);
    const source = await readSource(from);
    if (!source) return null;
    const input: PipelineInput = {
      config,
      metadata: source.metadata,
      tables: {},
      sourceRows: source.sourceRows,
      workspace,
      fingerprint: source.fingerprint,
      ...(ctx.log ? { log: ctx.log as LogFn } : {}),
    };
    const effective = (await readSettings(from)) ?? { tables: {} };
    return { input, engine, order: source.order, effective, sourceRows: source.sourceRows };
  },
};
