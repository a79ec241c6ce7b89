/**
 * `npm run bench`: runs every bench/sections/*.ts module exporting `run(): Promise<string>`
 * (markdown) and writes docs/benchmarks.md with the machine and the date.
 * `npm run bench -- engine` runs only the named sections and replaces them where they stand in
 * docs/benchmarks.md, keeping the others (arguments starting with `--` are the sections' own
 * options, e.g. `npm run bench -- scale --rows=1000000`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** The line ending each section in docs/benchmarks.md: which bench/sections module wrote it (hidden in the rendered page). */
const endMark = (name: string): string => `<!-- bench section: ${name} -->`;

/**
 * The document after a partial run: each section that ran replaces its previous text where it
 * stood (found by its end mark, or by its heading in a document written before the marks), a
 * section new to the document goes at the end, the other sections stay as they were.
 */
function mergeSections(old: string, head: string, ran: Array<{ name: string; text: string }>): string {
  const heading = (text: string): string => text.split('\n')[0] ?? '';
  const sections = old.split(/\n(?=## )/).slice(1);
  const placed = new Set<string>();
  const out = sections.map((s) => {
    const hit = ran.find((r) => s.includes(endMark(r.name)) || (!s.includes('<!-- bench section: ') && heading(s) === heading(r.text)));
    if (!hit || placed.has(hit.name)) return hit ? null : s;
    placed.add(hit.name);
    return hit.text;
  });
  return [head, ...out.filter((s): s is string => s !== null), ...ran.filter((r) => !placed.has(r.name)).map((r) => r.text)].join('\n');
}

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
  const head = `# Doppel benchmarks\n\n${machine()}\n`;
  const ran: Array<{ name: string; text: string }> = [];
  for (const f of files) {
    const name = f.replace(/\.ts$/, '');
    if (only.length > 0 && !only.includes(name)) continue;
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run?: () => Promise<string> };
    if (typeof mod.run !== 'function') continue;
    const t0 = performance.now();
    process.stderr.write(`bench: ${name}...\n`);
    try {
      const text = (await mod.run()).trim();
      ran.push({ name, text: `${text}\n\n_(section ran in ${((performance.now() - t0) / 1000).toFixed(0)} s)_\n${endMark(name)}\n` });
    } catch (e) {
      ran.push({ name, text: `## ${name}\n\nFAILED: ${e instanceof Error ? e.message : String(e)}\n${endMark(name)}\n` });
    }
  }
  const out = path.join(root, 'docs', 'benchmarks.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (only.length > 0 && fs.existsSync(out)) fs.writeFileSync(out, mergeSections(fs.readFileSync(out, 'utf8'), head, ran));
  else fs.writeFileSync(out, [head, ...ran.map((r) => r.text)].join('\n'));
  process.stderr.write(`bench: wrote ${path.relative(root, out)}\n`);
  process.exit(0);
}

await main();
