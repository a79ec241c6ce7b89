/**
 * Model-family selection for small tables: a token-level version of SDMetrics' Quality
 * (1 - total variation of every column and of every column pair) of a model's samples against
 * the real tokens. Cheap enough to compare the autoregressive network with the copula.
 */
export function tokenQuality(real: Int32Array[], syn: Int32Array[], cards: number[], maxPairs = 400): number {
  const J = cards.length;
  if (J === 0) return 1;
  const nr = real[0]?.length ?? 0;
  const ns = syn[0]?.length ?? 0;
  if (nr === 0 || ns === 0) return 0;
  const tv = (a: Int32Array[], b: Int32Array[], cols: number[], size: number): number => {
    const pa = new Float64Array(size);
    const pb = new Float64Array(size);
    const key = (t: Int32Array[], r: number): number => cols.reduce((k, c) => k * (cards[c] as number) + ((t[c] as Int32Array)[r] as number), 0);
    for (let r = 0; r < nr; r++) pa[key(a, r)]! += 1 / nr;
    for (let r = 0; r < ns; r++) pb[key(b, r)]! += 1 / ns;
    let d = 0;
    for (let k = 0; k < size; k++) d += Math.abs((pa[k] as number) - (pb[k] as number));
    return 1 - d / 2;
  };
  let shapes = 0;
  for (let j = 0; j < J; j++) shapes += tv(real, syn, [j], cards[j] as number);
  shapes /= J;
  const pairs: [number, number][] = [];
  for (let a = 0; a < J; a++) for (let b = a + 1; b < J; b++) pairs.push([a, b]);
  const step = Math.max(1, Math.ceil(pairs.length / maxPairs));
  let pairScore = 0;
  let count = 0;
  for (let i = 0; i < pairs.length; i += step) {
    const [a, b] = pairs[i] as [number, number];
    pairScore += tv(real, syn, [a, b], (cards[a] as number) * (cards[b] as number));
    count++;
  }
  return count > 0 ? (shapes + pairScore / count) / 2 : shapes;
}
