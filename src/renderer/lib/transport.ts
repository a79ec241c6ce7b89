import type { ApiEvent, Channel, ExportFormat, ReportFileFormat, Result } from '../../shared';

/** How the renderer reaches main: Electron preload (ipc) or the loopback host (HTTP + WebSocket). */
export interface Transport {
  invoke(channel: Channel, input: unknown): Promise<Result<unknown>>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** Saves an export of an execution to the user's machine (CSV/TSV formulas neutralised unless `allowFormulas`). */
  download(executionId: string, format: ExportFormat, opts?: { allowFormulas?: boolean }): Promise<void>;
  /** Saves one execution's report (one id) or a comparison (several) as HTML or PDF. */
  downloadReport(executionIds: string[], format: ReportFileFormat): Promise<void>;
}

/** What the Electron preload exposes on `window.doppel` (see src/main/electron/preload.ts). */
export interface DoppelBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on(listener: (event: unknown) => void): () => void;
  download(executionId: string, format: string, allowFormulas?: boolean): Promise<unknown>;
  downloadReport(executionIds: string[], format: string): Promise<unknown>;
}

declare global {
  interface Window {
    doppel?: DoppelBridge;
  }
}

export type { ApiEvent };

function bridgeTransport(bridge: DoppelBridge): Transport {
  return {
    invoke: async (channel, input) => (await bridge.invoke(channel, input)) as Result<unknown>,
    onEvent: (listener) => bridge.on(listener),
    download: async (executionId, format, opts) => {
      const res = (await bridge.download(executionId, format, opts?.allowFormulas === true)) as Result<unknown>;
      if (!res.ok) throw res.error;
    },
    downloadReport: async (executionIds, format) => {
      const res = (await bridge.downloadReport(executionIds, format)) as Result<unknown>;
      if (!res.ok) throw res.error;
    },
  };
}

const TOKEN_KEY = 'doppel.token';

/** The per-launch token: from the URL the host printed, kept for the tab's session. */
export function hostToken(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function httpTransport(): Transport {
  const token = hostToken();
  const listeners = new Set<(event: unknown) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;

  const connect = (): void => {
    const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${proto}://${window.location.host}/events?token=${encodeURIComponent(token)}`);
    socket.onmessage = (msg) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      for (const l of listeners) l(parsed);
    };
    socket.onopen = () => {
      retry = 500;
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size > 0) {
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 8000);
      }
    };
  };

  return {
    async invoke(channel, input) {
      let res: Response;
      try {
        res = await fetch(`/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-doppel-token': token },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        return {
          ok: false,
          error: { code: 'INTERNAL', message: 'Doppel is not reachable: the host has stopped.', fix: 'Start it again with `npm start` and open the new URL.' },
        };
      }
      if (res.status === 401) {
        return {
          ok: false,
          error: { code: 'BAD_REQUEST', message: 'This page has no valid access token.', fix: 'Open the URL printed by `npm start` (it ends with ?token=…).' },
        };
      }
      return (await res.json()) as Result<unknown>;
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && socket) socket.close();
      };
    },
    async download(executionId, format, opts) {
      clickDownload(`/download/${encodeURIComponent(executionId)}/${format}?token=${encodeURIComponent(token)}${opts?.allowFormulas ? '&formulas=allow' : ''}`);
    },
    async downloadReport(executionIds, format) {
      const ids = executionIds.map((id) => `id=${encodeURIComponent(id)}`).join('&');
      clickDownload(`/report-file/${format}?${ids}&token=${encodeURIComponent(token)}`);
    },
  };
}

/** Starts a browser download of a same-origin address (the browser picks the folder and never replaces a file silently). */
function clickDownload(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

let current: Transport | null = null;

export function transport(): Transport {
  if (!current) current = window.doppel ? bridgeTransport(window.doppel) : httpTransport();
  return current;
}

/** For tests: replace the transport. */
export function setTransport(t: Transport): void {
  current = t;
}
