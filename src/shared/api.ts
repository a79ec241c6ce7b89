import { z } from 'zod';
import { datasetMetadataSchema, relationshipSchema } from './metadata';
import { sourceSpecSchema } from './source';
import { synthesisConfigSchema, destinationSchema } from './config';
import { problemSchema } from './problems';
import { executionRecordSchema, jobEventSchema } from './job';
import { destinationMappingSchema } from './destination-mapping';

/** A cell as it crosses the wire: dates become ISO strings. */
export const wireCellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const pageSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(wireCellSchema)),
  offset: z.number().int(),
  total: z.number().int(),
});
export type Page = z.infer<typeof pageSchema>;

export const sensitiveHitSchema = z.object({
  table: z.string(),
  column: z.string(),
  kind: z.string(),
  confidence: z.number(),
  suggestedTreatment: z.enum(['synthesize', 'mock', 'mask', 'null']),
  mockGenerator: z.string().optional(),
  /** Free text: the identifiers found inside the sampled values, per kind (values holding one). */
  identifiers: z.array(z.object({ kind: z.string(), count: z.number().int() })).optional(),
});
export type SensitiveHit = z.infer<typeof sensitiveHitSchema>;

export const sourceRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Without password; `hasPassword` tells whether one is stored (encrypted). */
  spec: sourceSpecSchema,
  hasPassword: z.boolean(),
  createdAt: z.string(),
});
export type SourceRecord = z.infer<typeof sourceRecordSchema>;

export const synthesisRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  sourceId: z.string().nullable(),
  config: synthesisConfigSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SynthesisRecord = z.infer<typeof synthesisRecordSchema>;

export const auditRecordSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  user: z.string(),
  executionId: z.string(),
  payload: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecordWire = z.infer<typeof auditRecordSchema>;

export const exportFormats = ['csv', 'tsv', 'xlsx', 'ods', 'parquet'] as const;
export type ExportFormat = (typeof exportFormats)[number];
/** The files a report (or a comparison of reports) can be saved as. */
export const reportFileFormats = ['html', 'pdf'] as const;
export type ReportFileFormat = (typeof reportFileFormats)[number];

const settingsSchema = z.object({
  queue: z.object({ url: z.string(), name: z.string(), shardRows: z.number().int(), hasPassword: z.boolean() }).nullable(),
  override: z.string().nullable(),
});
export type AppSettings = z.infer<typeof settingsSchema>;

const id = z.object({ id: z.string() });
const ok = z.object({ ok: z.literal(true) });
const pageRequest = z.object({ table: z.string(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(50) });

/**
 * The renderer <-> main API: channel -> {input, output}. Handlers return Result<output>;
 * the client rethrows failures as AppError. Served over ipc (Electron) and HTTP (loopback host).
 */
export const api = {
  'app.info': { input: z.object({}), output: z.object({ version: z.string(), backend: z.string(), platform: z.string(), storeDir: z.string() }) },

  'sources.list': { input: z.object({}), output: z.array(sourceRecordSchema) },
  'sources.add': {
    input: z.object({
      name: z.string().optional(),
      spec: sourceSpecSchema,
      /** Kept as a destination: an empty database is fine. */ destination: z.boolean().optional(),
    }),
    output: sourceRecordSchema,
  },
  'sources.remove': { input: id, output: ok },
  'sources.test': { input: z.object({ spec: sourceSpecSchema, destination: z.boolean().optional() }), output: z.object({ tables: z.number().int() }) },
  'sources.inspect': { input: id, output: z.object({ metadata: datasetMetadataSchema, sensitive: z.array(sensitiveHitSchema) }) },
  'sources.preview': { input: id.extend(pageRequest.shape), output: pageSchema },
  /** A drawn foreign key checked on the data: key types, and child values (a sample) without a parent. */
  'sources.checkForeignKey': {
    input: id.extend({ fk: relationshipSchema }),
    output: z.object({
      typesCompatible: z.boolean(),
      childType: z.string(),
      parentType: z.string(),
      sampled: z.number().int(),
      orphans: z.number().int(),
      examples: z.array(z.string()),
    }),
  },

  'syntheses.list': { input: z.object({}), output: z.array(synthesisRecordSchema) },
  'syntheses.defaultConfig': { input: z.object({ sourceId: z.string() }), output: synthesisConfigSchema },
  'syntheses.validate': { input: z.object({ config: synthesisConfigSchema }), output: z.array(problemSchema) },
  'syntheses.save': {
    input: z.object({ id: z.string().optional(), name: z.string(), sourceId: z.string().nullable(), config: synthesisConfigSchema }),
    output: synthesisRecordSchema,
  },
  'syntheses.delete': { input: id, output: ok },

  /** A destination that fails the check answers `ok: false` with the problem, its error code and the fix. */
  'destinations.check': {
    input: z.object({ destination: destinationSchema, config: synthesisConfigSchema }),
    output: z.object({ ok: z.boolean(), message: z.string(), code: z.string().optional(), fix: z.string().optional() }),
  },

  /** What a database destination makes of the output (renamed names, changed column types), without connecting; null for the local store. */
  'destinations.mapping': { input: z.object({ config: synthesisConfigSchema }), output: destinationMappingSchema.nullable() },

  'executions.list': { input: z.object({ synthesisId: z.string().optional() }), output: z.array(executionRecordSchema) },
  'executions.get': { input: id, output: executionRecordSchema },
  /** `destinationPassword`: for a destination entered without saving it, used for this execution only. */
  'executions.start': { input: z.object({ synthesisId: z.string(), destinationPassword: z.string().optional() }), output: executionRecordSchema },
  'executions.cancel': { input: id, output: ok },
  /** A new execution that reuses the trained model of a finished one: no training, `rows` rows with `seed` (default random). */
  'executions.generate': {
    input: id.extend({ rows: z.number().int().positive().max(100_000_000), seed: z.number().int().optional() }),
    output: executionRecordSchema,
  },
  'executions.rename': { input: id.extend({ name: z.string().min(1) }), output: executionRecordSchema },
  'executions.delete': { input: id, output: ok },
  'executions.preview': { input: id.extend(pageRequest.shape), output: pageSchema },
  'executions.tables': { input: id, output: z.array(z.object({ name: z.string(), rows: z.number().int() })) },
  /**
   * Writes the export to a file and returns its path (the host also serves it for download).
   * CSV/TSV text cells that a spreadsheet would run as formulas get a leading apostrophe unless `allowFormulas`.
   */
  'executions.export': {
    input: id.extend({ format: z.enum(exportFormats), allowFormulas: z.boolean().optional() }),
    output: z.object({ path: z.string(), fileName: z.string() }),
  },
  'executions.report': { input: id, output: z.object({ html: z.string(), json: z.unknown() }) },
  /** Two or more executions' reports side by side (the CLI's `report --compare`): A is the first id, the others show their change against it. */
  'executions.compare': { input: z.object({ ids: z.array(z.string()).min(2).max(8) }), output: z.object({ html: z.string() }) },
  /**
   * Writes one execution's report (one id) or a comparison (several) as an HTML or PDF file and returns its path and
   * the name to save it under (the host also serves it for download; the desktop app asks where to save it).
   */
  'executions.exportReport': {
    input: z.object({ ids: z.array(z.string()).min(1).max(8), format: z.enum(reportFileFormats) }),
    output: z.object({ path: z.string(), fileName: z.string() }),
  },

  /**
   * The site queue (BullMQ on the site's Redis) executions are submitted to instead of running here.
   * `queue`: the stored setting, its URL without password (`hasPassword`: one is sealed apart);
   * `override`: a queue set outside the app (DOPPEL_QUEUE or --queue, password hidden) that wins over it.
   */
  'settings.get': { input: z.object({}), output: settingsSchema },
  /** Stores the site queue (a password in the URL is sealed, never kept in clear) or, with null, runs executions here again. */
  'settings.setQueue': {
    input: z.object({
      queue: z
        .object({
          url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
          name: z.string().regex(/^[\w.-]{1,80}$/, 'letters, digits, dot, dash and underscore'),
          shardRows: z.number().int().positive(),
          /** Keep the sealed password when the URL gives none (the form never shows it back). */
          keepPassword: z.boolean().optional(),
        })
        .nullable(),
    }),
    output: settingsSchema,
  },
  /** Whether executions go to a site queue now, whether it answers, and how many site workers wait on it. */
  'settings.queueStatus': {
    input: z.object({}),
    output: z.object({ inUse: z.boolean(), reachable: z.boolean(), workers: z.number().int(), message: z.string() }),
  },

  /** The append-only, hash-chained audit trail (one record per finished execution). */
  'audit.list': { input: z.object({ executionId: z.string().optional() }), output: z.array(auditRecordSchema) },
  'audit.verify': {
    input: z.object({}),
    output: z.object({ ok: z.boolean(), records: z.number().int(), brokenAt: z.number().int().optional(), message: z.string() }),
  },
} as const;

export type Api = typeof api;
export type Channel = keyof Api;
export type ApiInput<C extends Channel> = z.input<Api[C]['input']>;
export type ApiOutput<C extends Channel> = z.infer<Api[C]['output']>;

/** Events pushed from main to the renderer. */
export const apiEventSchema = z.object({ channel: z.literal('executions.event'), executionId: z.string(), event: jobEventSchema });
export type ApiEvent = z.infer<typeof apiEventSchema>;

export const channels = Object.keys(api) as Channel[];
export function isChannel(s: string): s is Channel {
  return Object.prototype.hasOwnProperty.call(api, s);
}
