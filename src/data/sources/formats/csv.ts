import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { parse, CsvError } from 'csv-parse';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { AppError } from '../../../shared/errors';
import type { FileTable } from './types';
import { headerNames } from './header';
import { csvEngineRoute, duckdbCsvEngine } from './csv-duckdb';
import { duckdbModule } from './duckdb';

const DELIMITERS = [',', ';', '\t', '|'];
const HEAD_BYTES = 64 * 1024;

export interface CsvDialect {
  delimiter: string;
  quote: string;
  encoding: string;
  header: boolean;
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    if (!path.toLowerCase().endsWith('.gz')) return head;
    try {
      return gunzipSync(head, { finishFlush: 2 }).subarray(0, HEAD_BYTES);
    } catch {
      throw new AppError('SOURCE_MALFORMED', `${path} is not a valid gzip file.`, { fix: 'Decompress the file yourself or export it again.' });
    }
  } finally {
    await fh.close();
  }
}

/** Counts delimiter occurrences per line outside double quotes. */
function countsPerLine(lines: string[], d: string, q: string): number[] {
  return lines.map((line) => {
    let n = 0;
    let inQ = false;
    for (const ch of line) {
      if (ch === q) inQ = !inQ;
      else if (ch === d && !inQ) n++;
    }
    return n;
  });
}

function looksLikeData(cell: string): boolean {
  const s = cell.trim();
  return s !== '' && (Number.isFinite(Number(s)) || /^\d{4}-\d{2}-\d{2}/.test(s));
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The bytes but a UTF-8 character the end of the read cut in two (any number of bytes of it: cutting a fixed count could cut one). */
function wholeCharacters(head: Buffer): Buffer {
  let k = head.length - 1;
  while (k >= 0 && head.length - k < 4 && (head[k]! & 0xc0) === 0x80) k--;
  const lead = head[k] ?? 0;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return k >= 0 && head.length - k < size ? head.subarray(0, k) : head;
}

/** UTF-8 when the bytes are valid UTF-8, else chardet's guess; a file mixing UTF-8 and a legacy encoding is an error. */
function detectEncoding(head: Buffer, path: string): string {
  if (!head.some((b) => b >= 0x80)) return 'UTF-8';
  const whole = head.length < HEAD_BYTES ? head : wholeCharacters(head);
  if (isUtf8(whole)) return 'UTF-8';
  if (/[\xc2-\xdf][\x80-\xbf]/.test(head.toString('latin1'))) {
    const lines = whole.toString('latin1').split('\n');
    const utf8Lines = lines.filter((l) => /[\x80-\xff]/.test(l) && isUtf8(Buffer.from(l, 'latin1'))).length;
    const otherLines = lines.filter((l) => /[\x80-\xff]/.test(l) && !isUtf8(Buffer.from(l, 'latin1'))).length;
    if (utf8Lines > 0 && otherLines > 0) {
      throw new AppError(
        'SOURCE_MALFORMED',
        `${basename(path)} mixes UTF-8 text with text in another encoding (e.g. Latin-1): accented letters would be garbled.`,
        {
          fix: 'Re-save the file with a single encoding (UTF-8) from its program or a text editor.',
        },
      );
    }
  }
  const detected = chardet.detect(whole);
  return detected && iconv.encodingExists(detected) ? detected : 'UTF-8';
}

/** Detects encoding, delimiter, quote char and whether the first row is a header. */
export async function detectDialect(path: string): Promise<CsvDialect> {
  const head = await readHead(path);
  const encoding = detectEncoding(head, path);
  const text = iconv.decode(head, encoding);
  const lines = text.split(/\r?\n/).slice(0, 50);
  if (head.length === HEAD_BYTES) lines.pop(); // last line may be cut
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  const quote = nonEmpty.some((l) => /(^|[,;\t|])'/.test(l)) && !nonEmpty.some((l) => l.includes('"')) ? "'" : '"';
  let best = path.toLowerCase().match(/\.tsv(\.gz)?$/) ? '\t' : ',';
  let bestScore = -1;
  for (const d of DELIMITERS) {
    const counts = countsPerLine(nonEmpty, d, quote);
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  const firstCells = (nonEmpty[0] ?? '').split(best);
  const header = !firstCells.some(looksLikeData);
  return { delimiter: best, quote, encoding, header };
}

function csvError(e: unknown, path: string): AppError {
  if (e instanceof AppError) return e;
  const name = basename(path);
  if (e instanceof CsvError) {
    const line = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
      return new AppError('SOURCE_MALFORMED', `${name}: a row${line} has a different number of fields than the header.`, {
        fix: 'Fix that row (a missing or extra delimiter, or an unquoted delimiter inside a value) and load the file again.',
      });
    }
    if (/QUOTE/.test(e.code)) {
      return new AppError('SOURCE_MALFORMED', `${name}: a quoted value${line} is not closed properly.`, {
        fix: 'Quote values containing delimiters or quotes with double quotes and double any quote inside ("").',
      });
    }
    return new AppError('SOURCE_MALFORMED', `${name}: the CSV cannot be parsed${line} (${e.message}).`, {
      fix: 'Check the file is a valid CSV (export it again from its program).',
    });
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (/incorrect header check|unexpected end of file/i.test(msg)) {
    return new AppError('SOURCE_MALFORMED', `${name} is not a valid gzip file.`, { fix: 'Decompress the file yourself or export it again.' });
  }
  return new AppError('SOURCE_UNREADABLE', `${name} cannot be read: ${msg}`, { fix: 'Check the file exists and is readable.' });
}

async function* records(path: string, d: CsvDialect): AsyncGenerator<string[]> {
  const file = createReadStream(path);
  const gunzip = path.toLowerCase().endsWith('.gz') ? createGunzip() : undefined;
  const parser = (gunzip ? file.pipe(gunzip) : file)
    .pipe(iconv.decodeStream(d.encoding))
    .pipe(parse({ delimiter: d.delimiter, quote: d.quote, bom: true, skip_empty_lines: true, relax_column_count: false, relax_quotes: false }));
  try {
    for await (const rec of parser) yield rec as string[];
  } catch (e) {
    throw csvError(e, path);
  } finally {
    // A read stopped early (the first rows only) closes the file too.
    gunzip?.destroy();
    file.destroy();
  }
}

/** A CSV/TSV file (optionally .gz) as one table of text cells. */
export function csvTable(path: string, name: string): FileTable {
  let dialect: Promise<CsvDialect> | undefined;
  const dialectOf = (): Promise<CsvDialect> =>
    (dialect ??= detectDialect(path).catch((e: unknown) => {
      throw csvError(e, path);
    }));
  return {
    name,
    origin: path,
    textual: true,
    async open() {
      const d = await dialectOf();
      const it = records(path, d);
      const first = await it.next();
      if (first.done) {
        throw new AppError('SOURCE_EMPTY', `${basename(path)} is empty.`, { fix: 'Pick a file with a header row and data rows.' });
      }
      const header = d.header ? headerNames(first.value) : first.value.map((_, i) => `column_${i + 1}`);
      const firstRow = d.header ? undefined : first.value;
      async function* rows(): AsyncGenerator<unknown[]> {
        try {
          if (firstRow) yield firstRow;
          yield* it;
        } finally {
          await it.return(undefined);
        }
      }
      return { header, rows: rows() };
    },
    async engine(width) {
      const d = await dialectOf();
      const route = csvEngineRoute(d, (await stat(path)).size);
      if (route.engine === 'js') return undefined;
      return (await duckdbModule()) ? duckdbCsvEngine(path, d, width) : undefined;
    },
  };
}
