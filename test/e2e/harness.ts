import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { launchHost, type Launched } from '../../src/main/host/start';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = path.join(repoRoot, 'test', 'e2e', 'screenshots');
export const chromiumPath = process.env.DOPPEL_CHROMIUM ?? '/usr/bin/chromium';

const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface App {
  dir: string;
  launched: Launched;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves a screenshot of the page as test/e2e/screenshots/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reduced motion is on (the app honours it), so screenshots never catch a dialog mid-transition.
 * The whole app as a user gets it from `npm start`: the renderer built by vite into a temp
 * folder, the loopback host over the real services with a temp project store, and a real
 * Chromium at 1280×800.
 */
export async function startApp(opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<App> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: install it (apt-get install chromium) or point DOPPEL_CHROMIUM at a Chromium binary.`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'doppel-e2e-'));
  const staticDir = path.join(dir, 'renderer');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'error', build: { outDir: staticDir, emptyOutDir: true } });
  const launched = await launchHost({ storeDir: path.join(dir, 'store'), staticDir });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
  } catch (e) {
    await launched.close();
    throw e;
  }
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    colorScheme: opts.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  mkdirSync(screenshotDir, { recursive: true });
  return {
    dir,
    launched,
    browser,
    context,
    page,
    shot: async (name) => {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
    },
    close: async () => {
      await browser.close().catch(() => undefined);
      await launched.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
