import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { AppError, type ApiEvent } from '../../src/shared';
import { startHost, type Host } from '../../src/main/host/server';
import type { ApiBackend } from '../../src/main/host/dispatch';

// The host is the unit here: a small backend of plain functions exercises its wire behaviour
// (the full app with the real services runs in app.test.ts).
const listeners = new Set<(e: ApiEvent) => void>();
const exportDir = mkdtempSync(path.join(tmpdir(), 'doppel-host-'));
const exportFile = path.join(exportDir, 'synthetic.csv.zip');
writeFileSync(exportFile, 'PK-zip-bytes');
const backend: ApiBackend = {
  handlers: {
    'app.info': async () => ({ version: '0.1.0', backend: 'wasm', platform: process.platform, storeDir: exportDir }),
    'executions.get': async (input: { id: string }) => {
      throw new AppError('EXECUTION_NOT_FOUND', `Execution "${input.id}" does not exist.`, { fix: 'Pick one from the list.' });
    },
    'executions.export': async (input: { id: string; format: string }) => ({ path: exportFile, fileName: `${input.id}-${input.format}.zip` }),
    'executions.exportReport': async (input: { ids: string[]; format: string }) => ({
      path: exportFile,
      fileName: `${input.ids.join('+')}-${input.ids.length === 1 ? 'report' : 'comparison'}.${input.format}`,
    }),
  },
  subscribe(l) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

let host: Host;
let staticDir: string;

function http(
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

beforeAll(async () => {
  staticDir = path.join(exportDir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Doppel</title>');
  host = await startHost({ backend, staticDir });
});
afterAll(async () => {
  await host.close();
  rmSync(exportDir, { recursive: true, force: true });
});

describe('loopback host', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses every request without the token, and pages with it set a strict cookie', async () => {
    const base = `http://127.0.0.1:${host.port}`;
    expect((await http('GET', `${base}/`)).status).toBe(401);
    expect((await http('POST', `${base}/api/app.info`, { body: '{}' })).status).toBe(401);
    expect((await http('GET', `${base}/download/x/csv`)).status).toBe(401);
    const page = await http('GET', host.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Doppel</title>');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('rejects requests addressed to another host name (DNS rebinding)', async () => {
    const res = await http('POST', `http://127.0.0.1:${host.port}/api/app.info`, {
      headers: { host: `evil.example:${host.port}`, 'x-doppel-token': host.token },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });

  it('answers API calls as Result JSON: data on success, code + message + fix on failure, never a stack', async () => {
    const call = (channel: string, body: unknown) =>
      http('POST', `http://127.0.0.1:${host.port}/api/${channel}`, {
        headers: { 'x-doppel-token': host.token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = JSON.parse((await call('app.info', {})).body) as { ok: boolean; data: { backend: string } };
    expect(ok).toMatchObject({ ok: true, data: { backend: 'wasm' } });
    const failed = JSON.parse((await call('executions.get', { id: 'nope' })).body) as { ok: boolean; error: Record<string, unknown> };
    expect(failed).toEqual({ ok: false, error: { code: 'EXECUTION_NOT_FOUND', message: 'Execution "nope" does not exist.', fix: 'Pick one from the list.' } });
    const bad = JSON.parse((await call('executions.get', { id: 42 })).body) as { ok: boolean; error: { code: string; message: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('BAD_REQUEST');
    expect(bad.error.message).toContain('id');
    const unknown = JSON.parse((await call('nope.nothing', {})).body) as { error: { code: string } };
    expect(unknown.error.code).toBe('NOT_FOUND');
  });

  it('API calls need the token header, the own origin and a JSON body; a cookie alone is not enough', async () => {
    const url = `http://127.0.0.1:${host.port}/api/app.info`;
    const json = { 'content-type': 'application/json' };
    const status = async (headers: Record<string, string>): Promise<number> => (await http('POST', url, { headers, body: '{}' })).status;
    expect(await status({ ...json, cookie: `doppel_token=${host.token}` })).toBe(401);
    expect(await status({ 'x-doppel-token': host.token })).toBe(415);
    expect(await status({ 'x-doppel-token': host.token, 'content-type': 'text/plain' })).toBe(415);
    expect(await status({ ...json, 'x-doppel-token': host.token, origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await status({ ...json, 'x-doppel-token': host.token, origin: 'null' })).toBe(403);
    expect(await status({ ...json, 'x-doppel-token': host.token, 'sec-fetch-site': 'same-site' })).toBe(403);
    expect(await status({ ...json, 'x-doppel-token': host.token, 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(
      await status({
        'content-type': 'application/json; charset=utf-8',
        'x-doppel-token': host.token,
        origin: `http://127.0.0.1:${host.port}`,
        'sec-fetch-site': 'same-origin',
      }),
    ).toBe(200);
  });

  it('answers a malformed address with 400, not an internal error', async () => {
    for (const p of ['/%E0%A4%A', '/download/%E0%A4%A/csv', '/%']) {
      const res = await http('GET', `http://127.0.0.1:${host.port}${p}?token=${host.token}`);
      expect(res.status).toBe(400);
      expect(res.body).toContain('not validly encoded');
    }
  });

  it('streams an export as an attachment', async () => {
    const res = await http('GET', `http://127.0.0.1:${host.port}/download/e1/csv?token=${host.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('PK-zip-bytes');
    expect(res.headers['content-disposition']).toContain('attachment; filename="e1-csv.zip"');
    expect((await http('GET', `http://127.0.0.1:${host.port}/download/e1/exe?token=${host.token}`)).status).toBe(400);
  });

  it('serves a report or a comparison as an attachment, with the token, from the page’s own site only', async () => {
    const base = `http://127.0.0.1:${host.port}`;
    expect((await http('GET', `${base}/report-file/pdf?id=e1`)).status).toBe(401);
    const one = await http('GET', `${base}/report-file/pdf?id=e1&token=${host.token}`);
    expect(one.status).toBe(200);
    expect(one.headers['content-type']).toBe('application/pdf');
    expect(one.headers['content-disposition']).toContain('attachment; filename="e1-report.pdf"');
    expect(one.headers['content-security-policy']).toBe('sandbox');
    const two = await http('GET', `${base}/report-file/html?id=e1&id=e2&token=${host.token}`);
    expect(two.headers['content-disposition']).toContain('attachment; filename="e1+e2-comparison.html"');
    expect((await http('GET', `${base}/report-file/docx?id=e1&token=${host.token}`)).status).toBe(400);
    // No id: the API's own input check refuses it.
    expect((await http('GET', `${base}/report-file/html?token=${host.token}`)).status).toBe(422);
    const crossSite = await http('GET', `${base}/report-file/html?id=e1&token=${host.token}`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
  });

  it('pushes execution events over the WebSocket only to clients with the token', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${host.port}/events`);
    const refusedResult = await new Promise<string>((resolve) => {
      refused.on('open', () => resolve('open'));
      refused.on('error', () => resolve('error'));
    });
    expect(refusedResult).toBe('error');
    const opens = (url: string, headers: Record<string, string>): Promise<string> =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url, { headers });
        socket.on('open', () => (socket.close(), resolve('open')));
        socket.on('error', () => resolve('error'));
      });
    expect(await opens(`ws://127.0.0.1:${host.port}/events`, { cookie: `doppel_token=${host.token}` })).toBe('error');
    expect(await opens(`ws://127.0.0.1:${host.port}/events?token=${host.token}`, { origin: 'http://127.0.0.1:1' })).toBe('error');
    expect(await opens(`ws://127.0.0.1:${host.port}/events?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })).toBe('open');

    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${host.token}`);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    const received = new Promise<unknown>((resolve) => ws.on('message', (m: Buffer) => resolve(JSON.parse(m.toString('utf8')))));
    const event: ApiEvent = { channel: 'executions.event', executionId: 'e1', event: { type: 'step', step: 'train', status: 'started' } };
    for (const l of listeners) l(event);
    expect(await received).toEqual(event);
    ws.close();
  });
});
