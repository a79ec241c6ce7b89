import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { exportFormats, reportFileFormats, type ExportFormat, type ReportFileFormat, type Result } from '../../shared';
import { dispatch, type ApiBackend } from './dispatch';
import { serveStatic } from './static-files';

export interface HostOptions {
  backend: ApiBackend;
  /** The renderer build (out/renderer). */
  staticDir: string;
  /** 0 or unset = a random free port. */
  port?: number;
  /** Unset = a random token for this launch. */
  token?: string;
}

export interface Host {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'doppel_token';
const MAX_BODY = 32 * 1024 * 1024;

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/** A percent-encoded path decoded, or null when it is not valid (e.g. `/%E0%A4%A`). */
function decodedPath(p: string): string | null {
  try {
    return decodeURIComponent(p);
  } catch {
    return null;
  }
}

function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error('Request body too large.');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

/**
 * The loopback host: the renderer build and the API over HTTP + WebSocket, bound to 127.0.0.1
 * only, every request (and the WebSocket upgrade) authenticated by a per-launch token.
 */
export async function startHost(opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = 0;

  const allowedHost = (req: IncomingMessage): boolean => {
    const h = req.headers.host ?? '';
    return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
  };
  const headerToken = (req: IncomingMessage): boolean => sameToken(req.headers['x-doppel-token'] as string | undefined, token);
  const queryToken = (url: URL): boolean => sameToken(url.searchParams.get('token'), token);
  /** Pages (the renderer build) may use the cookie set when the printed URL was opened. */
  const authorized = (req: IncomingMessage, url: URL): boolean => headerToken(req) || queryToken(url) || sameToken(cookieToken(req), token);
  /**
   * A request made by a page of another origin: its Origin names another site, or the browser
   * says it is cross-site or same-site (another port of 127.0.0.1 is same-site, not same-origin).
   */
  const crossOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return true;
    const site = req.headers['sec-fetch-site'];
    return site !== undefined && site !== 'same-origin' && site !== 'none';
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!allowedHost(req)) return json(res, 403, { ok: false, error: { code: 'BAD_REQUEST', message: 'Requests must be addressed to 127.0.0.1.' } });
    const pathname = decodedPath(url.pathname);
    if (pathname === null)
      return json(res, 400, {
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: 'The address is not validly encoded.',
          fix: 'Check the address; percent signs must be followed by two hexadecimal digits of UTF-8.',
        },
      });
    if (!authorized(req, url)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Doppel: this address needs the access token. Open the URL printed by `npm start`.');
      return;
    }
    if (url.searchParams.get('token')) {
      res.setHeader('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname.startsWith('/api/')) {
      // Only Doppel's own page calls the API: it sends the token in a header (a cookie alone is
      // not enough), from its own origin, as JSON (which other sites cannot send without asking).
      if (req.method !== 'POST') return json(res, 405, { ok: false, error: { code: 'BAD_REQUEST', message: 'Use POST for API calls.' } });
      if (!headerToken(req))
        return json(res, 401, { ok: false, error: { code: 'BAD_REQUEST', message: 'API calls need the access token in the X-Doppel-Token header.' } });
      if (crossOrigin(req)) return json(res, 403, { ok: false, error: { code: 'BAD_REQUEST', message: 'API calls from another site are refused.' } });
      if (!isJson(req)) return json(res, 415, { ok: false, error: { code: 'BAD_REQUEST', message: 'API calls must send Content-Type: application/json.' } });
      let input: unknown;
      try {
        input = await readJson(req);
      } catch (e) {
        return json(res, 400, { ok: false, error: { code: 'BAD_REQUEST', message: `Invalid JSON body: ${e instanceof Error ? e.message : String(e)}` } });
      }
      const result = await dispatch(opts.backend, url.pathname.slice('/api/'.length), input);
      return json(res, 200, result);
    }
    const dl = /^\/download\/([^/]+)\/([a-z]+)$/.exec(url.pathname);
    if (dl && req.method === 'GET') {
      if (!headerToken(req) && !queryToken(url))
        return json(res, 401, { ok: false, error: { code: 'BAD_REQUEST', message: 'Downloads need the access token in the address.' } });
      if (crossOrigin(req)) return json(res, 403, { ok: false, error: { code: 'BAD_REQUEST', message: 'Downloads started by another site are refused.' } });
      return download(decodedPath(dl[1]!) ?? '', dl[2]!, url.searchParams.get('formulas') === 'allow', res);
    }
    // A report (one id) or a comparison (several ids) as an HTML or PDF file: /report-file/pdf?id=…&id=…&token=…
    const rf = /^\/report-file\/([a-z]+)$/.exec(url.pathname);
    if (rf && req.method === 'GET') {
      if (!headerToken(req) && !queryToken(url))
        return json(res, 401, { ok: false, error: { code: 'BAD_REQUEST', message: 'Downloads need the access token in the address.' } });
      if (crossOrigin(req)) return json(res, 403, { ok: false, error: { code: 'BAD_REQUEST', message: 'Downloads started by another site are refused.' } });
      if (!(reportFileFormats as readonly string[]).includes(rf[1]!)) {
        return json(res, 400, {
          ok: false,
          error: { code: 'BAD_REQUEST', message: `Unknown report format "${rf[1]}".`, fix: `Use one of ${reportFileFormats.join(', ')}.` },
        });
      }
      const result = (await dispatch(opts.backend, 'executions.exportReport', {
        ids: url.searchParams.getAll('id'),
        format: rf[1] as ReportFileFormat,
      })) as Result<{ path: string; fileName: string }>;
      return sendFile(result, rf[1] === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8', res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { ok: false, error: { code: 'BAD_REQUEST', message: 'Method not allowed.' } });
    return serveStatic(opts.staticDir, pathname, res);
  }

  async function download(id: string, format: string, allowFormulas: boolean, res: ServerResponse): Promise<void> {
    if (!(exportFormats as readonly string[]).includes(format)) {
      return json(res, 400, {
        ok: false,
        error: { code: 'BAD_REQUEST', message: `Unknown export format "${format}".`, fix: `Use one of ${exportFormats.join(', ')}.` },
      });
    }
    const result = (await dispatch(opts.backend, 'executions.export', { id, format: format as ExportFormat, allowFormulas })) as Result<{
      path: string;
      fileName: string;
    }>;
    return sendFile(result, 'application/octet-stream', res);
  }

  /** Sends a file an export wrote, as an attachment under its file name (the browser never replaces a file: it asks or renames). */
  async function sendFile(result: Result<{ path: string; fileName: string }>, contentType: string, res: ServerResponse): Promise<void> {
    if (!result.ok) return json(res, 422, result);
    const stat = await fs.stat(result.data.path).catch(() => null);
    if (!stat?.isFile()) return json(res, 404, { ok: false, error: { code: 'EXPORT_FAILED', message: 'The export file was not written.' } });
    const fileName = result.data.fileName.replace(/["\\\r\n]/g, '_');
    res.writeHead(200, {
      'content-type': contentType,
      'x-content-type-options': 'nosniff',
      // Opened rather than saved, the file still runs nothing and reaches nothing.
      'content-security-policy': 'sandbox',
      'content-length': stat.size,
      'content-disposition': `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(result.data.fileName)}`,
      'cache-control': 'no-store',
    });
    createReadStream(result.data.path).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    // The page opens the socket with the token in its address (browsers cannot set headers on a WebSocket); never the cookie alone.
    if (url.pathname !== '/events' || !allowedHost(req) || crossOrigin(req) || !(headerToken(req) || queryToken(url))) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  const unsubscribe = opts.backend.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
