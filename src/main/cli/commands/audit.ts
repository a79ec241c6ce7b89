/**
 * `doppel audit [--verify] [--json] [--execution <id>]`
 *
 * Lists the audit trail of the project store (one line per record: seq, time, user, execution,
 * short hash), or with --verify recomputes the hash chain and says whether it is intact
 * (exit code 1 when it is broken). --json prints the records (or the verification) as JSON.
 * Exit codes: 0 ok, 1 user error or broken chain, 2 internal error.
 */
import type { Command } from 'commander';
import { isAppError } from '../../../shared';
import type { AuditRecord, ProjectStore } from '../../../data/store/types';

export interface AuditCommandOptions {
  verify?: boolean;
  json?: boolean;
  execution?: string;
}

export interface AuditCommandResult {
  /** What to print on stdout. */
  text: string;
  exitCode: 0 | 1;
}

function line(r: AuditRecord): string {
  return `#${r.seq}  ${r.at}  ${r.user}  execution ${r.executionId}  ${r.hash.slice(0, 12)}`;
}

/** Runs the command against an open store; returns what to print and the exit code. */
export function runAuditCommand(store: ProjectStore, opts: AuditCommandOptions): AuditCommandResult {
  if (opts.verify) {
    const result = store.audit.verify();
    const exitCode = result.ok ? 0 : 1;
    return { text: opts.json ? JSON.stringify(result, null, 2) : result.message, exitCode };
  }
  const records = store.audit.list(opts.execution === undefined ? {} : { executionId: opts.execution });
  if (opts.json) return { text: JSON.stringify(records, null, 2), exitCode: 0 };
  if (records.length === 0) {
    return { text: opts.execution === undefined ? 'No audit records yet.' : `No audit records for execution ${opts.execution}.`, exitCode: 0 };
  }
  return { text: records.map(line).join('\n'), exitCode: 0 };
}

/** Prints an error as Doppel does: message and fix on stderr; 1 for a user error, 2 for an internal one. */
function fail(e: unknown): void {
  if (isAppError(e) && e.code !== 'INTERNAL') {
    process.stderr.write(`error: ${e.message}\n${e.fix ? `fix: ${e.fix}\n` : ''}`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}

export function register(program: Command, open: () => ProjectStore): void {
  program
    .command('audit')
    .description('list the audit trail of the project store, or verify its hash chain')
    .option('--verify', 'recompute the hash chain; exit code 1 if it is broken')
    .option('--json', 'print JSON')
    .option('--execution <id>', 'only the records of this execution')
    .action((cmdOpts: AuditCommandOptions) => {
      let store: ProjectStore | undefined;
      try {
        store = open();
        const { text, exitCode } = runAuditCommand(store, cmdOpts);
        process.stdout.write(`${text}\n`);
        if (exitCode !== 0) process.exitCode = exitCode;
      } catch (e) {
        fail(e);
      } finally {
        store?.close();
      }
    });
}
