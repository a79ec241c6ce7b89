import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { CSP_DIRECTIVES } from '../electron/policy';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The renderer's policy (the shell's), plus the host's WebSocket and no framing by other pages. */
export const CSP = [...CSP_DIRECTIVES, "connect-src 'self' ws://127.0.0.1:* ws://localhost:*", "frame-ancestors 'none'"].join('; ');

/** Serves a file of the renderer build (`decodedPath`: the request path, percent-decoded); unknown paths get index.html (single-page app). */
export async function serveStatic(rootDir: string, decodedPath: string, res: ServerResponse): Promise<void> {
  const rel = decodedPath.replace(/^\/+/, '') || 'index.html';
  let file = path.resolve(rootDir, rel);
  if (!file.startsWith(path.resolve(rootDir) + path.sep)) file = path.join(rootDir, 'index.html');
  let stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) {
    file = path.join(rootDir, 'index.html');
    stat = await fs.stat(file).catch(() => null);
  }
  if (!stat?.isFile()) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The renderer is not built. Run `npm start` (it runs `vite build` first).');
    return;
  }
  const ext = path.extname(file);
  res.writeHead(200, {
    'content-type': types[ext] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': ext === '.html' ? 'no-store' : 'max-age=3600',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  createReadStream(file).pipe(res);
}
