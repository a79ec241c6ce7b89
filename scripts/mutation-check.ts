/**
 * Mutation check: proves that the tests fail when the engine is wrong.
 *
 *   npm run mutation-check                       # every mutation (CI runs this after the suite)
 *   npx tsx scripts/mutation-check.ts shuffle    # the mutations whose name contains "shuffle"
 *   npx tsx scripts/mutation-check.ts --anchors  # only check that every break can still be planted
 *
 * Each mutation plants one break in a scratch copy of the repository (src/ and test/ copied,
 * node_modules linked; the working tree is never touched), then runs the test files that must
 * catch it. The copy is first checked unbroken: those files pass there. A mutation counts as
 * caught when its test run fails with failed assertions; a test run that passes, or a planting
 * anchor that is no longer in the source (the code moved: update the mutation), fails the check.
 * Anchors are matched with whitespace, trailing commas and quote style ignored, so reformatting
 * the source does not move them; a planted copy that does not compile fails as "not caught".
 * Exit code 0 when every planted break was caught, 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Edit {
  file: string;
  /**
   * Source text to find, compared with whitespace, trailing commas and quote style ignored (so a
   * reformatted file still matches). It must occur once (once after `after`, when given).
   */
  anchor: string;
  /** Text before the anchor that must occur once: the anchor is its first match after it. */
  after?: string;
  /** Where the planted code goes: instead of the anchor (default), or right after it. */
  mode?: 'replace' | 'insert-after' | 'insert-before';
  /** The planted code. */
  code: string;
}

interface Mutation {
  name: string;
  what: string;
  edits: Edit[];
  /** Test files that must fail. */
  tests: string[];
}

const ENGINE_TESTS = ['test/engine/pipeline.test.ts', 'test/engine/table-model.test.ts'];

const mutations: Mutation[] = [
  {
    name: 'training-rows',
    what: 'synthesis returns the training rows instead of generated ones',
    edits: [
      {
        file: 'src/worker/engine/stages/generate.ts',
        after: 'export const generateStage',
        anchor: 'run(input, ctx) {',
        mode: 'insert-after',
        code: `
    const realSink = input.sink;
    const real = input.built.prepared.input.tables;
    const served: Record<string, number> = {};
    input = {
      ...input,
      sink: (table: string, batch: RowBatch) => {
        const source = real[table];
        if (!source || source.rows.length === 0) return realSink(table, batch);
        const at = batch.columns.map((c) => source.columns.indexOf(c));
        const rows = batch.rows.map((row) => {
          const r = source.rows[(served[table] = (served[table] ?? 0) + 1) % source.rows.length]!;
          return row.map((v, i) => (at[i]! >= 0 ? (r[at[i]!] ?? null) : v));
        });
        return realSink(table, { columns: batch.columns, rows });
      },
    };
`,
      },
    ],
    tests: ['test/engine/pipeline.test.ts'],
  },
  {
    name: 'shuffle-column',
    what: 'sampling shuffles the first modelled column across the rows of each batch',
    edits: [
      {
        file: 'src/worker/engine/table-sample.ts',
        anchor: 'if (rows.length > 0) yield { columns, rows };',
        mode: 'insert-before',
        code: `const shuffled = model.prepared.modelled[0];
      if (shuffled !== undefined) {
        const values = rows.map((r) => r[shuffled]);
        for (let i = values.length - 1; i > 0; i--) {
          const j = (i * 7919 + 13) % (i + 1);
          [values[i], values[j]] = [values[j], values[i]];
        }
        rows.forEach((r, i) => (r[shuffled] = values[i] ?? null));
      }
      `,
      },
    ],
    tests: ENGINE_TESTS,
  },
  {
    name: 'fk-remap',
    what: "relational synthesis leaves a child's FK as generated instead of pointing it at its parent row",
    edits: [
      {
        file: 'src/worker/engine/relational/synthesize.ts',
        anchor: 'batch.rows.forEach((r, i) => (r[fc] = parent.rows[parentIdx[i]!]![pk] ?? null));',
        code: 'void pk;\n      void fc;',
      },
    ],
    tests: ['test/engine/pipeline.test.ts'],
  },
];

/** A scratch copy of the repository: src/, test/, assets/ and the configs copied, node_modules linked. */
function scratchCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'doppel-mutation-'));
  for (const entry of ['src', 'test', 'assets', 'package.json', 'tsconfig.json', 'vitest.config.ts', 'vite.config.ts']) {
    if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(realpathSync(path.join(root, 'node_modules')), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * The text with whitespace, trailing commas and quote style dropped, and for each kept character
 * its offset in the text: formatting changes do not move an anchor.
 */
function normalise(text: string): { text: string; at: number[] } {
  let out = '';
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) continue;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (')]}'.includes(text[j] ?? '')) continue;
    }
    out += c === '"' || c === '`' ? "'" : c;
    at.push(i);
  }
  return { text: out, at };
}

/** Offsets [start, end) of the one match of the anchor (after `after`), or why there is none. */
function locate(text: string, edit: Pick<Edit, 'anchor' | 'after'>): [number, number] | string {
  const src = normalise(text);
  const once = (needle: string, from: number): number | string => {
    const n = normalise(needle).text;
    if (!n) return 'empty anchor';
    const i = src.text.indexOf(n, from);
    if (i < 0) return `"${needle}" is gone`;
    if (from === 0 && src.text.indexOf(n, i + 1) >= 0) return `"${needle}" is not unique`;
    return i;
  };
  let from = 0;
  if (edit.after !== undefined) {
    const a = once(edit.after, 0);
    if (typeof a === 'string') return a;
    from = a + normalise(edit.after).text.length;
  }
  const i = once(edit.anchor, from);
  if (typeof i === 'string') return i;
  const n = normalise(edit.anchor).text.length;
  return [src.at[i]!, src.at[i + n - 1]! + 1];
}

function plant(dir: string, edit: Edit): string | null {
  const file = path.join(dir, edit.file);
  const text = readFileSync(file, 'utf8');
  const span = locate(text, edit);
  if (typeof span === 'string') return `${edit.file}: the planting anchor ${span} (the code moved; update the mutation in scripts/mutation-check.ts)`;
  const [start, end] = span;
  const mode = edit.mode ?? 'replace';
  const planted =
    mode === 'insert-after'
      ? text.slice(0, end) + edit.code + text.slice(end)
      : mode === 'insert-before'
        ? text.slice(0, start) + edit.code + text.slice(start)
        : text.slice(0, start) + edit.code + text.slice(end);
  writeFileSync(file, planted);
  return null;
}

interface TestRun {
  passed: boolean;
  failedTests: number;
  /** The failing tests, as "file > suite > test". */
  failures: string[];
  seconds: number;
  tail: string;
}

/** The failing tests of a vitest run's output, each with the first line of its error. */
function failuresOf(out: string): string[] {
  const lines = out.split('\n');
  const found = new Map<string, string>();
  lines.forEach((l, i) => {
    const test = /^\s*FAIL\s+(\S+\.test\.ts\s+>.*?)\s*$/.exec(l)?.[1];
    if (!test || found.has(test)) return;
    const error = lines.slice(i + 1, i + 6).find((x) => /\w*Error\b/.test(x));
    found.set(test, error ? `${test}\n      ${error.trim().slice(0, 240)}` : test);
  });
  return [...found.values()];
}

function runTests(dir: string, files: string[]): TestRun {
  const t0 = Date.now();
  const datasets = process.env.DOPPEL_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
  const r = spawnSync(process.execPath, [path.join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files, '--maxWorkers=1', '--reporter=dot'], {
    cwd: dir,
    env: { ...process.env, DOPPEL_DATASETS: datasets, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const failed = /Tests\s+(\d+) failed/.exec(out);
  return {
    passed: r.status === 0,
    failedTests: failed ? Number(failed[1]) : 0,
    failures: failuresOf(out),
    seconds: (Date.now() - t0) / 1000,
    tail: out.split('\n').slice(-25).join('\n'),
  };
}

function main(): number {
  const args = process.argv.slice(2);
  const anchorsOnly = args.includes('--anchors');
  const filter = args.find((a) => !a.startsWith('--'));
  const chosen = mutations.filter((m) => !filter || m.name.includes(filter));
  if (chosen.length === 0) {
    console.error(`No mutation matches "${filter}" (known: ${mutations.map((m) => m.name).join(', ')}).`);
    return 1;
  }
  // Every break must still be plantable before anything runs.
  const unplantable = chosen.flatMap((m) =>
    m.edits.flatMap((e) => {
      const span = locate(readFileSync(path.join(root, e.file), 'utf8'), e);
      return typeof span === 'string' ? [`${m.name}: NOT PLANTED: ${e.file}: the planting anchor ${span} (the code moved; update the mutation)`] : [];
    }),
  );
  for (const u of unplantable) console.error(u);
  if (anchorsOnly) {
    if (unplantable.length === 0) console.log(`Mutation check: all ${chosen.length} breaks can be planted.`);
    return unplantable.length === 0 ? 0 : 1;
  }
  if (unplantable.length > 0) return 1;
  const files = [...new Set(chosen.flatMap((m) => m.tests))];
  const base = scratchCopy();
  try {
    const baseline = runTests(base, files);
    console.log(`unbroken copy: ${files.join(', ')} ${baseline.passed ? 'pass' : 'FAIL'} (${baseline.seconds.toFixed(0)} s)`);
    if (!baseline.passed) {
      console.error(`${baseline.tail}\nThe tests fail without any mutation; fix them first.`);
      return 1;
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  let escaped = 0;
  for (const m of chosen) {
    const dir = scratchCopy();
    try {
      const problems = m.edits.map((e) => plant(dir, e)).filter((p): p is string => p !== null);
      if (problems.length > 0) {
        escaped++;
        console.error(`${m.name}: NOT PLANTED: ${problems.join('; ')}`);
        continue;
      }
      const run = runTests(dir, m.tests);
      if (!run.passed && run.failedTests > 0) {
        console.log(`${m.name} (${m.what}): caught, ${run.failedTests} failing test(s) in ${m.tests.join(', ')} (${run.seconds.toFixed(0)} s)`);
        for (const f of run.failures) console.log(`  ✗ ${f}`);
      } else {
        escaped++;
        console.error(`${m.name} (${m.what}): NOT CAUGHT by ${m.tests.join(', ')}${run.passed ? '' : ' (the run failed without failing tests)'}\n${run.tail}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    escaped === 0 ? `Mutation check: all ${chosen.length} planted breaks caught.` : `Mutation check: ${escaped} of ${chosen.length} planted breaks NOT caught.`,
  );
  return escaped === 0 ? 0 : 1;
}

process.exitCode = main();
