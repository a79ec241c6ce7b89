/**
 * A file column's type is guessed from its first rows; when a later cell does not fit it (a word in
 * a yes/no, integer, decimal or date column) the column is widened to text, and every cell of it is
 * then the file's text as written ("Yes", " no", "007", "2.50", "2024-03-05"), never its typed
 * value (true, 7, 2.5, a date), in the rows the engine holds and in a table copied batch by batch.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, type SynthesisConfig } from '../../src/shared';
import { openSource } from '../../src/data/sources/connector';
import { loadData } from '../../src/worker/jobs/load-data';
import { HELD_WHOLE_ROWS } from '../../src/worker/engine/original-data';
import { runPipeline } from '../relational/pipeline-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'doppel-widened-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows of each original-data table: past the 10,000 rows types are guessed from, held whole when referenced by synthesized rows. */
const ROWS = 12_000;
const PEOPLE = 800;
/** The rows holding a cell that fits no guessed type, one per column, after the type sample. */
const LATE = { checked: 10_400, qty: 10_900, price: 11_300, day: 11_700 } as const;
const WIDENED = ['checked', 'qty', 'price', 'day'] as const;

/** The file's text of a widened column in row `i` (1-based); '' is an empty cell. */
function cell(column: (typeof WIDENED)[number], i: number): string {
  if (i === LATE[column]) return { checked: 'Steady', qty: 'n/a', price: 'free', day: 'soon' }[column];
  if (i % 17 === 0) return '';
  const late = i > 10_000;
  switch (column) {
    case 'checked':
      return ['Yes', 'no', 'yes', late ? ' No' : 'No'][i % 4]!;
    case 'qty':
      return late && i % 3 === 0 ? String(i % 100).padStart(3, '0') : String(i % 100);
    case 'price':
      return ((i % 40) / 4).toFixed(2);
    case 'day':
      return `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
  }
}

const quoted = (s: string): string => (s.startsWith(' ') ? `"${s}"` : s);

/**
 * lots.csv (original data, held whole: the people reference it), kinds.csv (original data only
 * lots reference: copied from the file batch by batch) and people.csv (synthesized).
 */
function writeFolder(): string {
  const folder = mkdtempSync(path.join(dir, 'files-'));
  const lines = (key: (i: number) => string, extra: (i: number) => string[]): string =>
    `${Array.from({ length: ROWS }, (_, k) => [key(k + 1), ...extra(k + 1), ...WIDENED.map((c) => quoted(cell(c, k + 1)))].join(',')).join('\n')}\n`;
  writeFileSync(
    path.join(folder, 'kinds.csv'),
    `kind.code,${WIDENED.join(',')}\n${lines(
      (i) => `K${i}`,
      () => [],
    )}`,
  );
  writeFileSync(
    path.join(folder, 'lots.csv'),
    `lot_id,kind_code,${WIDENED.join(',')}\n${lines(
      (i) => `L-${String(i).padStart(6, '0')}`,
      (i) => [`K${1 + ((i * 31) % ROWS)}`],
    )}`,
  );
  const people = ['person_id,age,lot_id'];
  for (let g = 1; g <= PEOPLE; g++) people.push(`${g},${18 + (g % 60)},L-${String(1 + ((g * 7919) % ROWS)).padStart(6, '0')}`);
  writeFileSync(path.join(folder, 'people.csv'), `${people.join('\n')}\n`);
  return folder;
}

async function configOf(folder: string): Promise<SynthesisConfig> {
  const spec = { kind: 'files' as const, path: folder };
  const source = await openSource(spec);
  const metadata = await source.introspect();
  await source.close();
  // Guessed from the first rows: yes/no, integer, decimal, date.
  const types = Object.fromEntries(metadata.tables.find((t) => t.name === 'lots')!.columns.map((c) => [c.name, c.storageType]));
  expect(types).toMatchObject({ checked: 'boolean', qty: 'integer', price: 'float', day: 'date' });
  const config = defaultConfig(metadata, spec, { name: 'widened' });
  config.tables.kinds!.treatment = 'original';
  config.tables.kinds!.primaryKey = ['kind.code'];
  config.tables.lots!.treatment = 'original';
  config.tables.lots!.primaryKey = ['lot_id'];
  config.tables.people!.treatment = 'synthesize';
  config.foreignKeys = [
    { parentTable: 'kinds', parentColumns: ['kind.code'], childTable: 'lots', childColumns: ['kind_code'], origin: 'user' },
    { parentTable: 'lots', parentColumns: ['lot_id'], childTable: 'people', childColumns: ['lot_id'], origin: 'user' },
  ];
  config.settings.preset = 'fast';
  config.settings.epochs = 1;
  return config;
}

/** The widened columns of a table by row, keyed by the row's key, as the file holds them (an empty cell is null). */
function expected(key: (i: number) => string): Map<string, (string | null)[]> {
  const m = new Map<string, (string | null)[]>();
  for (let i = 1; i <= ROWS; i++)
    m.set(
      key(i),
      WIDENED.map((c) => cell(c, i) || null),
    );
  return m;
}

describe('file columns widened to text past the rows their type was guessed from', () => {
  it('hold the file’s text in every cell: in a table held whole and in one copied batch by batch', async () => {
    expect(ROWS).toBeLessThan(HELD_WHOLE_ROWS);
    const config = await configOf(writeFolder());

    const data = await loadData(config, {});
    expect(data.copied).toEqual(['kinds']);
    expect(data.tables.lots!.rows.length).toBe(ROWS);
    for (const t of ['lots', 'kinds']) {
      const meta = data.metadata.tables.find((x) => x.name === t)!;
      for (const c of WIDENED) expect(meta.columns.find((x) => x.name === c)!.storageType, `${t}.${c}`).toBe('string');
    }
    // The rows held in memory are the file's texts already.
    const lots = data.tables.lots!;
    const held = expected((i) => `L-${String(i).padStart(6, '0')}`);
    for (const r of lots.rows)
      expect(
        WIDENED.map((c) => r[lots.columns.indexOf(c)]),
        String(r[0]),
      ).toEqual(held.get(String(r[0])));

    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status, run.logs.join('\n')).toBe('succeeded');
    expect(run.logs.some((l) => /Copied [\d,]+ rows of the original-data table "kinds" from the source/.test(l))).toBe(true);
    const cases: Array<[string, string, Map<string, (string | null)[]>]> = [
      ['lots', 'lot_id', held],
      ['kinds', 'kind.code', expected((i) => `K${i}`)],
    ];
    for (const [table, key, want] of cases) {
      const out = run.out[table]!;
      expect(out.rows.length, table).toBe(ROWS);
      const at = WIDENED.map((c) => out.columns.indexOf(c));
      const k = out.columns.indexOf(key);
      const wrong = out.rows.filter((r) => JSON.stringify(at.map((i) => r[i])) !== JSON.stringify(want.get(String(r[k]))));
      expect(wrong.slice(0, 3), `${table}: ${wrong.length} row(s) differ from the file`).toEqual([]);
    }
  }, 600_000);

  it('hold the file’s text in a synthesized table read as a training sample, and its synthetic cells are the file’s words', async () => {
    // Words in every tenth row past the type sample, so the training sample holds some of them.
    const text = (column: 'checked' | 'qty', i: number): string => (i > 10_000 && i % 10 === 0 ? (column === 'checked' ? 'Steady' : 'n/a') : cell(column, i));
    const folder = mkdtempSync(path.join(dir, 'sampled-'));
    const lines = ['member_id,age,checked,qty'];
    for (let i = 1; i <= ROWS; i++) lines.push([i, 18 + (i % 60), quoted(text('checked', i)), text('qty', i)].join(','));
    writeFileSync(path.join(folder, 'members.csv'), `${lines.join('\n')}\n`);
    const spec = { kind: 'files' as const, path: folder };
    const source = await openSource(spec);
    const config = defaultConfig(await source.introspect(), spec, { name: 'widened-sample' });
    await source.close();
    config.tables.members!.primaryKey = ['member_id'];
    config.settings.maxTrainingRows = 3000;
    config.settings.preset = 'fast';
    config.settings.epochs = 1;

    const data = await loadData(config, {});
    const members = data.tables.members!;
    expect(members.rows.length).toBeLessThan(ROWS);
    const at = ['checked', 'qty'].map((c) => members.columns.indexOf(c));
    const id = members.columns.indexOf('member_id');
    const wrong = members.rows.filter((r) => {
      const i = Number(r[id]);
      return r[at[0]!] !== (text('checked', i) || null) || r[at[1]!] !== (text('qty', i) || null);
    });
    expect(wrong.slice(0, 3)).toEqual([]);

    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status, run.logs.join('\n')).toBe('succeeded');
    const out = run.out.members!;
    const words = new Set(Array.from({ length: ROWS }, (_, k) => text('checked', k + 1) || null));
    const checked = out.rows.map((r) => r[out.columns.indexOf('checked')]);
    expect(checked.filter((v) => !words.has(v as string | null)).slice(0, 3)).toEqual([]);
  }, 600_000);
});
