/**
 * A small datetime format language (UTC): YYYY, MM, DD, HH, mm, ss, SSS, literal Z/T and any
 * other character taken literally. Used to read datetimes stored as text and to write them back
 * in the same format.
 */
const TOKENS = ['YYYY', 'SSS', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];
type Part = { token: Token } | { literal: string };

function tokenize(format: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < format.length) {
    const tok = TOKENS.find((t) => format.startsWith(t, i));
    if (tok) {
      parts.push({ token: tok });
      i += tok.length;
    } else {
      const last = parts[parts.length - 1];
      if (last && 'literal' in last) last.literal += format[i];
      else parts.push({ literal: format[i] as string });
      i++;
    }
  }
  return parts;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Returns a parser for the format: epoch ms (UTC), or null when the text does not match. */
export function makeParser(format: string): (text: string) => number | null {
  const parts = tokenize(format);
  const order: Token[] = [];
  const re = new RegExp(
    '^' +
      parts
        .map((p) => {
          if ('literal' in p) return escape(p.literal);
          order.push(p.token);
          return p.token === 'YYYY' ? '(-?\\d{4})' : p.token === 'SSS' ? '(\\d{1,3})' : '(\\d{1,2})';
        })
        .join('') +
      '$',
  );
  return (text) => {
    const m = re.exec(text.trim());
    if (!m) return null;
    const f: Record<Token, number> = { YYYY: 1970, MM: 1, DD: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
    order.forEach((t, i) => (f[t] = Number(m[i + 1])));
    if (f.MM < 1 || f.MM > 12 || f.DD < 1 || f.DD > 31 || f.HH > 23 || f.mm > 59 || f.ss > 60) return null;
    return Date.UTC(f.YYYY, f.MM - 1, f.DD, f.HH, f.mm, f.ss, f.SSS);
  };
}

const pad = (n: number, w: number): string => String(Math.abs(n)).padStart(w, '0');

/** How a column's instants are written: null for Date objects, ISO text, or the format (UTC). */
export function outputFormatter(format: string | null): ((ms: number) => string) | null {
  return format === null ? null : format === 'ISO' ? (ms) => new Date(ms).toISOString() : makeFormatter(format);
}

/** How a column's texts are read: the format's parser, or null for ISO / no format (Date.parse). */
export function inputParser(format: string | null): ((text: string) => number | null) | null {
  return format && format !== 'ISO' ? makeParser(format) : null;
}

/** Returns a formatter for the format (UTC). */
export function makeFormatter(format: string): (ms: number) => string {
  const parts = tokenize(format);
  return (ms) => {
    const d = new Date(ms);
    return parts
      .map((p) => {
        if ('literal' in p) return p.literal;
        switch (p.token) {
          case 'YYYY':
            return (d.getUTCFullYear() < 0 ? '-' : '') + pad(d.getUTCFullYear(), 4);
          case 'MM':
            return pad(d.getUTCMonth() + 1, 2);
          case 'DD':
            return pad(d.getUTCDate(), 2);
          case 'HH':
            return pad(d.getUTCHours(), 2);
          case 'mm':
            return pad(d.getUTCMinutes(), 2);
          case 'ss':
            return pad(d.getUTCSeconds(), 2);
          case 'SSS':
            return pad(d.getUTCMilliseconds(), 3);
        }
        return '';
      })
      .join('');
  };
}

const CANDIDATES = [
  'YYYY-MM-DD',
  'YYYY-MM-DD HH:mm:ss',
  'YYYY-MM-DDTHH:mm:ss',
  'YYYY-MM-DDTHH:mm:ssZ',
  'YYYY-MM-DDTHH:mm:ss.SSSZ',
  'YYYY-MM-DD HH:mm:ss.SSS',
  'YYYY-MM-DD HH:mm',
  'YYYYMMDD',
  'YYYY/MM/DD',
  'DD/MM/YYYY',
  'MM/DD/YYYY',
  'DD.MM.YYYY',
  'YYYY-MM',
];

/** Guesses the format of datetime texts from a sample: the first candidate that parses them all. */
export function detectFormat(samples: readonly string[]): string | null {
  const some = samples.slice(0, 200);
  if (some.length === 0) return null;
  for (const f of CANDIDATES) {
    const parse = makeParser(f);
    if (some.every((s) => parse(s) !== null)) return f;
  }
  return null;
}
