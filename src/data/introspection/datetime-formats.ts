/** Text datetime formats recognized in files, with a strict parser for each. */
export interface DatetimeFormat {
  name: string;
  re: RegExp;
  /** Field order of the capture groups: year, month, day, hour, minute, second, fraction, zone. */
  parse(m: RegExpExecArray): Date | null;
}

/** Milliseconds a zone (`Z`, `±hh`, `±hhmm`, `±hh:mm`; none = UTC) is ahead of UTC. */
export function zoneOffsetMs(tz: string | undefined): number {
  if (!tz || tz === 'Z') return 0;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
}

function build(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, frac = '', tz = ''): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(t);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null;
  return new Date(t - zoneOffsetMs(tz));
}

const n = (s: string | undefined): number => Number(s ?? 0);
const TIME = '(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?';

function ymd(name: string, sep: string): DatetimeFormat {
  return {
    name,
    re: new RegExp(`^(\\d{4})${sep}(\\d{1,2})${sep}(\\d{1,2})${TIME}\\s*(Z|[+-]\\d{2}:?\\d{2})?$`),
    parse: (m) => build(n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6]), m[7] ?? '', m[8] ?? ''),
  };
}
function dmy(name: string, sep: string, monthFirst: boolean): DatetimeFormat {
  return {
    name,
    re: new RegExp(`^(\\d{1,2})${sep}(\\d{1,2})${sep}(\\d{4})${TIME}$`),
    parse: (m) =>
      monthFirst
        ? build(n(m[3]), n(m[1]), n(m[2]), n(m[4]), n(m[5]), n(m[6]), m[7] ?? '')
        : build(n(m[3]), n(m[2]), n(m[1]), n(m[4]), n(m[5]), n(m[6]), m[7] ?? ''),
  };
}

/** Tried in order; the first format that parses every sampled value wins. */
export const datetimeFormats: DatetimeFormat[] = [
  ymd('ISO', '-'),
  ymd('YYYY/MM/DD', '/'),
  dmy('DD/MM/YYYY', '/', false),
  dmy('MM/DD/YYYY', '/', true),
  dmy('DD.MM.YYYY', '\\.', false),
  dmy('DD-MM-YYYY', '-', false),
  {
    name: 'YYYYMMDD',
    re: /^(\d{4})(\d{2})(\d{2})$/,
    parse: (m) => (n(m[1]) >= 1800 && n(m[1]) <= 2200 ? build(n(m[1]), n(m[2]), n(m[3])) : null),
  },
];

/** Six-digit YYMMDD (e.g. berka's 930101); only tried on columns whose name says date. */
export const yymmdd: DatetimeFormat = {
  name: 'YYMMDD',
  re: /^(\d{2})(\d{2})(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/,
  parse: (m) => build(1900 + n(m[1]) + (n(m[1]) < 30 ? 100 : 0), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6])),
};

export function formatByName(name: string): DatetimeFormat | undefined {
  return name === yymmdd.name ? yymmdd : datetimeFormats.find((f) => f.name === name);
}

/** Parses one text with a named format; null when it does not match. */
export function parseDatetime(s: string, format: DatetimeFormat): Date | null {
  const m = format.re.exec(s.trim());
  return m ? format.parse(m) : null;
}

/** The format that parses every value (at least one), or undefined. DD/MM vs MM/DD is decided by the values. */
export function detectDatetimeFormat(values: string[], dateNamed: boolean): DatetimeFormat | undefined {
  if (values.length === 0) return undefined;
  const candidates = dateNamed ? [...datetimeFormats, yymmdd] : datetimeFormats;
  for (const f of candidates) {
    if (f.name === 'YYYYMMDD' && !dateNamed && values.some((v) => !/^(19|20)\d{6}$/.test(v.trim()))) continue;
    if (values.every((v) => parseDatetime(v, f) !== null)) return f;
  }
  return undefined;
}
