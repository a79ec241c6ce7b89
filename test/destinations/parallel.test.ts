import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DestinationPlan } from '../../src/data/destinations/check';
import { writeDestination } from '../../src/data/destinations/write';
import type { TableMeta } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';
import { customers, orders, relationships } from '../exporters/fixture';
import { data, dest, fixtureFor, readAll, reader, removeTmp, tableNames } from './harness';

afterAll(() => removeTmp());

/** A third table with no foreign keys, so it loads alongside customers. */
const events: TableMeta = {
  name: 'events',
  primaryKey: ['id'],
  rowCount: 0,
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
    { name: 'label', storageType: 'string', sdtype: 'categorical', nullable: true },
    { name: 'at', storageType: 'datetime', sdtype: 'datetime', nullable: true },
  ],
};
const metas = [orders, customers, events];
const plan: DestinationPlan = { tables: metas, relationships };
const eventRows: Row[] = Array.from({ length: 400 }, (_, i) => [
  i + 1,
  i % 9 === 0 ? null : `kind ${i % 5}`,
  i % 7 === 0 ? null : new Date(Date.UTC(2023, i % 12, (i % 28) + 1, i % 24)),
]);
const rows = { customers: data.customers, orders: data.orders, events: eventRows };
const read = (r: Record<string, Row[]>, batch = 40): ReturnType<typeof reader> => reader(r, batch, metas);

describe.each(['sqlite', 'postgres', 'mysql'] as const)('%s destination with parallel connections', (kind) => {
  const fx = fixtureFor(kind);
  afterAll(() => fx.cleanup());

  it('parallel=4 writes the same rows, primary keys and foreign keys as parallel=1, and leaves no staging table', async () => {
    const one = await fx.spec();
    const four = await fx.spec();
    const progress = new Set<string>();
    await writeDestination(dest(one, 'create', 1), plan, read(rows));
    const res = await writeDestination(dest(four, 'create', 4), plan, read(rows), { onProgress: (p) => progress.add(`${p.table}:${p.tableRows}`) });
    expect(res.rows).toEqual({ customers: 60, orders: 150, events: 400 });
    expect(res.created.sort()).toEqual(['customers', 'events', 'orders']);
    expect(progress.has('events:400') && progress.has('orders:150')).toBe(true);
    const a = await readAll(one);
    const b = await readAll(four);
    expect(b).toEqual(a);
    expect(b.tables.orders).toEqual(data.orders);
    expect(b.tables.events).toEqual(eventRows);
    expect(b.keys.pk).toEqual({ customers: ['id'], events: ['id'], orders: ['order_id'] });
    expect(b.keys.fks).toEqual(['orders(customer_id)->customers(id)']);
    expect(await tableNames(four)).toEqual(['customers', 'events', 'orders']);
  });

  it('a constraint violation in one table rolls every table back: nothing created, a truncate keeps the old rows', async () => {
    const spec = await fx.spec();
    const dup = { ...rows, orders: [...data.orders, data.orders[5]!] };
    const err = await writeDestination(dest(spec, 'create', 4), plan, read(dup)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DESTINATION_WRITE_FAILED', message: expect.stringContaining('orders') });
    expect((err as Error).message).not.toContain('doppel_stage');
    expect(await tableNames(spec)).toEqual([]);

    const orphan = { ...rows, orders: [...data.orders, [99_999, 12_345, 1, null]] };
    await expect(writeDestination(dest(spec, 'create', 4), plan, read(orphan))).rejects.toMatchObject({ code: 'DESTINATION_WRITE_FAILED' });
    expect(await tableNames(spec)).toEqual([]);

    // Existing tables (the copy path): a failing truncate-and-write keeps what was there.
    await writeDestination(dest(spec, 'create', 4), plan, read(rows));
    const fewer = {
      customers: data.customers.slice(0, 20),
      orders: data.orders.filter((r) => r[1] === null || Number(r[1]) <= 20),
      events: eventRows.slice(0, 10),
    };
    const bad = { ...fewer, events: [...fewer.events, fewer.events[0]!] };
    await expect(writeDestination(dest(spec, 'truncate', 4), plan, read(bad))).rejects.toMatchObject({
      code: 'DESTINATION_WRITE_FAILED',
      message: expect.stringContaining('events'),
    });
    const kept = await readAll(spec);
    expect(kept.tables.orders).toEqual(data.orders);
    expect(kept.tables.events).toEqual(eventRows);
    expect(await tableNames(spec)).toEqual(['customers', 'events', 'orders']);
    await writeDestination(dest(spec, 'truncate', 4), plan, read(fewer));
    const after = await readAll(spec);
    expect(after.tables.customers).toEqual(fewer.customers);
    expect(after.tables.orders).toEqual(fewer.orders);
    expect(after.tables.events).toEqual(fewer.events);
  });

  it('a canceled parallel write keeps nothing', async () => {
    const spec = await fx.spec();
    const ac = new AbortController();
    const err = await writeDestination(dest(spec, 'create', 3), plan, read(rows, 10), {
      signal: ac.signal,
      onProgress: (p) => p.totalRows >= 100 && ac.abort(),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EXECUTION_CANCELED' });
    if (spec.kind === 'sqlite') expect(existsSync(spec.path)).toBe(false);
    else expect(await tableNames(spec)).toEqual([]);
  });

  if (kind !== 'sqlite') {
    it('a parallel writer killed mid-write leaves only staging tables, which the next write removes', async () => {
      const spec = await fx.spec();
      const two: DestinationPlan = {
        tables: ['a', 'b'].map((name) => ({
          name,
          primaryKey: ['id'],
          rowCount: 0,
          columns: [
            { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
            { name: 'label', storageType: 'string', sdtype: 'categorical', nullable: true },
          ],
        })),
        relationships: [],
      };
      await killedWriter(dest(spec, 'create', 2), two);
      const left = await tableNames(spec);
      expect(left.length).toBeGreaterThan(0);
      expect(left.every((n) => n.startsWith('doppel_stage_'))).toBe(true);
      await writeDestination(
        dest(spec, 'create', 2),
        { tables: [customers, orders], relationships },
        reader({ customers: data.customers, orders: data.orders }),
      );
      expect(await tableNames(spec)).toEqual(['customers', 'orders']);
    });
  }
});

/** Runs kill-writer.ts, waits until rows are on their way, then kills it with SIGKILL. */
async function killedWriter(destination: ReturnType<typeof dest>, plan: DestinationPlan): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'kill-writer.ts'), JSON.stringify(destination), JSON.stringify(plan)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
    child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
}
