import { describe, expect, it } from 'vitest';
import { decodeDraft, encodeDraft, type WizardDraft } from '../../src/renderer/features/wizard/draft';
import { orderResultTables, treatmentsOf } from '../../src/renderer/features/results/table-order';
import { setTableTreatment } from '../../src/renderer/features/wizard/config-edit';
import { shopConfig, shopMetadata } from './fixtures';

function draft(): WizardDraft {
  const { config } = shopConfig();
  return {
    sourceId: 'src-1',
    synthesisId: null,
    name: 'Shop synthesis',
    config: setTableTreatment(config, 'Category', 'original'),
    step: 3,
    positions: { Customer: { x: 10, y: 20 } },
    savedAt: '2026-03-01T10:00:00.000Z',
  };
}

describe('wizard draft', () => {
  it('round-trips the unsaved work of a source: config, name, step and table positions', () => {
    const d = draft();
    const back = decodeDraft(encodeDraft(d), 'src-1', shopMetadata());
    expect(back).toEqual(d);
    expect(back!.config.tables['Category']!.treatment).toBe('original');
  });

  it('offers nothing for another source, a corrupt entry, or a source whose tables changed', () => {
    const raw = encodeDraft(draft());
    expect(decodeDraft(raw, 'src-2', shopMetadata())).toBeNull();
    expect(decodeDraft('{not json', 'src-1', shopMetadata())).toBeNull();
    expect(decodeDraft(JSON.stringify({ v: 1, sourceId: 'src-1' }), 'src-1', shopMetadata())).toBeNull();
    expect(decodeDraft(null, 'src-1', shopMetadata())).toBeNull();
    const fewer = shopMetadata();
    fewer.tables = fewer.tables.filter((t) => t.name !== 'Category');
    expect(decodeDraft(raw, 'src-1', fewer)).toBeNull();
  });
});

describe('result tabs', () => {
  it('put the synthesized tables first and mark the original-data ones', () => {
    const tables = [
      { name: 'Genre', rows: 25 },
      { name: 'MediaType', rows: 5 },
      { name: 'Track', rows: 200 },
      { name: 'Album', rows: 40 },
    ];
    const ordered = orderResultTables(tables, { Genre: 'original', MediaType: 'original', Track: 'synthesize', Album: 'synthesize' });
    expect(ordered.map((t) => [t.name, t.original])).toEqual([
      ['Track', false],
      ['Album', false],
      ['Genre', true],
      ['MediaType', true],
    ]);
    // Without treatments, the order is the one the execution gave.
    expect(orderResultTables(tables, {}).map((t) => t.name)).toEqual(['Genre', 'MediaType', 'Track', 'Album']);
  });

  it('read table treatments from a config-shaped payload, ignoring anything else', () => {
    expect(treatmentsOf(draft().config)).toMatchObject({ Category: 'original', Customer: 'synthesize' });
    for (const odd of [null, 'x', { tables: null }, { tables: { A: 3 } }]) expect(treatmentsOf(odd)).toEqual({});
  });
});
