/**
 * The worker entry of the Electron build (electron.vite.config.ts → out/main/worker/entry.js),
 * started by utilityProcess.fork. It is the same worker as headless: src/worker/entry.ts.
 */
import '../../worker/entry';
