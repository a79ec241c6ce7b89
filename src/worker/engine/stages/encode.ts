/**
 * Encode: every synthesized table's training rows turned into column plans, encoders and tokens
 * by the dataset's engine. Artifact per table: encoding.json (plans and encoder stats, no real
 * values: inspectable) and, with an artifact key, generation.json
 * (generation-artifacts.ts: what sampling reads, real values only keyed or sealed).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EffectiveSettings } from '../../../shared/effective-settings';
import { readGenerationArtifact, originalsFromOutput, writeGenerationArtifact } from '../generation-artifacts';
import { tokenMarginals } from '../model/rake';
import { tableDir } from '../model-artifacts';
import { readRelationalArtifact } from '../relational/artifacts';
import type { PreparedTable } from '../table-model';
import type { Analysis, PreparedDataset } from './dataset';
import type { ReloadableStage } from './stage';

function encodingArtifact(p: PreparedTable): unknown {
  return {
    table: p.table,
    trainingRows: p.n,
    // Never real values in artifacts: kept/masked columns and mock templates are summarised.
    columns: p.plans.map((plan) =>
      plan.role === 'keep' || plan.role === 'mask'
        ? { name: plan.name, role: plan.role, values: plan.values.length }
        : plan.role === 'mock'
          ? { name: plan.name, role: plan.role, generator: plan.generator ?? null }
          : plan,
    ),
    tokenCardinalities: p.cards,
    protectedRareRows: p.copyFilter.size,
    warnings: p.warnings,
  };
}

export const encodeStage: ReloadableStage<Analysis, PreparedDataset, Analysis & { artifactKey: string }> = {
  name: 'preprocess',

  run(analysis, ctx) {
    return analysis.engine.encode(analysis, ctx);
  },

  async save(prepared, workspace) {
    const { artifactKey } = prepared.input;
    for (const name of prepared.order) {
      const table = prepared.tables[name]!;
      const dir = tableDir(workspace, name);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'encoding.json'), JSON.stringify(encodingArtifact(table), null, 1));
      if (artifactKey !== undefined) await writeGenerationArtifact(workspace, table, tokenMarginals(table.tokens, table.cards), artifactKey);
    }
  },

  /**
   * Encoders, copy filter, fake pools and kept values as `save` wrote them, without the source.
   * No real rows of synthesized tables: `evaluation` is empty and `input.tables` holds only the
   * original-data tables the engine works on, read back from the trained run's output; the others
   * are copied from that output as the rows are written (`input.copies`). The effective settings
   * are the tables' own.
   */
  async load(from, { artifactKey, ...analysis }, ctx) {
    const tables: Record<string, PreparedTable> = {};
    for (const name of analysis.order) {
      const table = await readGenerationArtifact(from, name, artifactKey);
      if (!table) return null;
      tables[name] = table;
    }
    const effective: EffectiveSettings = { tables: Object.fromEntries(Object.entries(tables).map(([t, p]) => [t, p.effective])) };
    // A relational synthesis: its learned structure and matchers (relational/artifacts.ts).
    const relational =
      analysis.engine.kind === 'relational'
        ? await readRelationalArtifact({
            from,
            config: analysis.input.config,
            metadata: analysis.input.metadata,
            tables,
            effective,
            artifactKey,
            ...(ctx.log ? { log: ctx.log } : {}),
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          })
        : undefined;
    if (relational === null) return null;
    // Original-data tables as the trained run copied them into its output (a relational model picks the rows its lookups learned on).
    const originals = relational
      ? { held: relational.input.tables, copies: relational.input.copies! }
      : await originalsFromOutput(analysis.input.config, from, ctx.signal);
    return {
      ...analysis,
      input: { ...analysis.input, tables: originals.held, copies: originals.copies },
      effective,
      tables,
      evaluation: {},
      warnings: [],
      ...(relational ? { relational } : {}),
    };
  },
};
