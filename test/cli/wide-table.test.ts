import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord, SynthesisConfig, SynthesisRecord } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { dispatch } from '../../src/main/host/dispatch';
import { tempDir } from './helpers';

const dir = tempDir('wide-table');
let services: Services;
type Reply = { ok: boolean; data?: unknown; error?: { code: string; message: string; fix?: string; details?: Array<{ code: string }> } };
const call = (channel: string, input: unknown): Promise<Reply> => dispatch(services.backend, channel, input) as Promise<Reply>;

beforeAll(() => {
  services = createServices({ storeDir: path.join(dir, 'store') });
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a table wider than the output', () => {
  it('is refused when the execution starts, before any training, with the limit and the fix', async () => {
    const columns = 2001;
    const header = ['id', ...Array.from({ length: columns - 1 }, (_, i) => `m${i}`)].join(',');
    const lines = Array.from({ length: 60 }, (_, r) => [r + 1, ...Array.from({ length: columns - 1 }, (_, i) => (r * 7 + i) % 13)].join(','));
    const csv = path.join(dir, 'wide.csv');
    writeFileSync(csv, [header, ...lines].join('\n'));
    const source = (await call('sources.add', { name: 'Wide', spec: { kind: 'files', path: csv } })).data as SourceRecord;
    const config = (await call('syntheses.defaultConfig', { sourceId: source.id })).data as SynthesisConfig;
    const synthesis = (await call('syntheses.save', { name: 'Wide', sourceId: source.id, config })).data as SynthesisRecord;
    const started = await call('executions.start', { synthesisId: synthesis.id });
    expect(started.ok).toBe(false);
    expect(started.error!.code).toBe('VALIDATION_FAILED');
    expect(started.error!.message).toContain('2,001 columns');
    expect(started.error!.message).toContain('at most 2,000');
    expect(started.error!.fix).toContain('Exclude at least 1 column of');
    expect(services.store.executions.list()).toEqual([]);
  }, 120_000);
});
