/** The scratch PostgreSQL source of a test file, and the default config of a database source with its tables' treatments chosen. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { defaultConfig, type SynthesisConfig } from '../../src/shared';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import { openSource } from '../../src/data/sources/connector';
import { createPgScratch, type ScratchDatabase } from './db';

/**
 * A scratch PostgreSQL database made by `sql` before the file's tests and dropped after them,
 * with a temporary folder removed after them too. `db()` is the database once made.
 */
export function usePgScratch(prefix: string, sql: string): { db: () => ScratchDatabase; dir: string } {
  let made: ScratchDatabase | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  beforeAll(async () => {
    made = await createPgScratch(prefix, sql);
  }, 120_000);
  afterAll(async () => {
    await made?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    db: () => {
      if (!made) throw new Error(`the scratch database ${prefix} is not made yet`);
      return made;
    },
    dir,
  };
}

/** The default config of a source (keys as declared, none inferred; `meta` may add the keys a file cannot declare). */
export async function sourceConfig(spec: SourceSpec, name: string, meta?: (m: DatasetMetadata) => void): Promise<SynthesisConfig> {
  const source = await openSource(spec);
  try {
    const metadata = await source.introspect({ inferKeys: false });
    meta?.(metadata);
    return defaultConfig(metadata, spec, { name });
  } finally {
    await source.close();
  }
}

/** The default config of a database source (keys as declared), each table given its treatment, trained briefly. */
export async function databaseConfig(spec: SourceSpec, name: string, treatments: Record<string, 'synthesize' | 'original'>): Promise<SynthesisConfig> {
  const config = await sourceConfig(spec, name);
  for (const [table, treatment] of Object.entries(treatments)) config.tables[table]!.treatment = treatment;
  config.settings.preset = 'fast';
  config.settings.epochs = 1;
  return config;
}
