import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { synthesisConfigSchema, type SynthesisConfig } from '../../shared/config';
import { AppError, appErrorShapeSchema, type AppErrorShape } from '../../shared/errors';
import { finishExecution, foldJobEvent, isActiveStatus } from '../../shared/execution-events';
import { executionRecordSchema, executionSummarySchema, initialSteps, type ExecutionRecord, type ExecutionStatus, type StepState } from '../../shared/job';
import { newId, nowIso } from './ids';
import { ownerMayBeAlive } from './process-alive';
import { storableConfig, synthesisNotFound } from './syntheses-repo';
import type { ExecutionsRepo } from './types';

interface ExecutionRow {
  id: string;
  synthesis_id: string;
  name: string;
  status: string;
  created_at: string;
  finished_at: string | null;
  steps: string;
  backend: string | null;
  notice: string | null;
  quality: number | null;
  output_path: string | null;
  workspace: string;
  error: string | null;
  summary: string | null;
  trained_by: string | null;
}

const COLUMNS = 'id, synthesis_id, name, status, created_at, finished_at, steps, backend, notice, quality, output_path, workspace, error, summary, trained_by';

/** The row as a record without validation (the hot path of applyEvent). */
function fromRow(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id,
    synthesisId: row.synthesis_id,
    name: row.name,
    status: row.status as ExecutionStatus,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    steps: JSON.parse(row.steps) as StepState[],
    backend: row.backend,
    notice: row.notice ?? null,
    trainedBy: row.trained_by ?? null,
    quality: row.quality,
    outputPath: row.output_path,
    workspace: row.workspace,
    error: row.error === null ? null : (JSON.parse(row.error) as AppErrorShape),
    summary: row.summary === null ? null : (JSON.parse(row.summary) as ExecutionRecord['summary']),
  };
}

const toRecord = (row: ExecutionRow): ExecutionRecord => executionRecordSchema.parse(fromRow(row));

export function executionNotFound(id: string): AppError {
  return new AppError('EXECUTION_NOT_FOUND', `No execution "${id}" in the project store.`, {
    fix: 'List the executions with `doppel executions` and use one of their ids.',
  });
}

export const crashedError: AppErrorShape = {
  code: 'WORKER_CRASHED',
  message: 'Doppel stopped while this execution was running.',
  fix: 'Run the synthesis again. If it stops again, lower "max training rows" or the model size in the synth settings.',
};

export interface ExecutionsInternals {
  /** Throws BAD_REQUEST if an execution of the synthesis is queued/running; else the workspaces to remove after deleting it. */
  workspacesForDelete(synthesisId: string): string[];
}

/** Executions: records + workspace folders `<dir>/executions/<id>/`. */
export function executionsRepo(db: Database.Database, dir: string): ExecutionsRepo & ExecutionsInternals {
  const root = join(dir, 'executions');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM executions WHERE id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM executions ORDER BY created_at, rowid`);
  const bySynthesis = db.prepare(`SELECT ${COLUMNS} FROM executions WHERE synthesis_id = ? ORDER BY created_at, rowid`);
  const exists = db.prepare('SELECT 1 FROM executions WHERE id = ?').pluck();
  const synthesisExists = db.prepare('SELECT 1 FROM syntheses WHERE id = ?').pluck();
  const countFor = db.prepare('SELECT COUNT(*) FROM executions WHERE synthesis_id = ?').pluck();
  const configOf = db.prepare('SELECT config FROM executions WHERE id = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO executions (id, synthesis_id, name, status, created_at, finished_at, steps, backend, quality, output_path, workspace, error, summary, config, owner_pid, trained_by)
     VALUES (?, ?, ?, 'queued', ?, NULL, ?, NULL, NULL, NULL, ?, NULL, NULL, ?, ?, ?)`,
  );
  const save = db.prepare(
    'UPDATE executions SET status = ?, finished_at = ?, steps = ?, backend = ?, notice = ?, quality = ?, output_path = ?, error = ?, summary = ? WHERE id = ?',
  );
  const renameStmt = db.prepare('UPDATE executions SET name = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM executions WHERE id = ?');
  const active = db.prepare("SELECT id, created_at, owner_pid FROM executions WHERE status IN ('queued', 'running')");
  const activeOf = db.prepare("SELECT id FROM executions WHERE synthesis_id = ? AND status IN ('queued', 'running')").pluck();
  const workspacesOf = db.prepare('SELECT workspace FROM executions WHERE synthesis_id = ?').pluck();

  const row = (id: string): ExecutionRow => {
    const r = byId.get(id) as ExecutionRow | undefined;
    if (!r) throw executionNotFound(id);
    return r;
  };
  const get = (id: string): ExecutionRecord => toRecord(row(id));
  const persist = (rec: ExecutionRecord): void => {
    save.run(
      rec.status,
      rec.finishedAt,
      JSON.stringify(rec.steps),
      rec.backend,
      rec.notice,
      rec.quality,
      rec.outputPath,
      rec.error === null ? null : JSON.stringify(rec.error),
      rec.summary === null ? null : JSON.stringify(rec.summary),
      rec.id,
    );
  };

  const finish: ExecutionsRepo['finish'] = (id, status, opts = {}) => {
    const rec = fromRow(row(id));
    finishExecution(rec, status, {
      ...(opts.error ? { error: appErrorShapeSchema.parse(opts.error) } : {}),
      ...(opts.summary ? { summary: executionSummarySchema.parse(opts.summary) } : {}),
    });
    const checked = executionRecordSchema.parse(rec);
    persist(checked);
    return checked;
  };

  return {
    list(filter = {}) {
      const rows = (filter.synthesisId === undefined ? all.all() : bySynthesis.all(filter.synthesisId)) as ExecutionRow[];
      return rows.map(toRecord);
    },
    get,
    create(input) {
      if (synthesisExists.get(input.synthesisId) === undefined) throw synthesisNotFound(input.synthesisId);
      const config = JSON.stringify(storableConfig(input.config));
      const id = newId((candidate) => exists.get(candidate) !== undefined);
      const workspace = join(root, id);
      const name = input.name?.trim() || `Execution #${Number(countFor.get(input.synthesisId)) + 1}`;
      mkdirSync(workspace, { recursive: true });
      try {
        insert.run(id, input.synthesisId, name, nowIso(), JSON.stringify(initialSteps()), workspace, config, process.pid, input.trainedBy ?? null);
      } catch (e) {
        rmSync(workspace, { recursive: true, force: true });
        throw e;
      }
      return get(id);
    },
    config(id) {
      const text = configOf.get(id) as string | undefined;
      if (text === undefined) throw executionNotFound(id);
      return synthesisConfigSchema.parse(JSON.parse(text)) as SynthesisConfig;
    },
    applyEvent(id, event) {
      const rec = fromRow(row(id));
      if (event.type === 'result') executionSummarySchema.parse(event.summary);
      if (event.type === 'error') appErrorShapeSchema.parse(event.error);
      foldJobEvent(rec, event);
      if (event.type !== 'log' && event.type !== 'fingerprint') persist(rec);
      return rec;
    },
    finish,
    rename(id, name) {
      const trimmed = name.trim();
      if (!trimmed) throw new AppError('BAD_REQUEST', 'An execution name cannot be empty.', { fix: 'Type a name with at least one character.' });
      if (renameStmt.run(trimmed, id).changes === 0) throw executionNotFound(id);
      return get(id);
    },
    delete(id) {
      const rec = fromRow(row(id));
      if (isActiveStatus(rec.status)) {
        throw new AppError('BAD_REQUEST', `Execution "${rec.name}" is ${rec.status} and cannot be deleted now.`, {
          fix: 'Cancel it first (or wait until it ends), then delete it.',
        });
      }
      del.run(id);
      rmSync(rec.workspace, { recursive: true, force: true });
    },
    recoverInterrupted() {
      const recover = db.transaction((): number => {
        const stale = (active.all() as { id: string; created_at: string; owner_pid: number | null }[]).filter(
          (r) => !ownerMayBeAlive(r.owner_pid, r.created_at),
        );
        for (const r of stale) finish(r.id, 'failed', { error: crashedError });
        return stale.length;
      });
      return recover.immediate();
    },
    steps: (id) => get(id).steps,
    workspacesForDelete(synthesisId) {
      const running = activeOf.all(synthesisId) as string[];
      if (running.length > 0) {
        throw new AppError('BAD_REQUEST', `The synthesis has ${running.length} execution(s) still queued or running (${running.join(', ')}).`, {
          fix: 'Cancel them (or wait until they end), then delete the synthesis.',
        });
      }
      return workspacesOf.all(synthesisId) as string[];
    },
  };
}
