/**
 * The Electron main process: the services over the app's data folder, the API over ipc, one
 * hardened window, jobs in utilityProcess, no outbound network. Quitting cancels running jobs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { createServices, type Services } from '../services/index';
import { bindIpc } from './ipc';
import { safeStorageSecretBox } from './secret-box';
import { hardenApp, hardenSession } from './security';
import { utilityWorkerLauncher } from './utility-worker';
import { createMainWindow } from './window';

// Built layout (electron.vite.config.ts): out/main/electron/main.js, out/main/worker/entry.js,
// out/preload/preload.cjs, out/renderer/index.html.
const here = path.dirname(fileURLToPath(import.meta.url));
const files = {
  worker: path.resolve(here, '../worker/entry.js'),
  preload: path.resolve(here, '../../preload/preload.cjs'),
  renderer: path.resolve(here, '../../renderer'),
};

let services: Services | null = null;
let unbind: (() => void) | null = null;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  hardenApp();
  app.on('second-instance', () => {
    // The project store is single-writer: focus the running window instead of opening another.
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.whenReady().then(
    () => {
      hardenSession();
      services = createServices({
        storeDir: path.join(app.getPath('userData'), 'store'),
        secretBox: safeStorageSecretBox(),
        spawnWorker: utilityWorkerLauncher(files.worker),
      });
      unbind = bindIpc(services.backend);
      createMainWindow({ rendererDir: files.renderer, preload: files.preload });
    },
    (e: unknown) => {
      dialog.showErrorBox('Doppel could not start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    },
  );

  app.on('window-all-closed', () => app.quit());

  // Cancel running executions (the worker stops cooperatively, or is killed) before exiting.
  app.on('will-quit', (event) => {
    if (quitting || !services) return;
    event.preventDefault();
    quitting = true;
    unbind?.();
    const closing = services.close();
    services = null;
    void closing.catch(() => undefined).then(() => app.quit());
  });
}
