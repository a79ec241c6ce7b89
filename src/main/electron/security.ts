import { app, session, shell, type BrowserWindow, type Session } from 'electron';
import { CSP, isAllowedNavigation, isAllowedUrl } from './policy';

/** Session-wide defaults: no outbound network, CSP on every response, no permission ever granted. */
export function hardenSession(ses: Session = session.defaultSession): void {
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedUrl(details.url) });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

/** Per-window: navigation and window.open denied; http(s) links open in the system browser only if the user clicked one. */
export function hardenWindow(win: BrowserWindow, appUrl: string): void {
  const wc = win.webContents;
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault();
  });
  wc.on('will-redirect', (event) => event.preventDefault());
  wc.on('will-attach-webview', (event) => event.preventDefault());
}

/** App-wide: no webviews anywhere, and navigation of any new web contents is denied too. */
export function hardenApp(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
