import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { siteWorkerOptionsSchema, type SiteWorkerOptions } from '../../../shared/site';
import { siteKeyPath } from '../../../data/queue/site-queue';
import { forkSiteWorker } from '../../services/worker-process';
import { action, storeDirOf } from '../context';

/**
 * `doppel worker --queue redis://…`: a site worker. The work runs in a worker process of its own
 * (the same worker code as a local execution); this command starts it, hands it its options over
 * IPC and ends with it. If this command is killed, the worker process leaves at once too.
 */
export function register(program: Command): void {
  program
    .command('worker')
    .description("run a site worker: takes executions and generation shards from the site's queue (BullMQ on Redis) until stopped")
    .requiredOption('--queue <url>', 'the Redis of the site queue: redis://[user:password@]host:6379[/db] (rediss:// for TLS)')
    .option('--queue-name <name>', 'queue name (the same as the submitting app or CLI)', 'doppel')
    .option('--site-key <file>', "the site key shared with the submitting app (default: $DOPPEL_SITE_KEY or the store's site.key)")
    .option('--lock-seconds <s>', 'seconds without a sign of life after which a worker is taken for dead and its shard runs elsewhere', '30')
    .option('--workspace-root <dir>', "where this machine mounts the site's shared workspace folder (default: the path in each job)")
    .action(
      action(async (opts: { queue: string; queueName: string; siteKey?: string; lockSeconds: string; workspaceRoot?: string }, cmd: Command) => {
        const parsed = siteWorkerOptionsSchema.safeParse({
          url: opts.queue,
          name: opts.queueName,
          keyFile: opts.siteKey ?? siteKeyPath(storeDirOf(cmd)),
          lockSeconds: Number(opts.lockSeconds),
          ...(opts.workspaceRoot ? { workspaceRoot: opts.workspaceRoot } : {}),
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AppError('BAD_REQUEST', `Invalid worker option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unknown'}.`, {
            fix: 'Give --queue redis://host:6379, a --queue-name of letters, digits, dot, dash or underscore, and a positive --lock-seconds.',
          });
        }
        process.exitCode = await serve(parsed.data);
      }),
    );
}

function serve(options: SiteWorkerOptions): Promise<number> {
  const child = forkSiteWorker();
  child.send({ type: 'serve', options });
  const forward = (signal: NodeJS.Signals) => (): void => void child.kill(signal);
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      if (signal) process.stderr.write(`The worker process was stopped by ${signal}.\n`);
      resolve(code ?? 1);
    });
  });
}
