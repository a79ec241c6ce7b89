import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const p = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/**
 * The Electron build (`npm run app`): main (+ the worker for utilityProcess) as ESM with
 * dependencies external, the preload as one sandbox-ready CommonJS file, the renderer as in
 * vite.config.ts.
 */
export default defineConfig({
  main: {
    build: {
      outDir: p('./out/main'),
      // Dependencies stay in node_modules; playwright-core (the PDF report's Chromium driver) too.
      externalizeDeps: { include: ['playwright-core'] },
      rollupOptions: {
        input: {
          'electron/main': p('./src/main/electron/main.ts'),
          'worker/entry': p('./src/worker/entry.ts'),
          'worker/sample-thread': p('./src/worker/engine/sample-thread.ts'),
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
