/**
 * Id columns are not modelled: they are regenerated unique, in the source's format
 * (integers from the same start, UUIDs, prefixed zero-padded strings, or `id_<n>`).
 */
import type { CellValue } from '../../../shared/values';
import type { Rng } from '../rng';

export type IdSpec =
  | { kind: 'id'; format: 'integer'; start: number; asString: boolean }
  | { kind: 'id'; format: 'uuid'; upper: boolean }
  | { kind: 'id'; format: 'prefixed'; prefix: string; width: number; start: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function analyze(values: readonly CellValue[]): IdSpec {
  const present = values.filter((v): v is string | number => typeof v === 'number' || (typeof v === 'string' && v !== ''));
  if (present.length === 0) return { kind: 'id', format: 'integer', start: 1, asString: false };
  const isInt = (v: string | number): boolean => (typeof v === 'number' ? Number.isSafeInteger(v) : /^-?[1-9]\d{0,14}$|^0$/.test(v));
  if (present.every(isInt)) {
    const nums = present.map(Number);
    let min = Infinity;
    for (const x of nums) if (x < min) min = x;
    return { kind: 'id', format: 'integer', start: min, asString: typeof present[0] === 'string' };
  }
  const texts = present.map(String);
  if (texts.every((t) => UUID.test(t))) return { kind: 'id', format: 'uuid', upper: texts[0] === texts[0]?.toUpperCase() };
  const m = /^(.*?)(\d+)$/.exec(texts[0] as string);
  if (m) {
    const prefix = m[1] as string;
    const width = (m[2] as string).length;
    const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)$`);
    let min = Infinity;
    let widthFixed = true;
    const ok = texts.every((t) => {
      const mm = re.exec(t);
      if (!mm) return false;
      const digits = mm[1] as string;
      if (digits.length !== width) widthFixed = false;
      min = Math.min(min, Number(digits));
      return true;
    });
    if (ok) return { kind: 'id', format: 'prefixed', prefix, width: widthFixed ? width : 0, start: min };
    // No common prefix (e.g. name-based ids): a neutral one, never a fragment of a real id.
    return { kind: 'id', format: 'prefixed', prefix: 'id_', width: 0, start: 1 };
  }
  return { kind: 'id', format: 'prefixed', prefix: 'id_', width: 0, start: 1 };
}

function uuid(rng: Rng, upper: boolean): string {
  const hex = '0123456789abcdef';
  let s = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) s += '-';
    else if (i === 14) s += '4';
    else if (i === 19) s += hex[8 + rng.int(4)];
    else s += hex[rng.int(16)];
  }
  return upper ? s.toUpperCase() : s;
}

/** Ids for rows [offset, offset + count): unique across calls with disjoint ranges. */
export function generate(spec: IdSpec, count: number, offset: number, rng: Rng): CellValue[] {
  const out: CellValue[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const k = offset + i;
    if (spec.format === 'integer') out[i] = spec.asString ? String(spec.start + k) : spec.start + k;
    else if (spec.format === 'uuid') out[i] = uuid(rng, spec.upper);
    else out[i] = spec.prefix + String(spec.start + k).padStart(spec.width, '0');
  }
  return out;
}
