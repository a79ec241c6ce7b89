/** The generation plan lives with the contracts (the schema graph draws it); the engine reads it from here. */
import type { GenerationPlan } from '../../../shared/relational-plan';
export { buildPlan, contextCandidates, synthesizedForeignKeys, type GenerationPlan, type PlanHints, type TablePlan } from '../../../shared/relational-plan';
export { relationalProblems } from '../../../shared/relational-checks';

/** Each table's root (the tree whose sampled root rows its training rows follow). */
export function treesOf(plan: GenerationPlan): Record<string, string> {
  return Object.fromEntries(plan.order.map((t) => [t, plan.tables[t]!.root]));
}
