import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStartArgs } from '../../src/main/host/start';

// `npm start` as a user runs it: the real launcher process over a fresh store.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'doppel-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start (the loopback host launcher)', () => {
  it('prints a token URL on 127.0.0.1, answers the API over the given store, and stops cleanly on SIGTERM', async () => {
    const store = path.join(dir, 'store');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/host/start.ts', '--store', store], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(out), { timeout: 60_000, interval: 100 }).toBe(true);
      const url = new URL(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)![0]);
      expect(out).toContain(`project store: ${store}`);
      const res = await fetch(`${url.origin}/api/app.info`, {
        method: 'POST',
        headers: { 'x-doppel-token': url.searchParams.get('token')!, 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as { ok: boolean; data: { storeDir: string } };
      expect(body).toMatchObject({ ok: true, data: { storeDir: store } });
      expect((await fetch(`${url.origin}/api/app.info`, { method: 'POST', body: '{}' })).status).toBe(401);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('stopping');
      await expect(fetch(`${url.origin}/api/app.info`, { method: 'POST', body: '{}' })).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reads --store, DOPPEL_STORE and --port, and explains a bad port', () => {
    expect(parseStartArgs(['--store', 'x'], {}).storeDir).toBe(path.resolve('x'));
    expect(parseStartArgs([], { DOPPEL_STORE: '/data/doppel' }).storeDir).toBe('/data/doppel');
    expect(parseStartArgs(['--port', '8123'], {}).port).toBe(8123);
    expect(() => parseStartArgs(['--port', 'eighty'], {})).toThrow(/--port "eighty" is not a port number/);
  });
});
