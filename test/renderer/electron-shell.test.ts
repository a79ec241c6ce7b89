import { describe, expect, it } from 'vitest';
import { channels } from '../../src/shared';
import { allowedChannels } from '../../src/main/electron/allowed-channels';
import { CSP, isAllowedNavigation, isAllowedUrl } from '../../src/main/electron/policy';
import { CSP as HOST_CSP } from '../../src/main/host/static-files';

describe('Electron shell policy', () => {
  it('the preload lets through exactly the API channels of src/shared/api.ts', () => {
    expect([...allowedChannels].sort()).toEqual([...channels].sort());
  });

  it('blocks every outbound request but the app files and devtools', () => {
    expect(isAllowedUrl('file:///opt/Doppel/resources/app.asar/out/renderer/index.html')).toBe(true);
    expect(isAllowedUrl('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(isAllowedUrl('about:srcdoc')).toBe(true);
    for (const url of ['https://example.com/', 'http://127.0.0.1:5432/', 'ws://10.0.0.1/', 'ftp://x/']) expect(isAllowedUrl(url)).toBe(false);
  });

  it('keeps navigation on the app page and a strict CSP', () => {
    const app = 'file:///opt/doppel/out/renderer/index.html';
    expect(isAllowedNavigation(`${app}#/sources`, app)).toBe(true);
    expect(isAllowedNavigation('https://evil.example/', app)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', app)).toBe(false);
    expect(CSP).toContain("default-src 'self'");
    expect(CSP).not.toContain('unsafe-eval');
  });

  it('the loopback host sends the shell policy, plus its WebSocket and no framing', () => {
    const directives = (csp: string): string[] => csp.split('; ');
    const host = directives(HOST_CSP);
    for (const d of directives(CSP)) expect(host).toContain(d);
    expect(host).toContain("connect-src 'self' ws://127.0.0.1:* ws://localhost:*");
    expect(host).toContain("frame-ancestors 'none'");
    expect(host).not.toContain('unsafe-eval');
    expect(new Set(host.map((d) => d.split(' ')[0])).size).toBe(host.length);
  });
});
