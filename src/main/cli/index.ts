/**
 * `doppel`: the same services as the app, without a window.
 *   inspect | init | validate | run | generate | worker | executions | export | report | audit | demo
 * Exit codes: 0 ok, 1 validation or user error (the message says what and how to fix), 2 internal error.
 */
import { Command } from 'commander';
import { register as registerAudit } from './commands/audit';
import { register as registerDemo } from './commands/demo';
import { register as registerExecutions } from './commands/executions';
import { register as registerExport } from './commands/export';
import { register as registerInit } from './commands/init';
import { register as registerInspect } from './commands/inspect';
import { register as registerReport } from './commands/report';
import { register as registerRun } from './commands/run';
import { register as registerValidate } from './commands/validate';
import { register as registerWorker } from './commands/worker';
import { fail, locateExecutionFile, storeDirOf } from './context';
import { appVersion } from '../services/version';
import { openStore } from '../../data/store/index';

export function buildProgram(): Command {
  const program = new Command('doppel')
    .description('Synthetic tables and relational databases, on your own machine.')
    .version(appVersion())
    .option('--store <dir>', 'project store folder (default: $DOPPEL_STORE or ~/.doppel)')
    .showHelpAfterError();
  registerInspect(program);
  registerInit(program);
  registerValidate(program);
  registerRun(program);
  registerExecutions(program);
  registerExport(program, (id, store) => locateExecutionFile(id, store, 'output'));
  registerReport(program, (id, store) => locateExecutionFile(id, store, 'report'));
  registerAudit(program, () => openStore(storeDirOf(program)));
  registerDemo(program);
  registerWorker(program);
  return program;
}

const isMain = process.argv[1] !== undefined && /cli[\\/]index\.(ts|js)$|doppel(\.js)?$/.test(process.argv[1]);
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .then(() => process.exit(process.exitCode ?? 0))
    .catch((e: unknown) => {
      fail(e);
      process.exit(process.exitCode ?? 2);
    });
}
