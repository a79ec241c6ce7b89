import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const p = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/**
 * electron-vite adds `const require = createRequire(import.meta.url)` to every ESM chunk that
 * uses `require`; a module that declares its own module-level `require` the same way (the
 * TensorFlow backend probes do) then breaks the chunk ("Identifier 'require' has already been
 * declared"). This renames such a module's own binding before bundling.
 */
function ownRequireRename(): Plugin {
  const decl = /\bconst require = createRequire\(import\.meta\.url\);/;
  return {
    name: 'doppel:own-require-rename',
    enforce: 'pre',
    transform(code, id) {
      if (!/\.[cm]?[jt]s$/.test(id) || !decl.test(code)) return null;
      return { code: code.replace(decl, 'const requireHere = createRequire(import.meta.url);').replace(/\brequire(\.resolve)?\(/g, 'requireHere$1('), map: null };
    },
  };
}

/**
 * The Electron build (`npm run app`): main (+ the worker for utilityProcess) as ESM with
 * dependencies external, the preload as one sandbox-ready CommonJS file, the renderer as in
 * vite.config.ts.
 */
export default defineConfig({
  main: {
    plugins: [ownRequireRename()],
    build: {
      outDir: p('./out/main'),
      // Dependencies stay in node_modules; playwright-core (the PDF report's Chromium driver) too.
      externalizeDeps: { include: ['playwright-core'] },
      rollupOptions: {
        input: {
          'electron/main': p('./src/main/electron/main.ts'),
          'worker/entry': p('./src/main/electron/worker-bootstrap.ts'),
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: p('./out/preload'),
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { preload: p('./src/main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: p('./src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: p('./out/renderer'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: p('./src/renderer/index.html') },
    },
  },
});
