/**
 * The services behind every API channel (src/shared/api.ts), used by the Electron shell (ipc),
 * the loopback host (HTTP + WebSocket) and the CLI alike.
 */
import type { z } from 'zod';
import type { Api, ApiOutput, Channel, SourceSpec, SynthesisConfig } from '../../shared';
import { activeForeignKeys, AppError, defaultConfig, keyTypesCompatible, validateConfig, withoutSecrets } from '../../shared';
import { checkContainment } from '../../data/introspection/infer-keys';
import { emptyForeignKeys } from '../../data/introspection/data-facts';
import { openStore } from '../../data/store/index';
import type { ProjectStore, SecretBox } from '../../data/store/types';
import { outputTableMetas } from '../../data/destinations/output-tables';
import { isServerSpec } from '../../data/dialects';
import { probeBackend } from '../../data/platform/backend-probe';
import type { ApiBackend } from '../host/dispatch';
import { ExecutionService } from './executions';
import { JobRunner } from './jobs';
import { notEmpty, SourceAccess } from './source-access';
import { columnTypes, toPage } from './wire';
import { validationEnv } from '../../data/sources/canonical-path';
import { forkWorker, type SpawnWorker } from './worker-process';
import { queueSpawner, siteQueueFromEnv, siteQueueFromSettings, siteQueueStatus } from './queue-transport';
import { maxRunningFromEnv } from './jobs';
import { redactRedisUrl } from '../../data/queue/site-queue';
import type { SiteQueue } from '../../shared/site';
import { appVersion } from './version';

export { appVersion };

export interface ServicesOptions {
  storeDir: string;
  /** Electron passes its safeStorage box; headless uses the store's 0600 key file. */
  secretBox?: SecretBox;
  /** Electron passes a utilityProcess launcher; headless forks Node. */
  spawnWorker?: SpawnWorker;
  /**
   * Executions go to the site's queue instead of a local worker (`--queue`, or the DOPPEL_QUEUE
   * setting): site workers run them. `null` keeps them local whatever the setting.
   */
  queue?: SiteQueue | null;
}

export interface Services {
  store: ProjectStore;
  jobs: JobRunner;
  sources: SourceAccess;
  executions: ExecutionService;
  backend: ApiBackend;
  version: string;
  close(): Promise<void>;
}

type Handlers = { [C in Channel]: (input: z.infer<Api[C]['input']>) => Promise<ApiOutput<C>> };

/**
 * Checks a destination against the output of a config: connection, rights, target tables. A
 * destination that fails the check is an answer (`ok: false` with the problem and its fix), not a
 * failed call; only an unexpected fault is thrown.
 */
async function destinationCheck(services: { sources: SourceAccess }, config: SynthesisConfig): Promise<ApiOutput<'destinations.check'>> {
  const destination = config.destination;
  if (destination.kind === 'local') return { ok: true, message: 'The local store: one SQLite file per execution.' };
  const { metadata } = await services.sources.inspect(config.source);
  const plan = { tables: outputTableMetas(config, metadata), relationships: activeForeignKeys(config) };
  const { checkDestination } = await import('../../data/destinations/check');
  try {
    const check = await checkDestination(destination, plan, { password: services.sources.passwordFor(destination.target), source: config.source });
    return { ok: true, message: check.message };
  } catch (e) {
    if (!(e instanceof AppError) || e.code === 'INTERNAL') throw e;
    return { ok: false, message: e.message, code: e.code, ...(e.fix ? { fix: e.fix } : {}) };
  }
}

export function createServices(opts: ServicesOptions): Services {
  const store = openStore(opts.storeDir, opts.secretBox ? { secretBox: opts.secretBox } : {});
  const version = appVersion();
  // A queue given outside the app (--queue, DOPPEL_QUEUE) wins; else the app's queue setting, read at each start.
  const fixedQueue = opts.queue === undefined ? siteQueueFromEnv(opts.storeDir) : (opts.queue ?? undefined);
  const currentQueue = (): SiteQueue | undefined => fixedQueue ?? (opts.queue === null ? undefined : siteQueueFromSettings(store));
  const local = opts.spawnWorker ?? forkWorker;
  const localLimit = maxRunningFromEnv();
  // On a site queue the workers' capacity sets the pace: every execution is submitted at once.
  const jobs = new JobRunner(
    store,
    () => {
      const queue = currentQueue();
      return queue ? queueSpawner(queue)() : local();
    },
    version,
    () => (currentQueue() ? Number.MAX_SAFE_INTEGER : localLimit),
  );
  const settings = (): ApiOutput<'settings.get'> => ({ queue: store.settings.siteQueue(), override: fixedQueue ? redactRedisUrl(fixedQueue.url) : null });
  const sources = new SourceAccess(store);
  const executions = new ExecutionService(store, jobs, sources);
  const services = { sources };

  const handlers: Handlers = {
    'app.info': async () => ({ version, backend: probeBackend(), platform: `${process.platform}-${process.arch}`, storeDir: store.dir }),

    'settings.get': async () => settings(),
    'settings.setQueue': async ({ queue }) => {
      store.settings.setSiteQueue(queue);
      return settings();
    },
    'settings.queueStatus': async () => {
      const queue = currentQueue();
      if (!queue) return { inUse: false, reachable: false, workers: 0, message: 'No site queue is set: executions run on this machine.' };
      return { inUse: true, ...(await siteQueueStatus(queue)) };
    },

    'sources.list': async () => store.sources.list(),
    'sources.add': async ({ name, spec, destination }) => {
      // Refuse a source that cannot be opened, so the list only holds working ones; a database kept
      // as a destination may be empty.
      const inspection = await sources.inspect(spec, { fresh: true });
      if (!destination || spec.kind === 'files') notEmpty(inspection.metadata, spec);
      const password = isServerSpec(spec) ? spec.password : undefined;
      return store.sources.add({ ...(name ? { name } : {}), spec: withoutSecrets(spec), ...(password ? { password } : {}) });
    },
    'sources.remove': async ({ id }) => {
      store.sources.remove(id);
      return { ok: true as const };
    },
    'sources.test': async ({ spec, destination }) => {
      const { metadata } = await sources.inspect(spec, { fresh: true });
      if (!destination || spec.kind === 'files') notEmpty(metadata, spec);
      return { tables: metadata.tables.length };
    },
    'sources.inspect': async ({ id }) => sources.inspect(specOf(store, id)),
    'sources.preview': async ({ id, table, offset, limit }) => {
      const spec = specOf(store, id);
      const [page, { metadata }] = await Promise.all([sources.with(spec, (c) => c.preview(table, offset ?? 0, limit ?? 50)), sources.inspect(spec)]);
      return toPage(page, offset ?? 0, columnTypes(metadata.tables.find((t) => t.name === table)?.columns));
    },

    'sources.checkForeignKey': async ({ id, fk }) => {
      const spec = specOf(store, id);
      const { metadata } = await sources.inspect(spec);
      const col = (table: string, column: string | undefined) => metadata.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
      const child = col(fk.childTable, fk.childColumns[0]);
      const parent = col(fk.parentTable, fk.parentColumns[0]);
      if (!child || !parent) {
        throw new AppError(
          'BAD_REQUEST',
          `Foreign key ${fk.childTable}.${fk.childColumns[0] ?? '?'} → ${fk.parentTable}.${fk.parentColumns[0] ?? '?'} names a column that is not in the source.`,
          { fix: 'Draw it again between columns of the source.' },
        );
      }
      const typesCompatible = keyTypesCompatible(child.storageType, parent.storageType, spec.kind === 'files');
      const contained = typesCompatible ? await sources.with(spec, (c) => checkContainment(c, fk)) : { sampled: 0, orphans: 0, examples: [] };
      return { typesCompatible, childType: child.nativeType ?? child.storageType, parentType: parent.nativeType ?? parent.storageType, ...contained };
    },

    'syntheses.list': async () => store.syntheses.list(),
    'syntheses.defaultConfig': async ({ sourceId }) => {
      const record = store.sources.get(sourceId);
      const spec = specOf(store, sourceId);
      const { metadata, sensitive } = await sources.inspect(spec);
      const emptyKeys = await sources.with(spec, (c) => emptyForeignKeys(c, metadata));
      return defaultConfig(metadata, record.spec, { name: `${record.name} synthesis`, sensitive, emptyKeys });
    },
    'syntheses.validate': async ({ config }) => {
      const { metadata } = await sources.inspect(config.source);
      return validateConfig(config, metadata, undefined, validationEnv);
    },
    'syntheses.save': async (input) => store.syntheses.save({ ...input, config: withoutConfigSecrets(input.config) }),
    'syntheses.delete': async ({ id }) => {
      for (const e of store.executions.list({ synthesisId: id })) if (jobs.isRunning(e.id)) jobs.cancel(e.id);
      await Promise.all(store.executions.list({ synthesisId: id }).map((e) => jobs.wait(e.id)));
      store.syntheses.delete(id);
      return { ok: true as const };
    },

    'destinations.check': async ({ destination, config }) => destinationCheck(services, { ...config, destination }),
    'destinations.mapping': async ({ config }) => {
      if (config.destination.kind === 'local') return null;
      const { metadata } = await sources.inspect(config.source);
      const { destinationMapping } = await import('../../data/destinations/mapping');
      return destinationMapping(config.destination, { tables: outputTableMetas(config, metadata), relationships: activeForeignKeys(config) });
    },

    'executions.list': async ({ synthesisId }) => store.executions.list(synthesisId ? { synthesisId } : {}),
    'executions.get': async ({ id }) => store.executions.get(id),
    'executions.start': async ({ synthesisId, destinationPassword }) =>
      executions.start(synthesisId, destinationPassword !== undefined ? { destinationPassword } : {}),
    'executions.generate': async ({ id, rows, seed }) => executions.generate(id, { rows, seed }),
    'executions.cancel': async ({ id }) => {
      jobs.cancel(id);
      return { ok: true as const };
    },
    'executions.rename': async ({ id, name }) => store.executions.rename(id, name),
    'executions.delete': async ({ id }) => {
      executions.delete(id);
      return { ok: true as const };
    },
    'executions.preview': async ({ id, table, offset, limit }) => executions.preview(id, table, offset ?? 0, limit ?? 50),
    'executions.tables': async ({ id }) => executions.tables(id),
    'executions.export': async ({ id, format, allowFormulas }) => executions.export(id, format, { allowFormulas }),
    'executions.report': async ({ id }) => executions.report(id),
    'executions.compare': async ({ ids }) => executions.compare(ids),
    'executions.exportReport': async ({ ids, format }) => executions.exportReport(ids, format),

    'audit.list': async ({ executionId }) => store.audit.list(executionId ? { executionId } : {}),
    'audit.verify': async () => store.audit.verify(),
  };

  return {
    store,
    jobs,
    sources,
    executions,
    version,
    backend: { handlers: handlers as ApiBackend['handlers'], subscribe: (l) => jobs.subscribe(l) },
    close: async () => {
      await jobs.stopAll();
      store.close();
    },
  };
}

/** A config safe to save: no password in its source or destination. */
export function withoutConfigSecrets(config: SynthesisConfig): SynthesisConfig {
  const d = config.destination;
  return { ...config, source: withoutSecrets(config.source), destination: d.kind === 'database' ? { ...d, target: withoutSecrets(d.target) } : d };
}

function specOf(store: ProjectStore, id: string): SourceSpec {
  const record = store.sources.get(id);
  const spec = record.spec;
  if (isServerSpec(spec) && record.hasPassword) return { ...spec, connectionId: record.id };
  return spec;
}
