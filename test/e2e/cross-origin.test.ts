import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../src/main/host/server';
import { createServices, type Services } from '../../src/main/services/index';
import type { ExecutionRecord } from '../../src/shared/job';
import { finishedExecution } from '../helpers/finished-execution';
import { chromiumPath } from './harness';

// An attacker's page on another port of 127.0.0.1 (same site, other origin) in a Chromium that
// has opened Doppel (so it holds the token cookie) tries to change and read the user's data.
const dir = mkdtempSync(path.join(tmpdir(), 'doppel-cross-origin-'));
let services: Services;
let host: Host;
let evil: Server;
let evilUrl: string;
let browser: Browser;
let page: Page;
let execution: ExecutionRecord;

beforeAll(async () => {
  services = createServices({ storeDir: path.join(dir, 'store') });
  execution = await finishedExecution(
    services.store,
    { name: 'people', primaryKey: ['id'], rowCount: 0, columns: [{ name: 'id', storageType: 'integer', sdtype: 'id', nullable: false }] },
    [[1], [2]],
  );
  const staticDir = path.join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Doppel</title><p>Doppel</p>');
  host = await startHost({ backend: services.backend, staticDir });
  evil = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Prize</title><p>You won</p>');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await (await browser.newContext()).newPage();
  // The user opened Doppel: the token cookie is set in this browser.
  await page.goto(host.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  await host?.close();
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

const nameNow = (): string => services.store.executions.get(execution.id).name;

describe('cross-origin calls to the local API', () => {
  it('Doppel’s own page calls the API with the token header', async () => {
    const reply = await page.evaluate(
      async ([id, token]) => {
        const res = await fetch('/api/executions.rename', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-doppel-token': token! },
          body: JSON.stringify({ id, name: 'renamed by Doppel' }),
        });
        return (await res.json()) as { ok: boolean };
      },
      [execution.id, host.token],
    );
    expect(reply.ok).toBe(true);
    expect(nameNow()).toBe('renamed by Doppel');
  });

  it('a page of another origin cannot rename, read or listen, with the cookie or without', async () => {
    await page.goto(evilUrl);
    const api = `http://127.0.0.1:${host.port}`;
    const outcome = await page.evaluate(
      async ({ base, id }) => {
        const tries: Record<string, string> = {};
        const attempt = async (name: string, fn: () => Promise<Response>): Promise<void> => {
          try {
            const res = await fn();
            tries[name] = res.type === 'opaque' ? 'opaque' : `${res.status}:${await res.text()}`;
          } catch (e) {
            tries[name] = `failed: ${(e as Error).message}`;
          }
        };
        const body = JSON.stringify({ id, name: 'pwned' });
        await attempt('no-cors text', () => fetch(`${base}/api/executions.rename`, { method: 'POST', mode: 'no-cors', credentials: 'include', body }));
        await attempt('no-cors form', () =>
          fetch(`${base}/api/executions.rename`, {
            method: 'POST',
            mode: 'no-cors',
            credentials: 'include',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          }),
        );
        await attempt('cors json', () =>
          fetch(`${base}/api/executions.rename`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body }),
        );
        await attempt('cors read', () => fetch(`${base}/api/executions.list`, { method: 'POST', credentials: 'include', body: '{}' }));
        tries.socket = await new Promise<string>((resolve) => {
          const ws = new WebSocket(`${base.replace('http', 'ws')}/events`);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        });
        return tries;
      },
      { base: api, id: execution.id },
    );
    expect(outcome['cors json']).toMatch(/^failed/);
    expect(outcome['cors read']).toMatch(/^failed/);
    expect(outcome.socket).toBe('refused');
    // The opaque no-cors requests reached the server: it must have refused them.
    expect(nameNow()).toBe('renamed by Doppel');
  });
});
