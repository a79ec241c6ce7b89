import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared';
import { doppel, tempDir } from '../cli/helpers';

// A SQLite view is listed like a table, has no key until the user sets one, and is synthesized.

const dir = tempDir('sqlite-view');
const store = path.join(dir, 'store');

describe('a SQLite view as a source table', () => {
  it('is inspected, keyed by the user and synthesized', async () => {
    const source = path.join(dir, 'shop.sqlite');
    const db = new Database(source);
    db.exec(`create table person (id integer primary key, age integer not null, city text, spent decimal(10,2));
      create view adults as select id, age, city, spent from person where age >= 18;`);
    const ins = db.prepare('insert into person values (?, ?, ?, ?)');
    for (let i = 1; i <= 160; i++) ins.run(i, 10 + (i % 60), ['Lyon', 'Oslo', 'Kyiv', 'Lima'][i % 4], ((i * 37) % 500) + 0.5);
    db.close();

    const inspect = await doppel(['inspect', `sqlite:${source}`, '--json'], { store });
    expect(inspect.code, inspect.stderr).toBe(0);
    const meta = JSON.parse(inspect.stdout) as { metadata: { tables: Array<{ name: string; kind?: string; primaryKey: string[] }> } };
    const view = meta.metadata.tables.find((t) => t.name === 'adults');
    expect(view).toMatchObject({ kind: 'view', primaryKey: [] });

    const file = path.join(dir, 'config.json');
    const init = await doppel(['init', `sqlite:${source}`, '-o', file], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(file, 'utf8')) as SynthesisConfig;
    expect(Object.keys(config.tables).sort()).toEqual(['adults', 'person']);
    expect(config.tables.adults!.primaryKey).toEqual([]);
    config.tables.adults!.primaryKey = ['id'];
    config.tables.adults!.columns.id!.sdtype = 'id';
    config.settings.epochs = 1;
    config.settings.preset = 'fast';
    writeFileSync(file, JSON.stringify(config));
    const v = await doppel(['validate', file], { store });
    expect(v.code, v.stdout).toBe(0);

    const out = path.join(dir, 'out.sqlite');
    const r = await doppel(['run', file, '--to', `sqlite:${out}`, '--json'], { store });
    expect(r.code, r.stderr).toBe(0);
    const back = new Database(out, { readonly: true });
    try {
      const adults = back.prepare('select id, age, city, spent from adults').all() as Array<{ id: number; age: number; city: string }>;
      // 137 rows in the view; as many synthesized, less any that copied a unique source row.
      const summary = JSON.parse(r.stdout) as { rows: Record<string, number> };
      expect(adults.length).toBe(summary.rows.adults);
      expect(adults.length).toBeGreaterThan(100);
      expect(adults.length).toBeLessThanOrEqual(137);
      expect(new Set(adults.map((a) => a.id)).size).toBe(adults.length);
      expect(new Set(adults.map((a) => a.city))).toEqual(new Set(['Lyon', 'Oslo', 'Kyiv', 'Lima']));
      const pk = back.prepare("select name from pragma_table_info('adults') where pk > 0").all() as Array<{ name: string }>;
      expect(pk.map((c) => c.name)).toEqual(['id']);
    } finally {
      back.close();
    }
  }, 300_000);
});
