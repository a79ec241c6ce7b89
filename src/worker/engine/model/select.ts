/**
 * Model choice on held-out rows: a token-level version of SDMetrics' Quality (1 - total
 * variation of every column and of every column pair) of a model's samples against real
 * tokens. The network and the Gaussian copula (and blends of the two: a share of the rows from
 * each) are scored against the validation rows neither was fitted on, and the best is kept.
 */

/** Copula shares tried when blending (0 = network only, 1 = copula only). */
export const BLEND_SHARES = [0, 0.25, 0.5, 0.75, 1];

/**
 * Token maps to at most `groups` groups per column: neighbouring tokens (the bins of a number in
 * order) merged by cumulative training frequency, as SDMetrics bins a number for its pairs. The
 * held-out score then measures shapes rather than the sampling noise of fine bins.
 */
export function coarseMaps(marginals: Float64Array[], groups = 20): { maps: Int32Array[]; cards: number[] } {
  const maps = marginals.map((p) => {
    const map = new Int32Array(p.length);
    if (p.length <= groups) {
      map.forEach((_, k) => (map[k] = k));
      return map;
    }
    let cum = 0;
    for (let k = 0; k < p.length; k++) {
      const mid = cum + (p[k] as number) / 2;
      map[k] = Math.min(groups - 1, Math.floor(mid * groups));
      cum += p[k] as number;
    }
    return map;
  });
  return { maps, cards: maps.map((m, j) => (m.length <= groups ? (marginals[j] as Float64Array).length : groups)) };
}

/** Every token column through its map. */
export function applyMaps(tokens: Int32Array[], maps: Int32Array[]): Int32Array[] {
  return tokens.map((t, j) => {
    const map = maps[j] as Int32Array;
    return Int32Array.from(t, (k) => map[k] as number);
  });
}

/** Rows `rows` of every token column. */
export function pickRows(tokens: Int32Array[], rows: Int32Array): Int32Array[] {
  return tokens.map((t) => Int32Array.from(rows, (r) => t[r] as number));
}

function columnSets(J: number, maxPairs: number): number[][] {
  const sets: number[][] = [];
  for (let j = 0; j < J; j++) sets.push([j]);
  const pairs: number[][] = [];
  for (let a = 0; a < J; a++) for (let b = a + 1; b < J; b++) pairs.push([a, b]);
  const step = Math.max(1, Math.ceil(pairs.length / maxPairs));
  for (let i = 0; i < pairs.length; i += step) sets.push(pairs[i] as number[]);
  return sets;
}

function histogram(t: Int32Array[], cols: number[], cards: number[]): Float64Array {
  const size = cols.reduce((s, c) => s * (cards[c] as number), 1);
  const h = new Float64Array(size);
  const n = t[0]?.length ?? 0;
  if (n === 0) return h;
  for (let r = 0; r < n; r++) {
    let k = 0;
    for (const c of cols) k = k * (cards[c] as number) + ((t[c] as Int32Array)[r] as number);
    h[k]! += 1 / n;
  }
  return h;
}

/**
 * Token quality of blends of two samples against `real`, one score per copula share: the
 * blend's histograms are the share-weighted mix of the two samples' histograms. With `replicates`
 * the real rows are also bootstrapped, giving one row of scores per replicate (for standard errors).
 */
export function blendQualities(
  real: Int32Array[],
  network: Int32Array[],
  copula: Int32Array[],
  cards: number[],
  shares = BLEND_SHARES,
  maxPairs = 400,
  replicates?: { count: number; rng: { int(n: number): number } },
): { scores: number[]; boot: number[][] } {
  const J = cards.length;
  const B = replicates?.count ?? 0;
  const nr = real[0]?.length ?? 0;
  if (J === 0 || nr === 0) return { scores: shares.map(() => (J === 0 ? 1 : 0)), boot: [] };
  const sets = columnSets(J, maxPairs);
  // Bootstrap draws of the real rows: counts per row, per replicate.
  const draws = Array.from({ length: B }, () => {
    const c = new Float64Array(nr);
    for (let i = 0; i < nr; i++) c[replicates!.rng.int(nr)]! += 1 / nr;
    return c;
  });
  const acc = Array.from({ length: B + 1 }, () => ({ shapes: shares.map(() => 0), pairs: shares.map(() => 0) }));
  let pairCount = 0;
  for (const cols of sets) {
    const size = cols.reduce((m, c) => m * (cards[c] as number), 1);
    const keys = new Int32Array(nr);
    for (let r = 0; r < nr; r++) {
      let k = 0;
      for (const c of cols) k = k * (cards[c] as number) + ((real[c] as Int32Array)[r] as number);
      keys[r] = k;
    }
    const ha = histogram(network, cols, cards);
    const hb = histogram(copula, cols, cards);
    for (let b = 0; b <= B; b++) {
      const hr = new Float64Array(size);
      const w = b === 0 ? null : (draws[b - 1] as Float64Array);
      for (let r = 0; r < nr; r++) hr[keys[r] as number]! += w ? (w[r] as number) : 1 / nr;
      shares.forEach((sh, i) => {
        let d = 0;
        for (let k = 0; k < size; k++) d += Math.abs((hr[k] as number) - (1 - sh) * (ha[k] as number) - sh * (hb[k] as number));
        const a = acc[b]!;
        if (cols.length === 1) a.shapes[i]! += 1 - d / 2;
        else a.pairs[i]! += 1 - d / 2;
      });
    }
    if (cols.length === 2) pairCount++;
  }
  const score = (a: { shapes: number[]; pairs: number[] }): number[] =>
    shares.map((_, i) => (pairCount > 0 ? ((a.shapes[i] as number) / J + (a.pairs[i] as number) / pairCount) / 2 : (a.shapes[i] as number) / J));
  return { scores: score(acc[0]!), boot: acc.slice(1).map(score) };
}

/** Bootstrap replicates the work allows (histogram cells and rows per replicate), at most 20. */
export function replicatesFor(realRows: number, cards: number[], maxPairs = 400, budget = 1.5e8): number {
  const J = cards.length;
  const sets = columnSets(J, maxPairs);
  const work = sets.reduce((w, cols) => w + realRows + BLEND_SHARES.length * cols.reduce((m, c) => m * (cards[c] as number), 1), 0);
  const b = Math.floor(budget / Math.max(1, work));
  return b >= 8 ? Math.min(20, b) : 0;
}

/** Token quality of one sample against `real` (marginals + pairs). */
export function tokenQuality(real: Int32Array[], syn: Int32Array[], cards: number[], maxPairs = 400): number {
  if ((syn[0]?.length ?? 0) === 0 && cards.length > 0) return 0;
  return blendQualities(real, syn, syn, cards, [0], maxPairs).scores[0] as number;
}

export interface ModelChoice {
  /** Share of the rows drawn from the copula (0 = the network alone, 1 = the copula alone). */
  copulaShare: number;
  /** Held-out token quality of the network alone, the copula alone, and the kept blend. */
  network: number;
  copula: number;
  chosen: number;
  /** Real rows held out of both fits that the scores were measured on. */
  validationRows: number;
  /** The kept network trained again on every training row (the validation rows included) for the chosen epochs. */
  refit?: { rows: number; epochs: number };
}

/**
 * The kept share, by the one-standard-error rule: the largest copula share whose held-out score
 * is within one bootstrap standard error of the best (the copula is the simpler model, and it is
 * refitted on every row, while the network keeps its validation rows out). Without replicates,
 * the best score (ties to the larger share).
 */
export function chooseBlend(scores: number[], boot: number[][], validationRows: number, shares = BLEND_SHARES): ModelChoice {
  const network = scores[shares.indexOf(0)] as number;
  const copula = scores[shares.indexOf(1)] as number;
  let best = 0;
  scores.forEach((s, i) => {
    if (s > (scores[best] as number)) best = i;
  });
  const se = (i: number): number => {
    if (boot.length < 2) return 0;
    const d = boot.map((r) => (r[best] as number) - (r[i] as number));
    const m = d.reduce((a, b) => a + b, 0) / d.length;
    return Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / (d.length - 1));
  };
  let kept = best;
  shares.forEach((sh, i) => {
    if (sh > (shares[kept] as number) && (scores[best] as number) - (scores[i] as number) <= se(i)) kept = i;
  });
  return { copulaShare: shares[kept] as number, network, copula, chosen: scores[kept] as number, validationRows };
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

/** One sentence: which model was kept and the held-out scores that chose it. */
export function modelChoiceReason(c: ModelChoice): string {
  const refit = c.refit
    ? `; the network was then trained again on all ${c.refit.rows.toLocaleString('en')} training rows for the ${c.refit.epochs} epoch(s) the held-out rows chose`
    : '';
  return choiceReason(c) + refit;
}

function choiceReason(c: ModelChoice): string {
  if (c.validationRows === 0) return 'too few rows to hold any out: the network was kept without a comparison';
  const scores = `network ${pct(c.network)}, Gaussian copula ${pct(c.copula)}`;
  const on = `on ${c.validationRows.toLocaleString('en')} real rows held out of both fits`;
  if (c.copulaShare === 0) return `the network scored above the copula and every blend by more than one standard error ${on} (${scores})`;
  if (c.copulaShare === 1) return `the copula scored within one standard error of the best ${on} (${scores})`;
  return `a blend with ${Math.round(c.copulaShare * 100)}% of the rows from the copula scored ${pct(c.chosen)} ${on} (${scores}; the largest copula share within one standard error of the best is kept)`;
}
