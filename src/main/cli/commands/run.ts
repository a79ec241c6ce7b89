import type { Command } from 'commander';
import {
  AppError,
  constraintModes,
  describeSource,
  parseSourceString,
  redactUrl,
  tableModes,
  withoutSecrets,
  type ExecutionRecord,
  type ExecutionSummary,
  type ConstraintMode,
  type SynthesisConfig,
  type TableMode,
} from '../../../shared';
import { isServerSpec } from '../../../data/dialects';
import type { Services } from '../../services/index';
import { siteQueue } from '../../services/queue-transport';
import type { SiteQueue } from '../../../shared/site';
import { action, printJson, readConfigFile, storeDirOf, withServices } from '../context';
import { TimelinePrinter } from '../progress';

/** The summary of a finished execution, also for failed and canceled ones. */
function summaryOf(record: ExecutionRecord): ExecutionSummary {
  if (record.summary) return { ...record.summary, status: record.status };
  const stepSeconds: Record<string, number> = {};
  for (const s of record.steps) if (s.seconds !== undefined) stepSeconds[s.step] = s.seconds;
  return {
    executionId: record.id,
    status: record.status,
    stepSeconds,
    rows: {},
    backend: record.backend ?? '',
    quality: record.quality,
    outputPath: null,
    reportPath: null,
    ...(record.error ? { error: record.error } : {}),
  };
}

/**
 * Saves the config as a synthesis (the one with the same name and source is updated, so a re-run
 * adds an execution to it), runs one execution with the timeline on stderr, and returns its record.
 * Ctrl-C cancels the execution (no output is kept).
 */
export async function runConfig(s: Services, config: SynthesisConfig, opts: { quiet?: boolean; destinationPassword?: string } = {}): Promise<ExecutionRecord> {
  const existing = s.store.syntheses.list().find((x) => x.name === config.name && describeSource(x.config.source) === describeSource(config.source));
  const synthesis = s.store.syntheses.save({ ...(existing ? { id: existing.id } : {}), name: config.name, sourceId: existing?.sourceId ?? null, config });
  const started = await s.executions.start(synthesis.id, opts.destinationPassword !== undefined ? { destinationPassword: opts.destinationPassword } : {});
  if (!opts.quiet) process.stderr.write(`Execution ${started.id} of "${synthesis.name}" (${describeSource(config.source)})\n`);
  return follow(s, started, opts);
}

/**
 * Follows a started execution to its end with the timeline on stderr and returns its record.
 * Ctrl-C cancels it (no output is kept).
 */
export async function follow(s: Services, started: ExecutionRecord, opts: { quiet?: boolean } = {}): Promise<ExecutionRecord> {
  const printer = new TimelinePrinter();
  const ahead = s.jobs.queuedBehind(started.id);
  if (!opts.quiet && ahead > 0)
    process.stderr.write(`  queued: ${ahead} execution(s) ahead; it starts when one ends (DOPPEL_MAX_EXECUTIONS sets how many run at once)\n`);
  const unsubscribe = s.jobs.subscribe((e) => {
    if (e.executionId === started.id && !opts.quiet) printer.onEvent(e.event);
  });
  const onSigint = (): void => {
    process.stderr.write('\nCanceling…\n');
    s.jobs.cancel(started.id);
  };
  process.once('SIGINT', onSigint);
  try {
    return await s.jobs.wait(started.id);
  } finally {
    process.removeListener('SIGINT', onSigint);
    unsubscribe();
    printer.close();
  }
}

/** The summary on stdout (and a short text on stderr), the exit code from the outcome. */
function finish(record: ExecutionRecord, json: boolean | undefined): void {
  const summary = summaryOf(record);
  printJson(summary);
  if (!json && record.status === 'succeeded') {
    process.stderr.write(
      `\nSynthetic data: ${summary.outputPath ?? 'in the destination'}\nReport:         ${summary.reportPath}\nQuality:        ${summary.quality === null ? 'n/a' : `${(summary.quality * 100).toFixed(1)}%`}\n`,
    );
  }
  reportOutcome(record);
}

/** Exit code and stderr lines for a finished execution. */
export function reportOutcome(record: ExecutionRecord): void {
  if (record.status === 'succeeded') return;
  if (record.status === 'canceled') {
    process.stderr.write('The execution was canceled; no output was kept.\n');
    process.exitCode = 130;
    return;
  }
  const err = record.error;
  process.stderr.write(`error: ${err?.message ?? 'the execution failed.'}\n${err?.fix ? `fix: ${err.fix}\n` : ''}`);
  process.exitCode = err && (err.code === 'INTERNAL' || err.code === 'WORKER_CRASHED') ? 2 : 1;
}

/** The config with `--to`/`--mode`/`--constraints` applied; a password in the URL is used for this run only (never saved). */
export function withDestination(
  config: SynthesisConfig,
  opts: { to?: string; mode?: string; constraints?: string },
): { config: SynthesisConfig; destinationPassword?: string } {
  if (opts.constraints !== undefined) {
    if (!(constraintModes as readonly string[]).includes(opts.constraints))
      throw new AppError('BAD_REQUEST', `"${opts.constraints}" is not a constraints choice.`, { fix: `Use --constraints ${constraintModes.join('|')}.` });
    const { constraints: _, ...rest } = opts;
    const applied = withDestination(config, rest);
    const d = applied.config.destination;
    if (d.kind !== 'database')
      throw new AppError('BAD_REQUEST', '--constraints applies to a database destination.', {
        fix: 'Add --to <sqlite:path|postgres://…|mysql://…>, or set the destination in the configuration.',
      });
    return { ...applied, config: { ...applied.config, destination: { ...d, constraints: opts.constraints as ConstraintMode } } };
  }
  if (opts.mode !== undefined && !(tableModes as readonly string[]).includes(opts.mode)) {
    throw new AppError('BAD_REQUEST', `"${opts.mode}" is not a table mode.`, { fix: `Use --mode ${tableModes.join('|')}.` });
  }
  if (opts.to === undefined) {
    if (opts.mode === undefined) return { config };
    if (config.destination.kind !== 'database')
      throw new AppError('BAD_REQUEST', '--mode applies to a database destination.', {
        fix: 'Add --to <sqlite:path|postgres://…|mysql://…>, or set the destination in the configuration.',
      });
    return { config: { ...config, destination: { ...config.destination, tableMode: opts.mode as TableMode } } };
  }
  const target = parseSourceString(opts.to);
  if (target.kind === 'files') {
    throw new AppError('BAD_REQUEST', `"${redactUrl(opts.to)}" is not a database.`, {
      fix: 'Write --to sqlite:/path/to/file.sqlite, postgres://user@host:5432/db or mysql://user@host:3306/db (the synthetic files are downloaded with `doppel export`).',
    });
  }
  const password = isServerSpec(target) ? target.password : undefined;
  const destination = {
    kind: 'database' as const,
    target: withoutSecrets(target),
    tableMode: (opts.mode ?? 'create') as TableMode,
    batchSize: 10_000,
    parallel: 1,
  };
  return { config: { ...config, destination }, ...(password !== undefined ? { destinationPassword: password } : {}) };
}

interface QueueOptions {
  queue?: string;
  queueName?: string;
  shardRows?: number;
  siteKey?: string;
}

/** `--queue` and its companions as a site queue (undefined: the DOPPEL_QUEUE setting, else a local worker). */
function queueOf(opts: QueueOptions, cmd: Command): SiteQueue | undefined {
  if (opts.queue === undefined) return undefined;
  if (!/^rediss?:\/\//.test(opts.queue))
    throw new AppError('BAD_REQUEST', `"${redactUrl(opts.queue)}" is not a Redis URL.`, { fix: 'Write --queue redis://host:6379 (rediss:// for TLS).' });
  return siteQueue(opts.queue, { storeDir: storeDirOf(cmd), name: opts.queueName, shardRows: opts.shardRows, keyFile: opts.siteKey });
}

function queueFlags(c: Command): Command {
  return c
    .option('--queue <url>', "submit to the site's queue (redis://host:6379) instead of running here: site workers (`doppel worker`) run it")
    .option('--queue-name <name>', 'queue name (default doppel)')
    .option('--shard-rows <n>', 'rows per generation shard on the site workers (default 50000; the output depends on the seed and this size)', positiveInt)
    .option('--site-key <file>', "the site key that seals this execution's secrets (default: $DOPPEL_SITE_KEY or the store's site.key)");
}

export function register(program: Command): void {
  const run = program
    .command('run')
    .description('run one execution of a configuration: timeline on stderr, summary JSON on stdout')
    .argument('<config>', 'a configuration JSON file (see `doppel init`)')
    .option('--json', 'print only the summary JSON on stdout (default prints it too, with a short text summary on stderr)')
    .option('--allow-truncate', 'confirm that destination tables may be emptied (needed when the config uses table mode "truncate")')
    .option(
      '--to <destination>',
      'write the synthetic data into a database instead of the configured destination: sqlite:<path>, postgres://… or mysql://… (an empty database is fine)',
    )
    .option('--mode <mode>', `table mode for --to: ${tableModes.join(', ')} (default create)`)
    .option(
      '--constraints <when>',
      `foreign keys and their indexes on created tables: ${constraintModes.join(', ')} (default after-load); integrity is checked either way`,
    );
  queueFlags(run).action(
    action(
      async (
        file: string,
        opts: { json?: boolean; allowTruncate?: boolean; to?: string; mode?: string; constraints?: string } & QueueOptions,
        cmd: Command,
      ) => {
        const { config, destinationPassword } = withDestination(readConfigFile(file), opts);
        if (config.destination.kind === 'database' && config.destination.tableMode === 'truncate' && !opts.allowTruncate) {
          throw new AppError('BAD_REQUEST', `The configuration empties the destination tables first (table mode "truncate").`, {
            fix: 'Add --allow-truncate to confirm, or set the table mode to "create" or "write-into-empty".',
          });
        }
        const queue = queueOf(opts, cmd);
        const record = await withServices(
          storeDirOf(cmd),
          (s) => runConfig(s, config, destinationPassword !== undefined ? { destinationPassword } : {}),
          queue ? { queue } : {},
        );
        finish(record, opts.json);
      },
    ),
  );

  const generate = program
    .command('generate')
    .description('generate again from the trained model of a finished execution, without training: a new execution with its own output and report')
    .argument('<execution>', 'the id (or a unique id prefix) of an execution that succeeded')
    .requiredOption('--rows <n>', 'rows to generate (of the root table in a relational synthesis)', positiveInt)
    .option('--seed <s>', 'random seed of the new rows (default: a random one)', integer)
    .option('--json', 'print only the summary JSON on stdout')
    .option('--to <destination>', "write into this database instead of the first execution's destination: sqlite:<path>, postgres://… or mysql://…")
    .option('--mode <mode>', `table mode for --to: ${tableModes.join(', ')} (default create)`);
  queueFlags(generate).action(
    action(async (execution: string, opts: { rows: number; seed?: number; json?: boolean; to?: string; mode?: string } & QueueOptions, cmd: Command) => {
      const queue = queueOf(opts, cmd);
      const record = await withServices(
        storeDirOf(cmd),
        async (s) => {
          const id = resolveExecution(s, execution);
          const to =
            opts.to !== undefined || opts.mode !== undefined ? withDestination(s.store.executions.config(id), { to: opts.to, mode: opts.mode }) : undefined;
          const started = s.executions.generate(id, {
            rows: opts.rows,
            seed: opts.seed,
            ...(to ? { destination: to.config.destination, destinationPassword: to.destinationPassword } : {}),
          });
          process.stderr.write(`Execution ${started.id}: ${opts.rows.toLocaleString('en-US')} rows from the model of ${id}\n`);
          return follow(s, started);
        },
        queue ? { queue } : {},
      );
      finish(record, opts.json);
    }),
  );
}

/** An execution id from an id or a unique id prefix, or a clear error. */
function resolveExecution(s: Services, execution: string): string {
  const all = s.store.executions.list();
  const exact = all.find((e) => e.id === execution);
  if (exact) return exact.id;
  const byPrefix = all.filter((e) => e.id.startsWith(execution));
  if (byPrefix.length === 1) return byPrefix[0]!.id;
  throw new AppError('EXECUTION_NOT_FOUND', byPrefix.length ? `"${execution}" matches ${byPrefix.length} executions.` : `No execution "${execution}".`, {
    fix: 'List them with `doppel executions` and give a longer id.',
  });
}

function integer(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new AppError('BAD_REQUEST', `"${v}" is not a whole number.`, { fix: 'Give a whole number, e.g. --seed 7.' });
  return n;
}

function positiveInt(v: string): number {
  const n = integer(v);
  if (n < 1) throw new AppError('BAD_REQUEST', `--rows must be at least 1 (got ${v}).`, { fix: 'Give the number of rows to generate, e.g. --rows 1000.' });
  return n;
}
