/**
 * The dataset-level (ε, δ) of an execution from its tables' DP figures: basic composition
 * (sums), which holds whatever rows of one person the tables share. For the report's
 * `EnginePrivacyStats.differentialPrivacy`.
 */
import type { DpSpent } from './budget';

export function datasetDp(tables: readonly (DpSpent | undefined)[]): { epsilon: number; delta: number } | null {
  const spent = tables.filter((t): t is DpSpent => t !== undefined);
  if (spent.length === 0) return null;
  return { epsilon: spent.reduce((a, t) => a + t.epsilon, 0), delta: spent.reduce((a, t) => a + t.delta, 0) };
}
