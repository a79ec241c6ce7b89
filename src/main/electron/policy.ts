/** Pure security policy of the Electron shell (no electron import, so it is unit-tested). */

/** The renderer's Content-Security-Policy directives, in the shell and in the loopback host's pages alike. */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
];

/** The renderer's Content-Security-Policy in the shell. */
export const CSP = CSP_DIRECTIVES.join('; ');

/** Only the app's own files and devtools may load; every other request (network) is cancelled. */
export function isAllowedUrl(url: string): boolean {
  return /^(file|devtools|data|blob|chrome-extension):/.test(url) || url === 'about:blank' || url === 'about:srcdoc';
}

/** Navigation stays on the app's page (hash changes included); everything else is denied. */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  return url.split('#')[0] === appUrl.split('#')[0];
}
