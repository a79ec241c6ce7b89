import type { StorageType } from '../../shared/metadata';
import type { CellValue, RowBatch } from '../../shared/values';
import type { ExportTable } from './table-reader';
import { ZipFileWriter } from './zip-writer';

/**
 * A streaming OpenDocument spreadsheet writer: content.xml is produced row by row and deflated
 * into the zip as it goes, so memory stays bounded by one batch whatever the number of rows.
 * Numbers are float cells, booleans boolean cells, dates/datetimes date cells (with a
 * yyyy-mm-dd[ hh:mm:ss] display style), nulls empty cells.
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

const part = (tag: string, style?: string): string => `<number:${tag}${style ? ` number:style="${style}"` : ''}/>`;
const sep = (s: string): string => `<number:text>${s}</number:text>`;
const DATE_STYLE = part('year', 'long') + sep('-') + part('month', 'long') + sep('-') + part('day', 'long');
const CONTENT_HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ${NS} office:version="1.2"><office:automatic-styles>\
<number:date-style style:name="N1">${DATE_STYLE}</number:date-style>\
<number:date-style style:name="N2">${DATE_STYLE}${sep(' ')}${part('hours', 'long')}${sep(':')}${part('minutes', 'long')}${sep(':')}${part('seconds', 'long')}</number:date-style>\
<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>\
<style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>\
</office:automatic-styles><office:body><office:spreadsheet>`;
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

function cell(v: CellValue, type: StorageType): string {
  if (v === null) return '<table:table-cell/>';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '<table:table-cell/>';
    return `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`;
  }
  if (typeof v === 'boolean')
    return `<table:table-cell office:value-type="boolean" office:boolean-value="${v}"><text:p>${v ? 'TRUE' : 'FALSE'}</text:p></table:table-cell>`;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '<table:table-cell/>';
    const day = `${pad(v.getUTCFullYear(), 4)}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    if (type === 'date')
      return `<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="${day}"><text:p>${day}</text:p></table:table-cell>`;
    const time = `${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
    const ms = v.getUTCMilliseconds();
    return `<table:table-cell table:style-name="ce2" office:value-type="date" office:date-value="${day}T${time}${ms ? `.${pad(ms, 3)}` : ''}"><text:p>${day} ${time}</text:p></table:table-cell>`;
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
    let buf = CONTENT_HEAD;
    const flush = (force = false): void => {
      if (buf.length < 1 << 16 && !force) return;
      content.push(enc.encode(buf));
      buf = '';
    };
    for (const [ti, t] of tables.entries()) {
      const types = t.columns.map((c) => c.storageType);
      buf += `<table:table table:name="${attr(sheetNames[ti] ?? t.name)}">`;
      buf += row(t.columns.map((c) => cell(c.name, 'string')));
      for await (const batch of rowsOf(t)) {
        for (const r of batch.rows) {
          buf += row(types.map((ty, i) => cell(r[i] ?? null, ty)));
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
