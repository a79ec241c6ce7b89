/** Differential privacy in plain language, for the report (HTML escapes nothing: numbers only). */

function strength(epsilon: number): string {
  if (epsilon <= 1) return 'a strong guarantee';
  if (epsilon <= 4) return 'a good guarantee';
  if (epsilon <= 10) return 'a moderate guarantee';
  return 'a weak guarantee';
}

function num(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(2);
}

/** One or two sentences stating ε and δ and what they mean for one person in the training data. */
export function describeDp(dp: { epsilon: number; delta?: number }): string {
  const factor = Math.exp(dp.epsilon);
  const delta = dp.delta === undefined ? '' : `, δ = ${dp.delta.toExponential(0)}`;
  const deltaText = dp.delta === undefined ? '' : ` except with a probability of at most ${dp.delta.toExponential(0)} (δ)`;
  return (
    `Differential privacy: ε = ${dp.epsilon.toFixed(2)}${delta} (${strength(dp.epsilon)}). ` +
    `Whether or not any one person's row was in the training data, the chance of producing this synthetic data changes by at most a factor of ${num(factor)} (e^ε)${deltaText}, ` +
    `so nothing in the output can depend much on a single person. The guarantee covers the synthesized columns; kept, masked and consistently mocked columns are outside it.`
  );
}
