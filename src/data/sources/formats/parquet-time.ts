/** Timestamps of Parquet files as our reader gives them, whichever engine reads the file. */
const MAX_DATE_MS = 8.64e15;
const MIN_INT96_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_INT96_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Nanosecond values (INT96 from Spark/Impala/Hive) outside years 1..9999 are overflowed writes
 * (Spark wraps year 290000 to a negative year), so they are null, never a wrapped date.
 */
export function timestampFromNanoseconds(nanos: bigint): Date | null {
  const ms = Number(nanos / 1_000_000n);
  return ms < MIN_INT96_MS || ms > MAX_INT96_MS ? null : new Date(ms);
}

/** Microseconds a JS Date cannot hold are null. */
export function timestampFromMicroseconds(micros: bigint): Date | null {
  const ms = micros / 1000n;
  return ms > BigInt(MAX_DATE_MS) || ms < -BigInt(MAX_DATE_MS) ? null : new Date(Number(ms));
}
