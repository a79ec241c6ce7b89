import type { Command } from 'commander';
import type { ExecutionRecord } from '../../../shared';
import { action, printJson, storeDirOf, withServices } from '../context';

function duration(e: ExecutionRecord): string {
  if (!e.finishedAt) return '';
  const s = (Date.parse(e.finishedAt) - Date.parse(e.createdAt)) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function table(rows: ExecutionRecord[]): string {
  if (rows.length === 0) return 'No executions yet. Start one with `doppel run <config.json>` or `doppel demo`.';
  const head = ['ID', 'NAME', 'STATUS', 'CREATED', 'DURATION', 'QUALITY', 'BACKEND', 'MODEL OF'];
  const body = rows.map((e) => [
    e.id,
    e.name,
    e.status,
    e.createdAt.replace('T', ' ').slice(0, 19),
    duration(e),
    e.quality === null ? '' : `${(e.quality * 100).toFixed(1)}%`,
    e.backend ?? '',
    // A generation: the execution that trained the model it sampled.
    e.trainedBy ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return [head, ...body]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function register(program: Command): void {
  const cmd = program.command('executions').description('the execution history of the project store');
  cmd
    .command('list', { isDefault: true })
    .description('list executions (newest first)')
    .option('--json', 'print JSON')
    .option('--synthesis <id>', 'only the executions of this synthesis')
    .action(
      action(async (opts: { json?: boolean; synthesis?: string }, c: Command) => {
        const rows = await withServices(storeDirOf(c), async (s) => s.store.executions.list(opts.synthesis ? { synthesisId: opts.synthesis } : {}));
        if (opts.json) printJson(rows);
        else process.stdout.write(`${table(rows)}\n`);
      }),
    );
  cmd
    .command('rename')
    .description('rename an execution')
    .argument('<execution>', 'execution id')
    .argument('<name>', 'new name')
    .action(
      action(async (id: string, name: string, _o: unknown, c: Command) => {
        const r = await withServices(storeDirOf(c), async (s) => s.store.executions.rename(id, name));
        process.stdout.write(`Renamed ${r.id} to "${r.name}".\n`);
      }),
    );
  cmd
    .command('delete')
    .description('delete an execution and its files')
    .argument('<execution>', 'execution id')
    .action(
      action(async (id: string, _o: unknown, c: Command) => {
        await withServices(storeDirOf(c), async (s) => s.executions.delete(id));
        process.stdout.write(`Deleted execution ${id}.\n`);
      }),
    );
}
