import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MantineProvider } from '@mantine/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/data/store/index';
import { ExecutionNotice } from '../../src/renderer/features/executions/components/execution-notice';
import { useExecutions } from '../../src/renderer/features/executions/store';
import { deviceNotice } from '../../src/shared/device-notice';
import { initBackend } from '../../src/worker/engine/backend';
import { sampleConfig, storeDirs } from '../store/helpers';

const dirs = storeDirs('device-notice');
afterAll(() => dirs.cleanup());

/** The notice the execution page shows for the record the app holds. */
function page(id: string): string {
  const record = useExecutions.getState().byId[id]!;
  return renderToStaticMarkup(createElement(MantineProvider, null, createElement(ExecutionNotice, { record })));
}

describe('a GPU request that falls back', () => {
  it('is told on the execution page, from the stored record and from the live events', async () => {
    // No CUDA build of TensorFlow here: asking for the GPU starts another backend.
    const backend = await initBackend('gpu');
    expect(backend).not.toBe('tensorflow-gpu');
    const notice = deviceNotice('gpu', backend);
    expect(notice).toContain(`ran on the ${backend} backend instead`);

    const store = openStore(dirs.make());
    const source = store.sources.add({ spec: { kind: 'files', path: '/data/customers.csv' } });
    const config = sampleConfig();
    config.settings.device = 'gpu';
    const synthesis = store.syntheses.save({ name: 'Customers', sourceId: source.id, config });
    const created = store.executions.create({ synthesisId: synthesis.id, config });
    const ready = { type: 'ready' as const, backend, notice: notice! };

    // What the page shows after a reload (the project store's record).
    const stored = store.executions.applyEvent(created.id, ready);
    expect(store.executions.get(created.id).notice).toBe(notice);
    useExecutions.setState({ byId: { [created.id]: stored }, losses: {}, logs: {} });
    const afterReload = page(created.id);
    expect(afterReload).toContain('Not run on the device asked for');
    expect(afterReload).toContain('The GPU was requested but is not available here');
    store.close();

    // What it shows live, from the pushed event.
    useExecutions.setState({ byId: { [created.id]: created }, losses: {}, logs: {} });
    expect(page(created.id)).not.toContain('Not run on the device asked for');
    useExecutions.getState().receive({ channel: 'executions.event', executionId: created.id, event: ready });
    expect(page(created.id)).toContain('The GPU was requested but is not available here');
  });

  it('says nothing when the device was not forced', () => {
    expect(deviceNotice('auto', 'wasm')).toBeNull();
    expect(deviceNotice('gpu', 'tensorflow-gpu')).toBeNull();
    expect(deviceNotice('cpu', 'cpu')).toBeNull();
  });
});
