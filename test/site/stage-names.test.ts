import { describe, expect, it } from 'vitest';
import { planShards, runOfStage, shardStageName } from '../../src/shared/site';

describe('shard staging table names', () => {
  it('give back the run prefix they were built from, even a prefix ending in numbers', () => {
    for (const prefix of ['doppel_shard_a1b2', 'doppel_shard_7_8', 'doppel_shard_x_10_']) {
      for (const [table, shard] of [
        [0, 0],
        [3, 12],
        [41, 1_000],
      ] as const) {
        const stage = shardStageName(prefix, table, shard);
        expect(stage).not.toBe(prefix);
        expect(runOfStage(stage)).toBe(prefix);
      }
    }
  });

  it('name every planned shard of a run so that it parses back to the run', () => {
    const shards = planShards('orders.lines', 2, 130_001, 50_000, 7, 'doppel_shard_e9');
    expect(shards.map((s) => s.stage)).toEqual(['doppel_shard_e9_2_0', 'doppel_shard_e9_2_1', 'doppel_shard_e9_2_2']);
    expect(new Set(shards.map((s) => runOfStage(s.stage)))).toEqual(new Set(['doppel_shard_e9']));
  });

  it('leave a name that is not a shard stage as it is', () => {
    expect(runOfStage('doppel_shard_e9')).toBe('doppel_shard_e9');
    expect(runOfStage('orders_2')).toBe('orders_2');
  });
});
