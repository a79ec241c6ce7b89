import type { StorageType } from '../../shared/metadata';
import type { CellValue, RowBatch } from '../../shared/values';
import { formText, roundToForm, type ValueForm } from '../../shared/value-form';
import { odsDateStyle, odsNumberStyle, sheetDatePattern } from './sheet-formats';
import type { ExportTable } from './table-reader';
import { ZipFileWriter } from './zip-writer';

/**
 * A streaming OpenDocument spreadsheet writer: content.xml is produced row by row and deflated
 * into the zip as it goes, so memory stays bounded by one batch whatever the number of rows.
 * Numbers are float cells, booleans boolean cells, dates/datetimes date cells, nulls empty cells;
 * in the source's form where the output recorded it: date cells shown in the source's pattern,
 * numbers with its decimals, booleans the source wrote as words as those words.
 */

const MIME = 'application/vnd.oasis.opendocument.spreadsheet';
const NS = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"',
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"',
].join(' ');

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="${MIME}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
`;

const STYLES = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ${NS} office:version="1.2"><office:styles/></office:document-styles>
`;

const CONTENT_OPEN = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ${NS} office:version="1.2"><office:automatic-styles>`;
const CONTENT_BODY = '</office:automatic-styles><office:body><office:spreadsheet>';

/** One cell style per distinct number format the columns need (date patterns, fixed decimals). */
interface CellStyles {
  xml: string;
  /** The cell style name of each column of each table (undefined: none). */
  of: Array<Array<string | undefined>>;
}

function cellStyles(tables: ExportTable[]): CellStyles {
  const names = new Map<string, string>();
  let xml = '';
  const styleFor = (key: string, dataStyle: (name: string) => string): string => {
    let name = names.get(key);
    if (!name) {
      const n = names.size + 1;
      name = `ce${n}`;
      names.set(key, name);
      xml += dataStyle(`N${n}`) + `<style:style style:name="${name}" style:family="table-cell" style:data-style-name="N${n}"/>`;
    }
    return name;
  };
  const of = tables.map((t) =>
    t.columns.map((c) => {
      const pattern = sheetDatePattern(c.storageType, c.form);
      if (pattern)
        return styleFor(
          `d:${pattern}`,
          (n) => `<number:date-style style:name="${n}" number:automatic-order="false">${odsDateStyle(pattern)}</number:date-style>`,
        );
      const d = c.form?.decimals;
      if (d !== undefined && (c.storageType === 'float' || c.storageType === 'decimal'))
        return styleFor(`n:${d}`, (n) => `<number:number-style style:name="${n}">${odsNumberStyle(d)}</number:number-style>`);
      return undefined;
    }),
  );
  return { xml, of };
}
const CONTENT_TAIL = '</office:spreadsheet></office:body></office:document-content>\n';

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Text as ODF paragraph content: XML-escaped, runs of spaces, tabs and line breaks as their elements. */
export function odfText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n?|\n/g, '<text:line-break/>')
    .replace(/\t/g, '<text:tab/>')
    .replace(/^ +| +$| {2,}/g, (run: string, at: number, all: string) => {
      // Leading and trailing spaces would be dropped by readers, so they are all <text:s/>.
      const edge = at === 0 || at + run.length === all.length;
      const n = edge ? run.length : run.length - 1;
      return `${edge ? '' : ' '}<text:s${n > 1 ? ` text:c="${n}"` : ''}/>`;
    });
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function cell(v: CellValue, type: StorageType, form?: ValueForm, style?: string): string {
  if (v === null) return '<table:table-cell/>';
  const styled = style ? ` table:style-name="${style}"` : '';
  const shown = formText(v, form);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '<table:table-cell/>';
    const x = roundToForm(v, form);
    return `<table:table-cell${styled} office:value-type="float" office:value="${x}"><text:p>${shown ?? x}</text:p></table:table-cell>`;
  }
  if (typeof v === 'boolean') {
    // Booleans the source wrote as words stay those words.
    if (shown !== undefined) return `<table:table-cell office:value-type="string"><text:p>${odfText(shown)}</text:p></table:table-cell>`;
    return `<table:table-cell office:value-type="boolean" office:boolean-value="${v}"><text:p>${v ? 'TRUE' : 'FALSE'}</text:p></table:table-cell>`;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '<table:table-cell/>';
    const day = `${pad(v.getUTCFullYear(), 4)}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    if (type === 'date')
      return `<table:table-cell${styled} office:value-type="date" office:date-value="${day}"><text:p>${shown ?? day}</text:p></table:table-cell>`;
    const time = `${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
    const ms = v.getUTCMilliseconds();
    return `<table:table-cell${styled} office:value-type="date" office:date-value="${day}T${time}${ms ? `.${pad(ms, 3)}` : ''}"><text:p>${odfText(shown ?? `${day} ${time}`)}</text:p></table:table-cell>`;
  }
  return `<table:table-cell office:value-type="string"><text:p>${odfText(v)}</text:p></table:table-cell>`;
}

const row = (cells: string[]): string => `<table:table-row>${cells.join('')}</table:table-row>`;

/** Writes one sheet per table into an .ods file, streamed (memory bounded by one batch of rows). */
export async function writeOdsStream(
  tables: ExportTable[],
  sheetNames: string[],
  rowsOf: (t: ExportTable) => AsyncIterable<RowBatch>,
  file: string,
  onRows: (n: number) => void,
): Promise<void> {
  const zip = new ZipFileWriter(file);
  const enc = new TextEncoder();
  try {
    const mime = zip.entry('mimetype', 0);
    mime.push(enc.encode(MIME));
    mime.end();
    for (const [name, text] of [
      ['META-INF/manifest.xml', MANIFEST],
      ['styles.xml', STYLES],
    ] as const) {
      const e = zip.entry(name);
      e.push(enc.encode(text));
      e.end();
    }
    const content = zip.entry('content.xml');
    const styles = cellStyles(tables);
    let buf = CONTENT_OPEN + styles.xml + CONTENT_BODY;
    const flush = (force = false): void => {
      if (buf.length < 1 << 16 && !force) return;
      content.push(enc.encode(buf));
      buf = '';
    };
    for (const [ti, t] of tables.entries()) {
      const types = t.columns.map((c) => c.storageType);
      const forms = t.columns.map((c) => c.form);
      const styleOf = styles.of[ti] ?? [];
      buf += `<table:table table:name="${attr(sheetNames[ti] ?? t.name)}">`;
      buf += row(t.columns.map((c) => cell(c.name, 'string')));
      for await (const batch of rowsOf(t)) {
        for (const r of batch.rows) {
          buf += row(types.map((ty, i) => cell(r[i] ?? null, ty, forms[i], styleOf[i])));
          flush();
        }
        onRows(batch.rows.length);
      }
      buf += '</table:table>';
    }
    buf += CONTENT_TAIL;
    flush(true);
    content.end();
    zip.finish();
  } finally {
    zip.close();
  }
}
