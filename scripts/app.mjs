#!/usr/bin/env node
// `npm run app`: the Electron desktop app. Fetches the Electron binary if it is missing (needs
// network access to the Electron release mirror), builds main/preload/renderer with
// electron-vite, then launches Electron on the build.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronDir = path.join(root, 'node_modules', 'electron');

function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`doppel: "${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(electronDir)) {
  console.error('doppel: the electron package is not installed. Run `npm install` first.');
  process.exit(1);
}
if (!electronBinary()) {
  console.log('doppel: downloading the Electron binary (one time)…');
  run(process.execPath, [path.join(electronDir, 'install.js')]);
  if (!electronBinary()) {
    console.error(
      'doppel: the Electron binary could not be installed. Without network access to the Electron mirror, use `npm start` (the same app in your browser).',
    );
    process.exit(1);
  }
}

console.log('doppel: building (electron-vite)…');
run(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build']);

const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electronBinary(), [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
