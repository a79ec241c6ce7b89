import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { locateExecutionFile } from '../../src/main/cli/context';
import { runExportCommand } from '../../src/main/cli/commands/export';
import { createServices } from '../../src/main/services/index';
import { ORIGINALS_FILE, OUTPUT_FILE } from '../../src/data/store/workspace-files';
import { sampleConfig } from '../store/helpers';
import { writeFixture } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'doppel-export-one-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A succeeded execution of a shop synthesis whose workspace holds the customers/orders fixture in
 * `file`, recorded as its output when `recorded` (else the run records no local output).
 */
async function shopExecution(store: ReturnType<typeof createServices>['store'], file: string, recorded: boolean) {
  const source = store.sources.add({ spec: { kind: 'files', path: '/data/customers.csv' } });
  const synthesis = store.syntheses.save({ name: 'Shop', sourceId: source.id, config: sampleConfig('Shop') });
  const ex = store.executions.create({ synthesisId: synthesis.id, config: synthesis.config });
  const written = join(ex.workspace, file);
  await writeFixture(written);
  const outputPath = recorded ? written : null;
  store.executions.finish(ex.id, 'succeeded', {
    summary: { executionId: ex.id, status: 'succeeded', stepSeconds: {}, rows: {}, backend: 'cpu', quality: null, outputPath, reportPath: null },
  });
  return ex;
}

describe('one export path for the app and the CLI', () => {
  it('offers the same tables and writes the same files from the same execution', async () => {
    const storeDir = join(dir, 'store');
    const services = createServices({ storeDir });
    try {
      // The config names one table only: the tables offered come from the output itself.
      const ex = await shopExecution(services.store, OUTPUT_FILE, true);

      const inApp = services.executions.tables(ex.id);
      expect(inApp).toEqual([
        { name: 'customers', rows: 60 },
        { name: 'orders', rows: 150 },
      ]);

      const fromApp = await services.executions.export(ex.id, 'csv');
      const cliOut = join(dir, 'cli.zip');
      const fromCli = await runExportCommand(ex.id, { format: 'csv', out: cliOut, store: storeDir }, (id, s) => locateExecutionFile(id, s, 'output'));
      expect(fromCli.tables.map((t) => t.name)).toEqual(inApp.map((t) => t.name));
      const app = unzipSync(readFileSync(fromApp.path));
      const cli = unzipSync(readFileSync(cliOut));
      expect(Object.keys(cli).sort()).toEqual(['customers.csv', 'orders.csv']);
      for (const name of Object.keys(cli)) expect(Buffer.from(cli[name]!).toString()).toBe(Buffer.from(app[name]!).toString());

      // Both refuse a table the execution does not have, in the same words.
      await expect(
        runExportCommand(ex.id, { format: 'csv', out: join(dir, 'x.csv'), tables: 'nope', store: storeDir }, (id, s) => locateExecutionFile(id, s, 'output')),
      ).rejects.toMatchObject({
        code: 'TABLE_NOT_FOUND',
        fix: 'Pick among customers, orders.',
      });
    } finally {
      await services.close();
    }
  });

  it('says an output generated straight into the destination has no local copy, and exports none of the originals kept beside it', async () => {
    const storeDir = join(dir, 'store-sharded');
    const services = createServices({ storeDir });
    try {
      // The original-data tables such a run keeps for later generations, and no output recorded.
      const ex = await shopExecution(services.store, ORIGINALS_FILE, false);
      const noCopy = { code: 'NOT_FOUND', message: expect.stringMatching(/has no local copy of its synthetic data: .* database destination/) };
      expect(() => services.executions.tables(ex.id)).toThrow(expect.objectContaining(noCopy));
      const out = join(dir, 'sharded.zip');
      const locate = (id: string, s: string | undefined): Promise<string | null> => locateExecutionFile(id, s, 'output');
      await expect(runExportCommand(ex.id, { format: 'csv', out, store: storeDir }, locate)).rejects.toMatchObject(noCopy);
      await expect(runExportCommand(ex.workspace, { format: 'csv', out, store: storeDir }, locate)).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
      expect(existsSync(out)).toBe(false);
    } finally {
      await services.close();
    }
  });
});
