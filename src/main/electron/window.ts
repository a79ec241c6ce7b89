import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import { hardenWindow } from './security';

/** The main window: isolated, sandboxed, no Node in the page, only the preload's bridge. */
export function createMainWindow(opts: { rendererDir: string; preload: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 1100,
    minHeight: 700,
    show: false,
    title: 'Doppel',
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const index = path.join(opts.rendererDir, 'index.html');
  hardenWindow(win, pathToFileURL(index).href);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(index);
  return win;
}
