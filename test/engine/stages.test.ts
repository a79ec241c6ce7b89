import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/shared/values';
import { analyzeStage } from '../../src/worker/engine/stages/analyze';
import type { BuiltDataset, OutputPart, PipelineInput } from '../../src/worker/engine/stages/dataset';
import { encodeStage } from '../../src/worker/engine/stages/encode';
import { generateStage } from '../../src/worker/engine/stages/generate';
import { loadEncoded } from '../../src/worker/engine/stages/reload';
import { build, dispose, trainStage } from '../../src/worker/engine/stages/train';
import { relationalSetup, singleTableSetup } from './helpers';

const root = path.resolve(__dirname, '../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'doppel-stages-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The rows generate writes, per table. */
async function generated(built: BuiltDataset, count: number, seed: number): Promise<Record<string, Row[]>> {
  const rows: Record<string, Row[]> = {};
  await generateStage.run({ built, count, seed, sink: async (table, batch) => void (rows[table] ??= []).push(...batch.rows) }, {});
  return rows;
}

/** The rows of parts of the output, generated one after the other, per table. */
async function inParts(built: BuiltDataset, parts: OutputPart[], seed: number): Promise<Record<string, Row[]>> {
  const rows: Record<string, Row[]> = {};
  for (const part of parts)
    for await (const { table, batch } of generateStage.part({ built, part, seed, batchSize: 97 })) (rows[table] ??= []).push(...batch.rows);
  return rows;
}

/** analyze → encode → train in this process, each stage's artifact saved to `workspace`. */
async function trainRun(input: PipelineInput): Promise<BuiltDataset> {
  const analysis = await analyzeStage.run(input, {});
  await analyzeStage.save(analysis, input.workspace);
  const encoded = await encodeStage.run(analysis, {});
  await encodeStage.save(encoded, input.workspace);
  const built = await build(encoded);
  await trainStage.run(built, {});
  await trainStage.save(built, input.workspace);
  return built;
}

/** JSON as it crosses a process boundary (dates as strings), for comparing rows. */
const asJson = (rows: unknown): unknown => JSON.parse(JSON.stringify(rows));

describe('stages', () => {
  it('trains in one process and generates the same rows for a seed in another, from the saved artifacts alone', async () => {
    const { config, metadata, tables } = singleTableSetup(800, { epochs: 3 });
    const artifactKey = randomBytes(32).toString('hex');
    const trained = path.join(scratch, 'trained');
    const built = await trainRun({ config, metadata, tables, workspace: trained, artifactKey, fingerprint: null });
    const here = await generated(built, 700, 31);
    // Row ranges generated as parts (a site worker's shards) are the same rows.
    const ranges: OutputPart[] = [
      { kind: 'rows', table: 'people', start: 0, rows: 250 },
      { kind: 'rows', table: 'people', start: 250, rows: 450 },
    ];
    expect(await inParts(built, ranges, 31)).toEqual(here);
    dispose(built);
    expect(here.people).toHaveLength(700);

    // Each artifact read back in a fresh call: the same order, sizes and settings as the run made.
    const analysis = await analyzeStage.load(trained, { config, workspace: path.join(scratch, 'again') }, {});
    expect(analysis?.engine.kind).toBe('tables');
    expect(analysis?.order).toEqual(['people']);
    expect(analysis?.sourceRows.people).toBe(800);
    expect(analysis?.input.tables).toEqual({});
    const encoded = await encodeStage.load(trained, { ...analysis!, artifactKey }, {});
    expect(encoded?.tables.people?.columns).toEqual(built.prepared.tables.people!.columns);
    expect(encoded?.effective.tables.people).toEqual(built.prepared.effective.tables.people);

    // Generate in another process: no source rows there, only the trained run's folder and its key.
    const job = path.join(scratch, 'job.json');
    const out = path.join(scratch, 'rows.json');
    fs.writeFileSync(job, JSON.stringify({ config, from: trained, workspace: path.join(scratch, 'generate'), artifactKey, seed: 31, count: 700, out }));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'test/engine/stage-process.ts'), job], { cwd: root });
    const there = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, Row[]>;
    expect(there).toEqual(asJson(here));
    // Another seed gives other rows.
    const reloaded = await build((await loadEncoded({ config, from: trained, workspace: path.join(scratch, 'other'), artifactKey }))!);
    await trainStage.load(trained, reloaded, {});
    const other = await generated(reloaded, 700, 32);
    dispose(reloaded);
    expect(asJson(other)).not.toEqual(asJson(here));
  }, 300_000);

  it('a relational dataset generates the same rows from its saved weights as from the models it trained', async () => {
    const { config, metadata, tables } = relationalSetup();
    const trained = path.join(scratch, 'relational');
    const input: PipelineInput = { config, metadata, tables, workspace: trained };
    const built = await trainRun(input);
    expect(built.prepared.engine.kind).toBe('relational');
    const here = await generated(built, 150, 5);
    // The output as parts: the original-data table copied, the families of every root generated.
    const parts = await inParts(
      built,
      [
        { kind: 'original', table: 'status' },
        { kind: 'families', from: 0, to: 1, rootRows: { people: 150 } },
      ],
      5,
    );
    dispose(built);
    expect(here.people).toHaveLength(150);
    expect(here.orders!.length).toBeGreaterThan(0);
    expect(here.status).toHaveLength(3);
    expect(parts).toEqual(here);

    // Its encoding is made again from the source (no generation artifacts), the models only loaded.
    expect(
      await loadEncoded({ config, from: trained, workspace: path.join(scratch, 'relational-again'), artifactKey: randomBytes(32).toString('hex') }),
    ).toBeNull();
    const analysis = await analyzeStage.run({ ...input, workspace: path.join(scratch, 'relational-again') }, {});
    const reloaded = await build(await encodeStage.run(analysis, {}));
    await trainStage.load(trained, reloaded, {});
    expect(Object.keys(reloaded.models)).toEqual(['people', 'orders']);
    const again = await generated(reloaded, 150, 5);
    dispose(reloaded);
    expect(asJson(again)).toEqual(asJson(here));
  }, 300_000);
});
