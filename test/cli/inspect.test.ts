import { describe, expect, it } from 'vitest';
import { inspectSource } from '../../src/main/cli/commands/inspect';
import { datasetPath } from '../helpers/datasets';

const fk = (r: { childTable: string; childColumns: string[]; parentTable: string; parentColumns: string[] }): string =>
  `${r.childTable}(${r.childColumns.join(',')})->${r.parentTable}(${r.parentColumns.join(',')})`;

describe('doppel inspect', () => {
  it('shows chinook (SQLite) with its declared keys, composite PK and self-reference', async () => {
    const r = await inspectSource(`sqlite:${datasetPath('chinook', 'Chinook_Sqlite.sqlite')}`);
    expect(r.metadata.tables).toHaveLength(11);
    expect(r.metadata.tables.find((t) => t.name === 'PlaylistTrack')?.primaryKey).toEqual(['PlaylistId', 'TrackId']);
    const fks = r.metadata.relationships.map(fk);
    expect(fks).toEqual(
      expect.arrayContaining(['Invoice(CustomerId)->Customer(CustomerId)', 'Employee(ReportsTo)->Employee(EmployeeId)', 'Track(AlbumId)->Album(AlbumId)']),
    );
    expect(r.metadata.tables.find((t) => t.name === 'Track')?.rowCount).toBe(3503);
  });

  it('infers the keys of the berka CSV folder and flags nothing in its coded columns as a person name', async () => {
    const r = await inspectSource(datasetPath('berka'));
    expect(r.metadata.tables.map((t) => t.name).sort()).toEqual(['account', 'card', 'client', 'disp', 'district', 'loan', 'order']);
    const fks = r.metadata.relationships.map(fk);
    expect(fks).toEqual(
      expect.arrayContaining([
        'disp(account_id)->account(account_id)',
        'disp(client_id)->client(client_id)',
        'card(disp_id)->disp(disp_id)',
        'loan(account_id)->account(account_id)',
      ]),
    );
    expect(r.metadata.tables.find((t) => t.name === 'account')?.primaryKey).toEqual(['account_id']);
    expect(r.sensitive.filter((h) => /name/i.test(h.kind)).map((h) => `${h.table}.${h.column}`)).toEqual([]);
  });
});
