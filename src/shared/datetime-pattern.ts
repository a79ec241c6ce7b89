/**
 * A small datetime pattern language (UTC), the one home of how a date or time is written as text:
 * YYYY (4-digit year), YY (2-digit year), MM/M (month, padded or not), DD/D (day), HH/H (hour),
 * mm (minute), ss (second), S…S (fraction of a second, as many digits as letters); any other
 * character is literal (`T`, `Z`, `/`, `.`, spaces). Reads datetimes stored as text and writes
 * them back in the same form: the engine's text datetimes and the downloads' source forms.
 */
const TOKENS = ['YYYY', 'SSSSSS', 'SSS', 'YY', 'MM', 'DD', 'HH', 'mm', 'ss', 'SS', 'M', 'D', 'H', 'S'] as const;
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
const isFraction = (t: Token): boolean => t.startsWith('S');

function tokenRe(t: Token): string {
  if (t === 'YYYY') return '(-?\\d{4})';
  if (t === 'YY') return '(\\d{2})';
  if (isFraction(t)) return '(\\d{1,9})';
  return '(\\d{1,2})';
}

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
          return tokenRe(p.token);
        })
        .join('') +
      '$',
  );
  return (text) => {
    const m = re.exec(text.trim());
    if (!m) return null;
    const f = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
    order.forEach((t, i) => {
      const s = m[i + 1] as string;
      const x = Number(s);
      if (t === 'YYYY') f.year = x;
      else if (t === 'YY') f.year = x + (x < 70 ? 2000 : 1900);
      else if (t === 'MM' || t === 'M') f.month = x;
      else if (t === 'DD' || t === 'D') f.day = x;
      else if (t === 'HH' || t === 'H') f.hour = x;
      else if (t === 'mm') f.minute = x;
      else if (t === 'ss') f.second = x;
      else f.ms = Number(s.slice(0, 3).padEnd(3, '0'));
    });
    if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 23 || f.minute > 59 || f.second > 60) return null;
    return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms);
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
          case 'YY':
            return pad(d.getUTCFullYear() % 100, 2);
          case 'MM':
            return pad(d.getUTCMonth() + 1, 2);
          case 'M':
            return String(d.getUTCMonth() + 1);
          case 'DD':
            return pad(d.getUTCDate(), 2);
          case 'D':
            return String(d.getUTCDate());
          case 'HH':
            return pad(d.getUTCHours(), 2);
          case 'H':
            return String(d.getUTCHours());
          case 'mm':
            return pad(d.getUTCMinutes(), 2);
          case 'ss':
            return pad(d.getUTCSeconds(), 2);
          default:
            return pad(d.getUTCMilliseconds(), 3).padEnd(p.token.length, '0').slice(0, p.token.length);
        }
      })
      .join('');
  };
}

/** The parts of a pattern, for writers that build their own number formats (spreadsheets). */
export function patternParts(format: string): Array<{ token: string } | { literal: string }> {
  return tokenize(format);
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
  // Times of day (epoch ms within 1970-01-01).
  'HH:mm:ss',
  'HH:mm:ss.SSS',
  'HH:mm',
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
