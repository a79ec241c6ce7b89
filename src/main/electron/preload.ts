import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { allowedChannels } from './allowed-channels';

/**
 * The only bridge between the renderer and main: invoke an allowlisted API channel, listen to
 * execution events, save an export or a report. Nothing else of Node or Electron reaches the page.
 * (Bundled into one file; it imports only electron and the allowlist, so it runs sandboxed.)
 */
const allowed = new Set<string>(allowedChannels);

contextBridge.exposeInMainWorld('doppel', {
  invoke(channel: string, input: unknown): Promise<unknown> {
    if (!allowed.has(channel)) return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `Unknown API channel "${channel}".` } });
    return ipcRenderer.invoke('doppel:invoke', channel, input);
  },
  on(listener: (event: unknown) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on('doppel:event', wrapped);
    return () => ipcRenderer.removeListener('doppel:event', wrapped);
  },
  download(executionId: string, format: string, allowFormulas?: boolean): Promise<unknown> {
    return ipcRenderer.invoke('doppel:download', String(executionId), String(format), allowFormulas === true);
  },
  downloadReport(executionIds: string[], format: string): Promise<unknown> {
    return ipcRenderer.invoke('doppel:download-report', Array.isArray(executionIds) ? executionIds.map(String) : [], String(format));
  },
});
