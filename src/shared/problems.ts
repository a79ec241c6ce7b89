import { z } from 'zod';
import { AppError } from './errors';

export const problemCodes = [
  'NO_TABLES',
  'ORIGINAL_WITHOUT_INBOUND_FK',
  'ORIGINAL_REFERENCES_SYNTHESIZED',
  'FK_UNKNOWN_TABLE',
  'FK_UNKNOWN_COLUMN',
  'FK_COLUMN_COUNT',
  'FK_TARGET_NOT_PK',
  'FK_TYPE_MISMATCH',
  'FK_CYCLE',
  'FK_CYCLE_BROKEN',
  'FK_EXCLUDED_COLUMN',
  'FK_VALUES_WITHOUT_PARENT',
  'PK_UNKNOWN_COLUMN',
  'PK_NOT_UNIQUE',
  'PK_HAS_NULLS',
  'PK_EXCLUDED_COLUMN',
  'TOO_FEW_ROWS',
  'FEW_ROWS_PER_COLUMN',
  'SENSITIVE_NOT_SYNTHESIZED',
  'NO_COLUMNS',
  'UNKNOWN_TABLE',
  'UNKNOWN_COLUMN',
  'OUTPUT_TOO_LARGE',
  'DP_WITH_RELATIONAL',
  'DESTINATION_IS_SOURCE',
  'TOO_MANY_COLUMNS',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

/** One finding of the validations: what is wrong, where, and what to do. */
export const problemSchema = z.object({
  code: z.enum(problemCodes),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  fix: z.string(),
  table: z.string().optional(),
  column: z.string().optional(),
  /** Wizard step the problem belongs to. */
  step: z.enum(['data', 'primary-keys', 'foreign-keys', 'treatment', 'settings', 'destination']),
});
export type Problem = z.infer<typeof problemSchema>;

export function hasErrors(problems: Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** The error refusing a run for these problems: their messages (after `lead`), their fixes, and the problems as details. */
export function validationFailure(problems: Problem[], lead = ''): AppError {
  return new AppError('VALIDATION_FAILED', `${lead}${problems.map((p) => p.message).join(' ')}`, {
    fix: problems
      .map((p) => p.fix)
      .filter(Boolean)
      .join(' '),
    details: problems,
  });
}
