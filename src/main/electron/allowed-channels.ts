/**
 * The API channels the preload lets through (no imports: the sandboxed preload bundles this
 * file alone). test/renderer/electron-shell.test.ts checks it equals the channels of src/shared/api.ts.
 */
export const allowedChannels = [
  'app.info',
  'sources.list',
  'sources.add',
  'sources.remove',
  'sources.test',
  'sources.inspect',
  'sources.preview',
  'sources.checkForeignKey',
  'syntheses.list',
  'syntheses.defaultConfig',
  'syntheses.validate',
  'syntheses.save',
  'syntheses.delete',
  'destinations.check',
  'destinations.mapping',
  'executions.list',
  'executions.get',
  'executions.start',
  'executions.generate',
  'executions.cancel',
  'executions.rename',
  'executions.delete',
  'executions.preview',
  'executions.tables',
  'executions.export',
  'executions.report',
  'audit.list',
  'audit.verify',
] as const;
