import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destinationMapping } from '../../src/data/destinations/mapping';
import { renderReportHtml } from '../../src/report/html';
import { renderReportPdf } from '../../src/report/pdf';
import type { Destination } from '../../src/shared/config';
import type { TableMeta } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import { buildReport } from '../../src/worker/engine/report/build';
import { people } from '../helpers/people';
import { singleTableInput } from '../report/report-builders';

const dir = mkdtempSync(join(tmpdir(), 'doppel-mapping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const into = (target: SourceSpec): Destination => ({ kind: 'database', target, tableMode: 'create', batchSize: 1000, parallel: 1 });
const sqliteDest = into({ kind: 'sqlite', path: '/tmp/out.sqlite' });
const pgDest = into({ kind: 'postgres', host: '127.0.0.1', user: 'postgres', database: 'out' });
const myDest = into({ kind: 'mysql', host: '127.0.0.1', user: 'root', database: 'out' });

const long = `measurement_${'x'.repeat(70)}`;
const prices: TableMeta = {
  name: 'prices',
  rowCount: 10,
  primaryKey: ['id'],
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false, nativeType: 'integer', nativeOf: 'postgres' },
    { name: 'price', storageType: 'decimal', scale: 2, sdtype: 'numerical', nullable: true, nativeType: 'numeric(10,2)', nativeOf: 'postgres' },
    { name: 'Group', storageType: 'string', sdtype: 'categorical', nullable: true, nativeType: 'text', nativeOf: 'postgres' },
    { name: 'group', storageType: 'string', sdtype: 'categorical', nullable: true, nativeType: 'text', nativeOf: 'postgres' },
    { name: long, storageType: 'float', sdtype: 'numerical', nullable: true, nativeType: 'double precision', nativeOf: 'postgres' },
  ],
};
const sizes: TableMeta = {
  name: 'sizes',
  rowCount: 10,
  primaryKey: [],
  columns: [{ name: 'size', storageType: 'string', sdtype: 'categorical', nullable: true, nativeType: "enum('S','M','L')", nativeOf: 'mysql' }],
};

describe('destination mapping', () => {
  it('PostgreSQL numeric(10,2) into SQLite, its case twins renamed; the same kind keeps every type', () => {
    const m = destinationMapping(sqliteDest, { tables: [prices], relationships: [] })!;
    expect(m.target).toBe('sqlite:/tmp/out.sqlite');
    expect(m.types).toContainEqual({ table: 'prices', column: 'price', source: 'numeric(10,2)', destination: 'DECIMAL(38,2)' });
    expect(m.renames).toEqual([{ table: 'prices', column: 'group', to: 'group_2' }]);
    expect(m.columns).toBe(5);

    const same = destinationMapping(pgDest, { tables: [prices], relationships: [] })!;
    expect(same.types).toEqual([]);
    expect(same.renames).toEqual([{ table: 'prices', column: long, to: expect.stringMatching(/^measurement_x+_[0-9a-f]{6}$/) }]);
    expect(Buffer.byteLength(same.renames[0]!.to)).toBeLessThanOrEqual(63);
  });

  it('MariaDB enum into PostgreSQL, PostgreSQL into MariaDB', () => {
    expect(destinationMapping(pgDest, { tables: [sizes], relationships: [] })!.types).toEqual([
      { table: 'sizes', column: 'size', source: "enum('S','M','L')", destination: 'text' },
    ]);
    const my = destinationMapping(myDest, { tables: [prices], relationships: [] })!;
    expect(my.types).toContainEqual({ table: 'prices', column: 'price', source: 'numeric(10,2)', destination: 'decimal(38,2)' });
    expect(my.types).toContainEqual({ table: 'prices', column: 'id', source: 'integer', destination: 'int' });
    expect(my.renames.map((r) => r.column)).toEqual(['group', long]);
  });

  it('the local store has no mapping', () => {
    expect(destinationMapping({ kind: 'local' }, { tables: [prices], relationships: [] })).toBeNull();
  });

  it('the HTML and PDF report list the renames and the changed types in their own section', async () => {
    const input = singleTableInput(
      'people',
      { age: 'numerical', job: 'categorical' },
      { train: people(80, 1), holdout: people(40, 2), synthetic: people(80, 3) },
    );
    const destination = destinationMapping(sqliteDest, { tables: [prices], relationships: [] });
    const html = await renderReportHtml(buildReport({ ...input, destination }));
    const section = html.slice(html.indexOf('<h2>Destination</h2>'), html.indexOf('<h2>Privacy</h2>'));
    expect(section).toContain('Written to sqlite:/tmp/out.sqlite.');
    expect(section).toMatch(/<td>prices<\/td><td>group<\/td><td>group_2<\/td>/);
    expect(section).toMatch(/<td>prices<\/td><td>price<\/td><td>numeric\(10,2\)<\/td><td>DECIMAL\(38,2\)<\/td>/);
    expect(section).toContain(`${destination!.types.length} of 5 columns get another type in the destination.`);

    const pdf = join(dir, 'report.pdf');
    await renderReportPdf(html, pdf);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('Renamed names');
    expect(text).toMatch(/prices\s+group\s+group_2/);
    expect(text).toMatch(/prices\s+price\s+numeric\(10,2\)\s+DECIMAL\(38,2\)/);

    const local = await renderReportHtml(buildReport(input));
    expect(local).not.toContain('<h2>Destination</h2>');
  });
});
