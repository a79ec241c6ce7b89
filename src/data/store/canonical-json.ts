import { AppError } from '../../shared/errors';

/**
 * JSON with object keys sorted at every level and no whitespace, so the same value always
 * gives the same text (what the audit chain hashes). Values that JSON cannot hold
 * (functions, undefined) are dropped as JSON.stringify does; Dates become ISO strings.
 */
export function canonicalJson(value: unknown): string {
  return stringify(toJsonValue(value));
}

/** The value as plain JSON data (what a JSON round trip gives back). */
export function toJsonValue(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new AppError('BAD_REQUEST', `The audit payload cannot be written as JSON: ${e instanceof Error ? e.message : String(e)}.`, {
      fix: 'Pass plain JSON data (no BigInt, no circular references).',
    });
  }
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

function stringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => stringify(x)).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stringify(obj[k])}`).join(',')}}`;
}
