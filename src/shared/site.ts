/**
 * Site workers: the job descriptions that pass through the site's queue (BullMQ on Redis).
 *
 * Only descriptions and progress go through the queue: never rows, never a secret in clear. The
 * passwords and the mocking key of an execution travel sealed with the site key (AES-256-GCM, a
 * key file the site hands to the app and to every worker out of band); a worker opens them with
 * its own copy of that key. Trained models are read from the execution's workspace, a folder on
 * the site's shared file system named in the description.
 */
import { z } from 'zod';
import { executionStartSchema, jobSecretsSchema } from './job';

/** Rows per generation shard when the submitter does not say. */
export const DEFAULT_SHARD_ROWS = 50_000;

/** Where executions are submitted: a Redis URL and a queue name (the shards queue is derived from it). */
export const siteQueueSchema = z.object({
  url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
  name: z.string().regex(/^[\w.-]{1,80}$/, 'letters, digits, dot, dash and underscore'),
  /** Rows per generation shard (the output depends on the seed only, never on this size or on which worker runs a shard). */
  shardRows: z.number().int().positive(),
  /** The site key file that seals secrets for the workers. */
  keyFile: z.string(),
});
export type SiteQueue = z.infer<typeof siteQueueSchema>;

export const shardsQueueName = (name: string): string => `${name}-shards`;

/** An execution as a site worker takes it from the queue. */
export const executionJobSchema = executionStartSchema.omit({ secrets: true }).extend({
  /** Source and destination passwords and the mocking key, sealed with the site key (base64). */
  sealed: z.string(),
  shardRows: siteQueueSchema.shape.shardRows,
});
export type ExecutionJob = z.infer<typeof executionJobSchema>;

/**
 * One shard of a table's generation: rows [start, start + rows) of the output that the generation
 * seed gives in one process (every run draws its rows in chunks, each from a stream named by the
 * seed and the chunk's place), so the shards together equal an unsharded run.
 */
export const shardSchema = z.object({
  table: z.string(),
  index: z.number().int().nonnegative(),
  of: z.number().int().positive(),
  start: z.number().int().nonnegative(),
  rows: z.number().int().positive(),
  seed: z.number().int(),
  /** The staging table this shard writes (in the destination's schema). */
  stage: z.string(),
  /**
   * A relational output's shard: family chunks [from, to) (a range of every root's rows with all
   * their descendants, see engine/relational/families.ts) for these root sizes, one staging table
   * per synthesized table; `start` is `from` and `rows` the rows expected.
   */
  families: z
    .object({
      from: z.number().int().nonnegative(),
      to: z.number().int().positive(),
      rootRows: z.record(z.string(), z.number().int().nonnegative()),
      stages: z.record(z.string(), z.string()),
    })
    .optional(),
  /** An original-data table copied whole into the staging table (as it is, batch by batch); `rows` is its rows in the source. */
  original: z.literal(true).optional(),
});
export type Shard = z.infer<typeof shardSchema>;

export const shardJobSchema = executionJobSchema.pick({ executionId: true, config: true, sealed: true }).extend({
  /** The folder holding the trained model (encoding, weights) the shard generates from. */
  model: z.string(),
  shard: shardSchema,
});
export type ShardJob = z.infer<typeof shardJobSchema>;

/** What a shard reports as progress and when done: rows written so far, and who writes them. */
export const shardProgressSchema = z.object({
  rows: z.number().int().nonnegative(),
  worker: z.string(),
  pid: z.number().int(),
  /** A relational shard, when done: rows per table, and the keys it numbered per table (the next shards' keys start after them). */
  tables: z.record(z.string(), z.object({ rows: z.number().int().nonnegative(), keys: z.number().int().nonnegative() })).optional(),
  /** A relational shard, when done: per link (`relationshipKey`) whose tables it wrote, parents per number of children in its rows. */
  childCounts: z.record(z.string(), z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]))).optional(),
});
export type ShardProgress = z.infer<typeof shardProgressSchema>;

/** The secrets an execution needs, as sealed in a job description. */
export { jobSecretsSchema };

/** A shard's staging table: `<run prefix>_<table number>_<shard number>`. */
export function shardStageName(runPrefix: string, tableIndex: number, shardIndex: number): string {
  return `${runPrefix}_${tableIndex}_${shardIndex}`;
}

/** The run prefix of a staging table name made by `shardStageName` (any other name is returned as it is). */
export function runOfStage(stage: string): string {
  return stage.replace(/_\d+_\d+$/, '');
}

/** The shards of `rows` output rows of one table, `shardRows` each (the last one shorter). */
export function planShards(table: string, tableIndex: number, rows: number, shardRows: number, seed: number, stagePrefix: string): Shard[] {
  const of = Math.max(1, Math.ceil(rows / shardRows));
  return Array.from({ length: of }, (_, index) => ({
    table,
    index,
    of,
    start: index * shardRows,
    rows: Math.min(shardRows, rows - index * shardRows),
    seed,
    stage: shardStageName(stagePrefix, tableIndex, index),
  })).filter((s) => s.rows > 0);
}

/** How `doppel worker` starts its worker process (sent over IPC, so no URL password shows in a process list). */
export const siteWorkerOptionsSchema = siteQueueSchema.pick({ url: true, name: true, keyFile: true }).extend({
  /** Seconds a worker's job lock lasts: a worker silent that long is taken for dead and its shard runs elsewhere. */
  lockSeconds: z.number().positive(),
  /** The site's shared folder for workspaces when it is mounted elsewhere on this machine (else the path in the job). */
  workspaceRoot: z.string().optional(),
});
export type SiteWorkerOptions = z.infer<typeof siteWorkerOptionsSchema>;
