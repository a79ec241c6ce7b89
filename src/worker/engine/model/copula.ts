/**
 * Gaussian copula over token columns (the simple model family for tiny tables, and a baseline):
 * each column's tokens get normal scores through their empirical CDF (mid-rank), the
 * correlation of the scores is estimated (shrunk towards the identity on small data), and
 * samples are drawn from the multivariate normal and mapped back through the inverse CDFs.
 */
import type { Rng } from '../rng';

export interface CopulaModel {
  kind: 'copula';
  cards: number[];
  /** Cumulative probabilities per column (length card, last = 1). */
  cdf: number[][];
  /** Lower-triangular Cholesky factor of the correlation matrix, row-major J x J. */
  chol: number[];
}

/** Inverse of the standard normal CDF (Acklam's approximation). */
export function normInv(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472, 2.50662827745924];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497, 2.93816398269878];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const lo = 0.02425;
  if (q < lo) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  }
  if (q > 1 - lo) return -normInv(1 - q);
  const r = q - 0.5;
  const s = r * r;
  return (
    ((((((a[0]! * s + a[1]!) * s + a[2]!) * s + a[3]!) * s + a[4]!) * s + a[5]!) * r) / (((((b[0]! * s + b[1]!) * s + b[2]!) * s + b[3]!) * s + b[4]!) * s + 1)
  );
}

function cholesky(m: Float64Array, J: number): number[] {
  const L = new Array<number>(J * J).fill(0);
  for (let i = 0; i < J; i++) {
    for (let k = 0; k <= i; k++) {
      let s = m[i * J + k] as number;
      for (let p = 0; p < k; p++) s -= (L[i * J + p] as number) * (L[k * J + p] as number);
      if (i === k) L[i * J + i] = Math.sqrt(Math.max(s, 1e-9));
      else L[i * J + k] = s / (L[k * J + k] as number);
    }
  }
  return L;
}

export function fitCopula(tokens: Int32Array[], cards: number[], rows: Int32Array): CopulaModel {
  const J = cards.length;
  const n = rows.length;
  const cdf: number[][] = [];
  const scores: Float64Array[] = [];
  for (let j = 0; j < J; j++) {
    const c = cards[j] as number;
    const t = tokens[j] as Int32Array;
    const counts = new Float64Array(c);
    for (const r of rows) counts[t[r] as number]! += 1;
    const cum: number[] = [];
    let acc = 0;
    for (let k = 0; k < c; k++) cum.push((acc += counts[k] as number) / Math.max(1, n));
    cdf.push(cum);
    const mid = cum.map((hi, k) => normInv((hi + (k > 0 ? (cum[k - 1] as number) : 0)) / 2));
    scores.push(Float64Array.from(rows, (r) => mid[t[r] as number] as number));
  }
  const corr = new Float64Array(J * J);
  const sd = scores.map((s) => {
    let m = 0;
    for (const x of s) m += x;
    m /= Math.max(1, n);
    let v = 0;
    for (let i = 0; i < s.length; i++) s[i] = (s[i] as number) - m;
    for (const x of s) v += x * x;
    return Math.sqrt(v / Math.max(1, n)) || 1;
  });
  // Shrink towards the identity on small data (fewer spurious correlations).
  const shrink = Math.min(0.5, J / Math.max(1, n));
  for (let a = 0; a < J; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      const sa = scores[a] as Float64Array;
      const sb = scores[b] as Float64Array;
      for (let i = 0; i < n; i++) s += (sa[i] as number) * (sb[i] as number);
      const r = a === b ? 1 : (1 - shrink) * (s / Math.max(1, n) / ((sd[a] as number) * (sd[b] as number)));
      corr[a * J + b] = r;
      corr[b * J + a] = r;
    }
  }
  return { kind: 'copula', cards, cdf, chol: cholesky(corr, J) };
}

/**
 * `rows` token rows. Stratified (default): each column's uniforms are its draws' ranks within the
 * batch, jittered inside their stratum ((rank + U) / rows), so every column's token counts follow
 * its learned marginal to within one row while the rows keep the copula's joint ranks (less
 * sampling noise on small outputs). Unstratified: independent draws (the textbook sampler).
 */
export function sampleCopula(model: CopulaModel, rows: number, rng: Rng, stratified = true): Int32Array[] {
  const J = model.cards.length;
  const out = model.cards.map(() => new Int32Array(rows));
  const x = model.cards.map(() => new Float64Array(rows));
  const z = new Float64Array(J);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < J; j++) z[j] = rng.normal();
    for (let j = 0; j < J; j++) {
      let v = 0;
      for (let k = 0; k <= j; k++) v += (model.chol[j * J + k] as number) * (z[k] as number);
      (x[j] as Float64Array)[r] = v;
    }
  }
  const order = new Int32Array(rows);
  const u = new Float64Array(rows);
  for (let j = 0; j < J; j++) {
    const xj = x[j] as Float64Array;
    if (stratified) {
      for (let r = 0; r < rows; r++) order[r] = r;
      order.sort((a, b) => (xj[a] as number) - (xj[b] as number));
      for (let q = 0; q < rows; q++) u[order[q] as number] = (q + rng.next()) / rows;
    } else for (let r = 0; r < rows; r++) u[r] = 0.5 * (1 + erf((xj[r] as number) / Math.SQRT2));
    const cum = model.cdf[j] as number[];
    const o = out[j] as Int32Array;
    for (let r = 0; r < rows; r++) {
      let k = 0;
      while (k < cum.length - 1 && (cum[k] as number) < (u[r] as number)) k++;
      o[r] = k;
    }
  }
  return out;
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
