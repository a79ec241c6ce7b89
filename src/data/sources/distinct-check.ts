/**
 * "Are all these values distinct?" in bounded memory, for key candidates read in one streamed
 * pass. The first EXACT_VALUES values are held exactly; past them the column's values live only
 * as bits of a Bloom filter of fixed size (BLOOM_BYTES), so the memory no longer grows with the
 * table. A Bloom filter can only err one way, saying "seen" of a new value: a key column is then
 * judged not unique (it is never the reverse). Sized so that over CAPACITY values the chance of
 * that is about 1e-5; past CAPACITY values the check gives up (the column is not judged unique).
 */
const EXACT_VALUES = 65_536;
const BLOOM_BITS = 2 ** 27; // 16 MiB
const BLOOM_HASHES = 16;
/** Most values a column is checked over. */
export const DISTINCT_CAPACITY = 2_000_000;

/** A 32-bit hash of a string (murmur-style mixing), one per seed. */
function hash32(s: string, seed: number): number {
  let h = seed ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 53-bit hash of a string (two seeded 32-bit hashes): kept instead of a long key where a rare collision only costs a redraw. */
export function keyHash(s: string): number {
  return hash32(s, 0x2545f491) * 2 ** 21 + (hash32(s, 0x61c88647) >>> 11);
}

export class DistinctCheck {
  private exact: Set<string> | undefined = new Set();
  private bits: Uint32Array | undefined;
  private count = 0;
  /** False once a value was (or may have been) seen twice, or past DISTINCT_CAPACITY values. */
  distinct = true;

  /** Adds one value; returns whether every value added so far is still distinct. */
  add(key: string): boolean {
    if (!this.distinct) return false;
    if (++this.count > DISTINCT_CAPACITY) return (this.distinct = false);
    if (this.seen(key)) this.distinct = false;
    return this.distinct;
  }

  /** Whether a "seen" from `seen` is certain (the values are still held exactly). */
  get exactly(): boolean {
    return this.exact !== undefined;
  }

  /**
   * Adds one value; returns whether it may have been added before: certain while `exactly`, past
   * that also true of a new value the Bloom filter mistakes for a seen one (a caller that needs
   * certainty checks those values again).
   */
  seen(key: string): boolean {
    if (this.exact) {
      if (this.exact.has(key)) return true;
      this.exact.add(key);
      if (this.exact.size > EXACT_VALUES) {
        this.bits = new Uint32Array(BLOOM_BITS / 32);
        for (const k of this.exact) this.mark(k);
        this.exact = undefined;
      }
      return false;
    }
    return !this.mark(key);
  }

  /** Whether `key` was added (never false of an added key; past the exact set, true of about one new key in 1e11 at DISTINCT_CAPACITY keys). */
  has(key: string): boolean {
    return this.exact ? this.exact.has(key) : !this.probe(key, false);
  }

  /** Sets the key's bits; returns whether any was unset (the key is new for sure). */
  private mark(key: string): boolean {
    return this.probe(key, true);
  }

  /** Whether any of the key's bits is unset; sets them when `set`. */
  private probe(key: string, set: boolean): boolean {
    const bits = this.bits!;
    const h1 = hash32(key, 0x9e3779b9);
    const h2 = hash32(key, 0x7f4a7c15) | 1;
    let fresh = false;
    for (let i = 0; i < BLOOM_HASHES; i++) {
      const b = (h1 + Math.imul(i, h2)) >>> 0;
      const at = (b & (BLOOM_BITS - 1)) >>> 5;
      const m = 1 << (b & 31);
      if ((bits[at]! & m) === 0) {
        if (!set) return true;
        fresh = true;
        bits[at] = bits[at]! | m;
      }
    }
    return fresh;
  }
}
