/**
 * `npm run bench`: runs every bench/sections/*.ts module exporting `run(): Promise<string>`
 * (markdown) and writes docs/benchmarks.md with the machine and the date.
 * `npm run bench -- engine` runs only the named sections.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);

function machine(): string {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'} x ${cpus.length}`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version} on ${os.platform()} ${os.release()}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = path.join(root, 'bench', 'sections');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const parts: string[] = [`# Doppel benchmarks\n\n${machine()}\n`];
  for (const f of files) {
    const name = f.replace(/\.ts$/, '');
    if (only.length > 0 && !only.includes(name)) continue;
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run?: () => Promise<string> };
    if (typeof mod.run !== 'function') continue;
    const t0 = performance.now();
    process.stderr.write(`bench: ${name}...\n`);
    try {
      parts.push((await mod.run()).trim() + `\n\n_(section ran in ${((performance.now() - t0) / 1000).toFixed(0)} s)_\n`);
    } catch (e) {
      parts.push(`## ${name}\n\nFAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  const out = path.join(root, 'docs', 'benchmarks.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (only.length > 0 && fs.existsSync(out)) {
    // Partial run: replace only the sections that ran, keep the others.
    const old = fs.readFileSync(out, 'utf8');
    const kept = old
      .split(/\n(?=## )/)
      .slice(1)
      .filter((s) => !parts.some((p) => p.startsWith(s.split('\n')[0] ?? '\u0000')));
    fs.writeFileSync(out, [parts[0], ...kept, ...parts.slice(1)].join('\n'));
  } else fs.writeFileSync(out, parts.join('\n'));
  process.stderr.write(`bench: wrote ${path.relative(root, out)}\n`);
  process.exit(0);
}

await main();
