/** Seeded pseudo-random numbers (sfc32), so a seed reproduces a synthesis exactly. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** A fresh independent stream derived from this one. */
  fork(): Rng;
}

export function createRng(seed: number): Rng {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let c = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35);
  let d = seed | 0;
  const raw = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) raw();
  let spare: number | null = null;
  const rng: Rng = {
    next: raw,
    int: (n) => Math.min(n - 1, Math.floor(raw() * n)),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = raw();
      const v = raw();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: () => createRng(Math.floor(raw() * 2 ** 31)),
  };
  return rng;
}

/**
 * The seed of an independent stream named by `path` under `seed` (e.g. a sampling chunk's index):
 * a hash of both, so streams of neighbouring indexes or seeds share nothing, and a stream depends
 * on its name only, never on who draws it or in which order.
 */
export function streamSeed(seed: number, ...path: number[]): number {
  let h = (seed | 0) ^ 0x9e3779b9;
  for (const v of path) {
    h = Math.imul(h ^ ((v | 0) + 0x7f4a7c15), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h & 0x7fffffff;
}

/** Fisher-Yates shuffle in place. */
export function shuffle<T>(items: T[] | Int32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
}
