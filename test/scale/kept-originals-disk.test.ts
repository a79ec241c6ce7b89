/**
 * The disk guard of a run on the site workers counts the copy of its original-data tables kept in
 * the workspace for later generations (its synthetic rows go to the destination only): a run whose
 * originals cannot fit is refused before training, naming what the copy needs and the disk's free space.
 */
import { statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateOutput, guardDisk } from '../../src/worker/jobs/resource-guard';
import { tempDir } from '../cli/helpers';
import { registryDb } from '../relational/generated-db';

describe('the disk guard of a sharded run with original-data tables', () => {
  it('refuses a run whose kept original-data tables cannot fit the workspace’s disk, and names the need and the free space', async () => {
    const db = registryDb({ people: 150 });
    const config = structuredClone(db.config);
    for (const t of ['schools', 'classes']) config.tables[t]!.treatment = 'original';
    const workspace = tempDir('kept-originals-disk');
    const free = Number(statfsSync(workspace).bavail) * Number(statfsSync(workspace).bsize);
    // "classes" as large as twice the free space; the synthesized tables stay small.
    const isClasses = (t: string): boolean => t === 'classes';
    const perRow = estimateOutput(config, db.tables, { classes: 1_000_000 }, undefined, isClasses).bytes / 1_000_000;
    const classes = Math.ceil((2 * free) / perRow);
    const sourceRows = { ...Object.fromEntries(Object.entries(db.tables).map(([t, b]) => [t, b.rows.length])), classes };
    const sharded = { localOutput: false, destination: { name: 'the destination', dataDir: null, copies: 2 } };

    // Before the originals were counted, a sharded run wrote "nothing locally" and passed.
    const without = await guardDisk(config, db.tables, sourceRows, workspace, sharded);
    expect(without.localBytes).toBe(0);

    const refused = guardDisk(config, db.tables, sourceRows, workspace, { ...sharded, keepsOriginals: true });
    await expect(refused).rejects.toMatchObject({ code: 'INSUFFICIENT_DISK', details: { freeBytes: expect.any(Number) } });
    const rows = (classes + db.tables.schools!.rows.length).toLocaleString('en-US');
    await expect(refused).rejects.toThrow(
      new RegExp(
        `copy of the original-data tables kept for later generations needs about [\\d.]+ [GT]B \\(${rows} rows\\) on the disk of ${workspace}, which has [\\d.]+ [MGT]B free`,
      ),
    );

    // With room for them, the estimate counts them as written into the workspace.
    const small = { ...sourceRows, classes: db.tables.classes!.rows.length };
    const fits = await guardDisk(config, db.tables, small, workspace, { ...sharded, keepsOriginals: true });
    expect(fits.originalsBytes).toBeGreaterThan(0);
    expect(fits.localBytes).toBe(fits.originalsBytes);
    expect(fits.originalsBytes).toBeCloseTo(estimateOutput(config, db.tables, small, undefined, (t) => t === 'classes' || t === 'schools').bytes, 3);
  });
});
