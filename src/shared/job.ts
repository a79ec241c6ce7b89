import { z } from 'zod';
import { appErrorShapeSchema } from './errors';
import { synthesisConfigSchema } from './config';

/** The timeline of an execution, in order (the seeds' steps). */
export const jobSteps = ['load', 'preprocess', 'build', 'train', 'synthesize', 'report', 'store'] as const;
export type JobStep = (typeof jobSteps)[number];
export const jobStepLabels: Record<JobStep, string> = {
  load: 'Data loading',
  preprocess: 'Preprocessing',
  build: 'Building the model',
  train: 'Training the model',
  synthesize: 'Synthesis',
  report: 'Report generation',
  store: 'Storing the data',
};

export const executionStatuses = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

export const stepStateSchema = z.object({
  step: z.enum(jobSteps),
  status: z.enum(['pending', 'running', 'done', 'failed', 'canceled', 'skipped']),
  startedAt: z.string().optional(),
  seconds: z.number().optional(),
  done: z.number().optional(),
  total: z.number().optional(),
  etaSeconds: z.number().optional(),
  message: z.string().optional(),
});
export type StepState = z.infer<typeof stepStateSchema>;

/** Training metrics reported with progress. */
export const trainMetricsSchema = z.object({
  epoch: z.number().int().optional(),
  trainLoss: z.number().optional(),
  valLoss: z.number().optional(),
  table: z.string().optional(),
});
export type TrainMetrics = z.infer<typeof trainMetricsSchema>;

/** What a finished execution reports (CLI `doppel run --json` prints this). */
export const executionSummarySchema = z.object({
  executionId: z.string(),
  status: z.enum(executionStatuses),
  stepSeconds: z.record(z.string(), z.number()),
  rows: z.record(z.string(), z.number().int()),
  backend: z.string(),
  quality: z.number().nullable(),
  /**
   * The report's privacy figures, kept in the execution record and its audit record: the verdict, and what the exact
   * matches count (synthetic rows equal on every compared column to a training row, out of `syntheticRows` synthetic
   * rows checked against `trainRows` training rows; `holdoutMatchRate` is how often real rows the model never saw
   * do the same). Older records have only the DCR share and the count.
   */
  privacy: z
    .object({
      dcrShare: z.number().nullable(),
      exactMatches: z.number().int().nullable(),
      level: z.enum(['strong', 'acceptable', 'at-risk', 'not-measured']).optional(),
      headline: z.string().optional(),
      exactMatchesUnique: z.number().int().nullable().optional(),
      syntheticRows: z.number().int().optional(),
      trainRows: z.number().int().optional(),
      holdoutMatchRate: z.number().nullable().optional(),
    })
    .optional(),
  outputPath: z.string().nullable(),
  reportPath: z.string().nullable(),
  error: appErrorShapeSchema.optional(),
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

/** Worker -> main events. One stream per execution. */
export const jobEventSchema = z.discriminatedUnion('type', [
  /** The model's backend is up; `notice` says when it is not the device the settings asked for. */
  z.object({ type: z.literal('ready'), backend: z.string(), notice: z.string().optional() }),
  z.object({ type: z.literal('step'), step: z.enum(jobSteps), status: z.enum(['started', 'done', 'skipped']), seconds: z.number().optional() }),
  z.object({
    type: z.literal('progress'),
    step: z.enum(jobSteps),
    done: z.number(),
    total: z.number(),
    etaSeconds: z.number().optional(),
    metrics: trainMetricsSchema.optional(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.object({ type: z.literal('result'), summary: executionSummarySchema }),
  /** What was read (schema + row counts + content hash), for the audit trail. */
  z.object({ type: z.literal('fingerprint'), schemaHash: z.string(), contentHash: z.string(), rows: z.record(z.string(), z.number().int()) }),
  z.object({ type: z.literal('error'), error: appErrorShapeSchema }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

/** The secrets an execution needs, resolved by main (decrypted passwords, mocking key); never logged. */
export const jobSecretsSchema = z.object({
  sourcePassword: z.string().optional(),
  destinationPassword: z.string().optional(),
  mockingKey: z.string().optional(),
  /** The execution's artifact key (hex): keys the copy filter's hashes and seals kept values in its artifacts. */
  artifactKey: z.string().optional(),
});

/** What starts an execution, in a worker process or (with its secrets sealed) on a site's queue. */
export const executionStartSchema = z.object({
  executionId: z.string(),
  config: synthesisConfigSchema,
  /** Folder for this execution's artifacts. */
  workspace: z.string(),
  /** The audit chain's newest record when the execution started (recorded in its report, so removing records is found). */
  auditHead: z.object({ seq: z.number().int(), hash: z.string() }).nullable().optional(),
  secrets: jobSecretsSchema,
  /** Generate again from a trained model (the workspace of the execution that trained it): no training runs. */
  generate: z.object({ from: z.string(), rows: z.number().int().positive(), seed: z.number().int() }).optional(),
});

/** Main -> worker messages. */
export const workerCommandSchema = z.discriminatedUnion('type', [
  executionStartSchema.extend({ type: z.literal('start') }),
  z.object({ type: z.literal('cancel') }),
]);
export type WorkerCommand = z.infer<typeof workerCommandSchema>;

export const executionRecordSchema = z.object({
  id: z.string(),
  synthesisId: z.string(),
  name: z.string(),
  status: z.enum(executionStatuses),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  steps: z.array(stepStateSchema),
  backend: z.string().nullable(),
  /** Shown on the execution page: e.g. the GPU was asked for and the model ran elsewhere. */
  notice: z.string().nullable().default(null),
  /** The execution whose trained model this one generated from ("Generate more", `doppel generate`); null when it trained its own. */
  trainedBy: z.string().nullable().default(null),
  quality: z.number().nullable(),
  outputPath: z.string().nullable(),
  workspace: z.string(),
  error: appErrorShapeSchema.nullable(),
  summary: executionSummarySchema.nullable(),
});
export type ExecutionRecord = z.infer<typeof executionRecordSchema>;

export function initialSteps(): StepState[] {
  return jobSteps.map((step) => ({ step, status: 'pending' }));
}
