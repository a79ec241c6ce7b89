/**
 * The project store's contract (implemented in ./index.ts over better-sqlite3 with migrations).
 * One store = one folder: store.sqlite, secret.key (0600, headless key), executions/<id>/ workspaces.
 */
import type { AppErrorShape } from '../../shared/errors';
import type { ExecutionRecord, JobEvent, ExecutionSummary, StepState, ExecutionStatus } from '../../shared/job';
import type { SourceRecord, SynthesisRecord } from '../../shared/api';
import type { SourceSpec } from '../../shared/source';
import type { SynthesisConfig } from '../../shared/config';

/** Encrypts credentials at rest: Electron's safeStorage in the desktop shell, a 0600 key file headless. */
export interface SecretBox {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export interface SourcesRepo {
  list(): SourceRecord[];
  /** Throws AppError NOT_FOUND naming the id. */
  get(id: string): SourceRecord;
  /** The spec is stored without its password; a password is stored encrypted. */
  add(input: { name?: string; spec: SourceSpec; password?: string }): SourceRecord;
  remove(id: string): void;
  /**
   * The decrypted password of a stored connection, if any (never logged), for `target` only:
   * a target on another kind, host, port, user or database throws DB_AUTH_FAILED instead.
   */
  password(id: string, target: SourceSpec): string | undefined;
}

export interface SynthesesRepo {
  list(): SynthesisRecord[];
  get(id: string): SynthesisRecord;
  /** Insert (no id) or update (id). */
  save(input: { id?: string; name: string; sourceId: string | null; config: SynthesisConfig }): SynthesisRecord;
  /** Deletes the synthesis and its executions (workspaces included). */
  delete(id: string): void;
}

export interface ExecutionsRepo {
  list(filter?: { synthesisId?: string }): ExecutionRecord[];
  get(id: string): ExecutionRecord;
  /** A new `queued` execution with a fresh workspace folder `<store>/executions/<id>/`; keeps a snapshot of the config. */
  create(input: { synthesisId: string; name?: string; config: SynthesisConfig; trainedBy?: string }): ExecutionRecord;
  /** The config snapshot the execution was created with. */
  config(id: string): SynthesisConfig;
  /** Folds a worker event into the record (status running, step states, backend, summary...). */
  applyEvent(id: string, event: JobEvent): ExecutionRecord;
  /** Terminal state: succeeded (with summary), failed (with error), canceled. Sets finishedAt; pending/running steps become failed/canceled. */
  finish(
    id: string,
    status: Extract<ExecutionStatus, 'succeeded' | 'failed' | 'canceled'>,
    opts?: { error?: AppErrorShape; summary?: ExecutionSummary },
  ): ExecutionRecord;
  rename(id: string, name: string): ExecutionRecord;
  /** Removes the record, its artifact key and its workspace folder. Refuses (BAD_REQUEST) while it is queued/running. */
  delete(id: string): void;
  /** On open: executions left queued/running by a process that died become failed with WORKER_CRASHED. */
  recoverInterrupted(): number;
  steps(id: string): StepState[];
}

/** One append-only, hash-chained audit record. */
export interface AuditRecord {
  seq: number;
  at: string;
  /** OS user name. */
  user: string;
  executionId: string;
  /** Free JSON: source fingerprint, config, versions, backend, privacy settings and figures. */
  payload: unknown;
  prevHash: string;
  hash: string;
}

/** The newest record of the audit chain at some moment: its seq and hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** A chain head recorded outside the chain (e.g. in an execution's report), and where. */
export interface AuditAnchor extends AuditHead {
  where: string;
}

export interface AuditRepo {
  append(input: { executionId: string; payload: unknown; user?: string; at?: string }): AuditRecord;
  list(filter?: { executionId?: string }): AuditRecord[];
  /** The chain's newest record now (null while it is empty). */
  head(): AuditHead | null;
  /**
   * Recomputes the chain; reports the first record whose hash or link does not match, and records
   * missing after the last one: the head the store recorded with every append, and the heads
   * recorded elsewhere (`anchors`, default: those in the executions' reports), must be in the chain.
   */
  verify(anchors?: AuditAnchor[]): { ok: boolean; records: number; brokenAt?: number; message: string };
}

/** The site queue as the settings keep it: the URL holds no password (`hasPassword`: one is sealed apart). */
export interface StoredSiteQueue {
  url: string;
  name: string;
  shardRows: number;
  hasPassword: boolean;
}

export interface SettingsRepo {
  siteQueue(): StoredSiteQueue | null;
  /**
   * Stores the site queue (null: executions run here again). A password in `url` is sealed apart;
   * a URL without one removes the stored password unless `keepPassword`.
   */
  setSiteQueue(input: { url: string; name: string; shardRows: number; keepPassword?: boolean } | null): StoredSiteQueue | null;
  /** The stored URL with its password put back (for connecting only; never shown or logged). */
  siteQueueUrl(): string | null;
}

export interface ProjectStore {
  readonly dir: string;
  readonly settings: SettingsRepo;
  readonly sources: SourcesRepo;
  readonly syntheses: SynthesesRepo;
  readonly executions: ExecutionsRepo;
  readonly audit: AuditRepo;
  /** Per-project secret for consistent mocking (created once, stored encrypted). */
  mockingKey(): string;
  /**
   * An execution's artifact key (hex, created on first use, stored encrypted): keys the copy
   * filter's hashes and seals kept values in its artifacts, so generating again needs no source.
   * Deleted with its execution; EXECUTION_NOT_FOUND for an execution that is not in the store.
   */
  artifactKey(executionId: string): string;
  close(): void;
}
