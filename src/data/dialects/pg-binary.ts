/**
 * PostgreSQL binary COPY: rows encoded as the server's own binary forms, so the server parses no
 * text (dates, timestamps, numbers). A table is written in binary only when every column's type
 * has an encoder here; otherwise text COPY is used. Each cell stores what text COPY of the same
 * value stores.
 */
import { AppError } from '../../shared/errors';
import type { StorageType } from '../../shared/metadata';
import type { CellValue, Row } from '../../shared/values';
import { wholeDateText } from './sqlite-values';

/** Type OIDs with a binary encoder. */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

const BINARY = new Set<number>(Object.values(OID));

export const binaryHeader = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
export const binaryTrailer = Buffer.from([0xff, 0xff]);

/** Whether every column type (by OID) can be written in binary. */
export const binaryWritable = (oids: number[]): boolean => oids.every((o) => BINARY.has(o));

const MS_2000 = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

/** A growable output buffer for one batch. */
class Out {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  null(): void {
    this.room(4);
    this.pos = this.buf.writeInt32BE(-1, this.pos);
  }
  text(s: string, prefix?: number): void {
    const max = s.length * 3 + 5;
    this.room(max);
    const start = this.pos + 4;
    let at = start;
    if (prefix !== undefined) at = this.buf.writeUInt8(prefix, at);
    at += this.buf.write(s, at, 'utf8');
    this.buf.writeInt32BE(at - start, this.pos);
    this.pos = at;
  }
}

type Encode = (o: Out, v: CellValue) => void;

function refuse(column: string, type: string, v: CellValue): never {
  throw new AppError('DESTINATION_WRITE_FAILED', `Column "${column}" (${type}) cannot hold the value ${JSON.stringify(String(v))}.`, {
    fix: 'Nothing was kept (the write was rolled back). Check the destination column type against the synthetic data.',
  });
}

/** What text COPY would store for a value in a text column (before escaping). */
function rawText(v: CellValue, type: 'date' | 'time' | 'datetime'): string | null {
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : wholeDateText(v, type, 'postgres');
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  return v;
}

const DATE_TEXT = /^\s*(-?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?\s*$/;

const TIME_TEXT = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?\s*$/;

/** Milliseconds since 1970 of a Date, or of date text without a zone (read as UTC, as the write session is). */
function instant(v: CellValue, column: string, type: string): number | null {
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v === 'string') {
    const m = DATE_TEXT.exec(v);
    if (m) {
      const d = new Date(0);
      d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      d.setUTCHours(Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Math.round(Number(m[7] ?? 0) * 1000));
      return d.getTime();
    }
    const t = type === 'time' ? TIME_TEXT.exec(v) : null;
    if (t) return ((Number(t[1]) * 60 + Number(t[2])) * 60 + Number(t[3] ?? 0)) * 1000 + Math.round(Number(t[4] ?? 0) * 1000);
  }
  return refuse(column, type, v);
}

const DECIMAL = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** numeric in binary: ndigits, weight, sign, dscale, then base-10000 digits. */
function encodeNumeric(o: Out, text: string, column: string): void {
  if (/^\s*nan\s*$/i.test(text)) {
    o.room(12);
    o.pos = o.buf.writeInt32BE(8, o.pos);
    o.pos = o.buf.writeInt16BE(0, o.pos);
    o.pos = o.buf.writeInt16BE(0, o.pos);
    o.pos = o.buf.writeUInt16BE(0xc000, o.pos);
    o.pos = o.buf.writeInt16BE(0, o.pos);
    return;
  }
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) refuse(column, 'numeric', text);
  const neg = m[1] === '-';
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  const dscale = Math.max(0, frac.length - exp);
  // Digits with the decimal point after position `point`.
  let digits = intPart + frac;
  let point = intPart.length + exp;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  point -= lead;
  digits = digits.replace(/0+$/, '');
  const groups: number[] = [];
  let weight = 0;
  if (digits.length) {
    // Align to base-10000 groups around the decimal point.
    const padLeft = (((4 - (point % 4)) % 4) + 4) % 4;
    const aligned = '0'.repeat(padLeft) + digits;
    const padded = aligned + '0'.repeat((4 - (aligned.length % 4)) % 4);
    weight = (point + padLeft) / 4 - 1;
    for (let i = 0; i < padded.length; i += 4) groups.push(Number(padded.slice(i, i + 4)));
    while (groups.length && groups[groups.length - 1] === 0) groups.pop();
  }
  o.room(12 + groups.length * 2);
  o.pos = o.buf.writeInt32BE(8 + groups.length * 2, o.pos);
  o.pos = o.buf.writeInt16BE(groups.length, o.pos);
  o.pos = o.buf.writeInt16BE(groups.length ? weight : 0, o.pos);
  o.pos = o.buf.writeUInt16BE(neg && groups.length ? 0x4000 : 0, o.pos);
  o.pos = o.buf.writeInt16BE(dscale, o.pos);
  for (const g of groups) o.pos = o.buf.writeUInt16BE(g, o.pos);
}

function integer(bytes: 2 | 4 | 8, column: string, type: string): Encode {
  const bits = BigInt(bytes * 8 - 1);
  const [lo, hi] = [-(2n ** bits), 2n ** bits - 1n];
  return (o, v) => {
    if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return o.null();
    let n: bigint;
    if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
    else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) n = BigInt(v.trim());
    else return refuse(column, type, v);
    if (n < lo || n > hi) refuse(column, type, v);
    o.room(4 + bytes);
    o.pos = o.buf.writeInt32BE(bytes, o.pos);
    if (bytes === 2) o.pos = o.buf.writeInt16BE(Number(n), o.pos);
    else if (bytes === 4) o.pos = o.buf.writeInt32BE(Number(n), o.pos);
    else o.pos = o.buf.writeBigInt64BE(n, o.pos);
  };
}

function int64(o: Out, n: number): void {
  o.room(12);
  o.pos = o.buf.writeInt32BE(8, o.pos);
  // Whole microseconds within ±2^53 (any timestamp PostgreSQL holds): two 32-bit halves, no BigInt.
  const hi = Math.floor(n / 4294967296);
  o.pos = o.buf.writeInt32BE(hi, o.pos);
  o.pos = o.buf.writeUInt32BE(n - hi * 4294967296, o.pos);
}

/** The encoder of one column, by its type OID. */
export function binaryEncoder(oid: number, column: string, storage: StorageType): Encode {
  switch (oid) {
    case OID.int2:
      return integer(2, column, 'smallint');
    case OID.int4:
      return integer(4, column, 'integer');
    case OID.int8:
      return integer(8, column, 'bigint');
    case OID.float8:
      return (o, v) => {
        let n: number;
        if (typeof v === 'number') n = v;
        else if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) n = Number(v);
        else if (v === null) return o.null();
        else return refuse(column, 'double precision', v);
        if (!Number.isFinite(n) && typeof v === 'number') return o.null();
        o.room(12);
        o.pos = o.buf.writeInt32BE(8, o.pos);
        o.pos = o.buf.writeDoubleBE(n, o.pos);
      };
    case OID.numeric:
      return (o, v) => {
        if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return o.null();
        if (typeof v !== 'number' && typeof v !== 'string') return refuse(column, 'numeric', v);
        encodeNumeric(o, String(v), column);
      };
    case OID.bool:
      return (o, v) => {
        let b: boolean;
        if (v === null) return o.null();
        if (typeof v === 'boolean') b = v;
        else if (v === 1 || v === 0) b = v === 1;
        else if (typeof v === 'string' && /^\s*(t|true|y|yes|on|1)\s*$/i.test(v)) b = true;
        else if (typeof v === 'string' && /^\s*(f|false|n|no|off|0)\s*$/i.test(v)) b = false;
        else return refuse(column, 'boolean', v);
        o.room(5);
        o.pos = o.buf.writeInt32BE(1, o.pos);
        o.pos = o.buf.writeUInt8(b ? 1 : 0, o.pos);
      };
    case OID.date:
      return (o, v) => {
        const ms = instant(v, column, 'date');
        if (ms === null) return o.null();
        o.room(8);
        o.pos = o.buf.writeInt32BE(4, o.pos);
        o.pos = o.buf.writeInt32BE(Math.floor((ms - MS_2000) / DAY_MS), o.pos);
      };
    case OID.time:
      return (o, v) => {
        const ms = instant(v, column, 'time');
        if (ms === null) return o.null();
        int64(o, (((ms % DAY_MS) + DAY_MS) % DAY_MS) * 1000);
      };
    case OID.timestamp:
    case OID.timestamptz:
      return (o, v) => {
        const ms = instant(v, column, 'timestamp');
        if (ms === null) return o.null();
        int64(o, (ms - MS_2000) * 1000);
      };
    case OID.jsonb:
    case OID.json:
    case OID.text:
    case OID.varchar:
    case OID.bpchar: {
      const prefix = oid === OID.jsonb ? 1 : undefined;
      return (o, v) => {
        const s = rawText(v, storage === 'date' || storage === 'time' ? storage : 'datetime');
        if (s === null) return o.null();
        o.text(s, prefix);
      };
    }
    default:
      throw new Error(`No binary COPY encoder for type OID ${oid}.`);
  }
}

/** Encoders of a table's columns, in its order. */
export function binaryEncoders(columns: Array<{ name: string; oid: number; storage: StorageType }>): Encode[] {
  return columns.map((c) => binaryEncoder(c.oid, c.name, c.storage));
}

/** One batch of rows as binary COPY tuples. */
export function binaryTuples(rows: Row[], encoders: Encode[]): Buffer {
  const o = new Out();
  const n = encoders.length;
  for (const r of rows) {
    o.room(2);
    o.pos = o.buf.writeInt16BE(n, o.pos);
    for (let i = 0; i < n; i++) encoders[i]!(o, r[i] ?? null);
  }
  return o.buf.subarray(0, o.pos);
}
