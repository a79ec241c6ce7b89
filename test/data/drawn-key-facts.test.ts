import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/data/sources/connector';
import { computeDataFacts } from '../../src/data/introspection/data-facts';
import { defaultConfig, relationshipKey, validateConfig, type Relationship } from '../../src/shared';

const dir = mkdtempSync(join(tmpdir(), 'doppel-dups-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 60 stores; 600 sales, of which 45 name a store that does not exist (ids 901–915).
writeFileSync(join(dir, 'stores.csv'), ['code,city', ...Array.from({ length: 60 }, (_, i) => `${i + 1},city${i % 7}`)].join('\n'));
writeFileSync(
  join(dir, 'sales.csv'),
  ['sale,shop,amount', ...Array.from({ length: 600 }, (_, i) => `${i + 1},${i < 45 ? 901 + (i % 15) : (i % 60) + 1},${1000 + ((i * 37) % 500)}`)].join('\n'),
);

describe('a foreign key drawn by hand whose values have no parent', () => {
  it('is checked on the data and reported by validation as a warning with the fix, not passed as valid', async () => {
    const src = await openSource({ kind: 'files', path: dir });
    try {
      const metadata = await src.introspect({ inferKeys: false });
      const config = defaultConfig(metadata, { kind: 'files', path: dir });
      config.tables.stores!.primaryKey = ['code'];
      config.tables.sales!.primaryKey = ['sale'];
      const drawn: Relationship = { parentTable: 'stores', parentColumns: ['code'], childTable: 'sales', childColumns: ['shop'], origin: 'user' };
      config.foreignKeys = [drawn];
      // Without the data's facts nothing is wrong with the key.
      expect(validateConfig(config, metadata).filter((p) => p.code === 'FK_VALUES_WITHOUT_PARENT')).toEqual([]);

      const facts = await computeDataFacts(src, config);
      expect(facts.keys?.[relationshipKey(drawn)]).toMatchObject({ sampled: 600, orphans: 45 });
      const problems = validateConfig(config, metadata, facts);
      const found = problems.filter((p) => p.code === 'FK_VALUES_WITHOUT_PARENT');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'warning', step: 'foreign-keys', table: 'sales', column: 'shop' });
      expect(found[0]!.message).toMatch(/^Foreign key sales\(shop\) → stores\(code\): 45 of 600 values checked have no parent in "stores" \(e\.g\. 901, /);
      expect(found[0]!.fix).toContain('Check that the key joins the right columns');

      // A key drawn to the wrong column: none of its values has a parent.
      const wrong: Relationship = { ...drawn, childColumns: ['amount'] };
      config.foreignKeys = [wrong];
      const none = validateConfig(config, metadata, await computeDataFacts(src, config)).find((p) => p.code === 'FK_VALUES_WITHOUT_PARENT');
      expect(none?.message).toMatch(/^Foreign key sales\(amount\) → stores\(code\): All 600 values checked have no parent in "stores"/);
      expect(none?.fix).toBe('This key does not join the two tables: delete it, or draw it from the column of "sales" that holds "stores"’s keys.');

      // A declared or inferred key was checked when it was found: only keys drawn by hand are read again.
      config.foreignKeys = [{ ...drawn, origin: 'inferred' }];
      expect((await computeDataFacts(src, config)).keys).toBeUndefined();
    } finally {
      await src.close();
    }
  });
});
