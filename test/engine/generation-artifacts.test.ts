import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/shared/values';
import { isAppError } from '../../src/shared/errors';
import { initBackend } from '../../src/worker/engine/backend';
import { readGenerationArtifact, writeGenerationArtifact } from '../../src/worker/engine/generation-artifacts';
import { loadTableModel, tableDir, writeModelArtifacts } from '../../src/worker/engine/model-artifacts';
import { tokenMarginals } from '../../src/worker/engine/model/rake';
import { fitTable, prepareTable, sampleTable, type TableModel } from '../../src/worker/engine/table-model';
import { correlatedTable, correlatedTypes, settings, tableConfig } from './helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'doppel-gen-artifacts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});

async function rows(model: TableModel, count: number, seed: number): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of sampleTable(model, count, { seed, batchSize: 400 })) out.push(...b.rows);
  return out;
}

describe('generation artifacts', () => {
  const key = randomBytes(32).toString('hex');
  const data = correlatedTable(600, 3);
  // A kept column (real codes), a mocked e-mail (consistent fakes) and the rest learned.
  data.columns.push('code', 'email');
  data.rows.forEach((r, i) => r.push(`K-${i % 7}`, `someone${i}@private.example`));
  const config = tableConfig({ ...correlatedTypes, code: 'categorical', email: 'text' }, ['id']);
  config.columns.code!.treatment = 'keep';
  config.columns.email!.treatment = 'mock';

  it('reads back a prepared table that samples the same rows as the one in memory, with no real value in clear', async () => {
    const prepared = prepareTable(data, { table: 'people', config, columns: [], settings: settings(), mockingKey: 'project-key', artifactKey: key });
    expect(prepared.copyFilter.size).toBeGreaterThan(0);
    const model = await fitTable(prepared, { family: 'copula' });
    await writeModelArtifacts(dir, 'people', model);
    await writeGenerationArtifact(dir, prepared, tokenMarginals(prepared.tokens, prepared.cards), key);
    for (const f of readdirSync(tableDir(dir, 'people'))) {
      const text = readFileSync(path.join(tableDir(dir, 'people'), f), 'latin1');
      expect(text, f).not.toMatch(/private\.example|K-\d|RARE-PERSON/);
    }
    const back = await readGenerationArtifact(dir, 'people', key);
    expect(back).not.toBeNull();
    expect(back!.tokens).toEqual([]);
    const reloaded = await loadTableModel(dir, back!);
    const a = await rows(model, 1500, 21);
    const b = await rows(reloaded, 1500, 21);
    expect(b).toEqual(a);
    // The copy filter read back recognises the same rows: every training row rare on the modelled columns.
    const positions = prepared.modelled;
    const training = data.rows.map((r) => prepared.columns.map((c) => r[data.columns.indexOf(c)] ?? null));
    const flagged = training.filter((r) => prepared.copyFilter.isCopy(r)).length;
    expect(flagged).toBeGreaterThan(0);
    expect(training.filter((r) => reloaded.filter.isCopy(r)).length).toBe(flagged);
    expect(positions.length).toBeGreaterThan(0);
    // Kept codes come back from the sealed values; e-mails are fakes.
    expect(new Set(b.map((r) => r[prepared.columns.indexOf('code')]))).toEqual(new Set(Array.from({ length: 7 }, (_, i) => `K-${i}`)));
    expect(b.some((r) => String(r[prepared.columns.indexOf('email')]).includes('private.example'))).toBe(false);
  }, 120_000);

  it('refuses another key with the reason and the fix', async () => {
    const other = randomBytes(32).toString('hex');
    const e = await readGenerationArtifact(dir, 'people', other).catch((x: unknown) => x);
    expect(isAppError(e)).toBe(true);
    expect((e as Error).message).toMatch(/written under another key/);
  });

  it('has nothing to read for a table without artifacts', async () => {
    expect(await readGenerationArtifact(dir, 'nobody', key)).toBeNull();
  });
});
