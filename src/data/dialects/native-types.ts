import type { StorageType } from '../../shared/metadata';

/** Maps a database's own column type (e.g. `varchar(40)`, `NUMERIC(10,2)`, `tinyint(1)`) to a portable StorageType. */
export function storageTypeOf(native: string): { storageType: StorageType; scale?: number; maxLength?: number } {
  const t = native.trim().toLowerCase();
  const args = /\(([^)]*)\)/
    .exec(t)?.[1]
    ?.split(',')
    .map((x) => Number(x.trim()));
  const base = t
    .replace(/\(.*\)/, '')
    .replace(/\bunsigned\b|\bzerofill\b/g, '')
    .trim();
  if (base === 'tinyint' && args?.[0] === 1) return { storageType: 'boolean' };
  if (/^(bool|boolean|bit)$/.test(base) && (base !== 'bit' || !args || args[0] === 1)) return { storageType: 'boolean' };
  if (/^(bigint|int8|bigserial|serial8)$/.test(base)) return { storageType: 'bigint' };
  if (/int|serial|^year$/.test(base)) return { storageType: 'integer' };
  if (/^(numeric|decimal|dec|money|number)/.test(base)) {
    const out: { storageType: StorageType; scale?: number } = { storageType: 'decimal' };
    if (args?.[1] !== undefined && Number.isFinite(args[1])) out.scale = args[1];
    return out;
  }
  if (/^(real|float|double|float4|float8|double precision)/.test(base)) return { storageType: 'float' };
  if (/^timestamp|^datetime/.test(base)) return { storageType: 'datetime' };
  if (base === 'date') return { storageType: 'date' };
  if (/^time/.test(base)) return { storageType: 'time' };
  if (/^(json|jsonb)$/.test(base)) return { storageType: 'json' };
  if (/blob|bytea|binary|^bit/.test(base)) return { storageType: 'binary' };
  if (/text|clob|^set$/.test(base)) return { storageType: 'text' };
  if (/char|string|enum|uuid|citext|inet|^$/.test(base)) {
    const out: { storageType: StorageType; maxLength?: number } = { storageType: 'string' };
    if (args?.[0] !== undefined && Number.isFinite(args[0])) out.maxLength = args[0];
    return out;
  }
  return { storageType: 'unknown' };
}
