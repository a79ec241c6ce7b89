/**
 * Child process for the recovery test: opens the store given as argv[2], starts an execution
 * as main would (ready + "Training" started), prints its id and dies without closing anything.
 */
import { openStore } from '../../src/data/store/index';
import { sampleConfig } from './helpers';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child <store dir>');
const store = openStore(dir);
const synthesis = store.syntheses.save({ name: 'Crashing', sourceId: null, config: sampleConfig() });
const queued = store.executions.create({ synthesisId: synthesis.id, config: synthesis.config });
const running = store.executions.create({ synthesisId: synthesis.id, config: synthesis.config });
store.executions.applyEvent(running.id, { type: 'ready', backend: 'wasm' });
store.executions.applyEvent(running.id, { type: 'step', step: 'load', status: 'started' });
store.executions.applyEvent(running.id, { type: 'step', step: 'load', status: 'done', seconds: 0.5 });
store.executions.applyEvent(running.id, { type: 'step', step: 'train', status: 'started' });
process.stdout.write(`${JSON.stringify({ queued: queued.id, running: running.id })}\n`);
process.kill(process.pid, 'SIGKILL');
