/**
 * Mutation check: proves that the tests fail when the engine is wrong.
 *
 *   npx tsx scripts/mutation-check.ts            # every mutation (CI runs this after the suite)
 *   npx tsx scripts/mutation-check.ts shuffle    # the mutations whose name contains "shuffle"
 *
 * Each mutation plants one break in a scratch copy of the repository (src/ and test/ copied,
 * node_modules linked; the working tree is never touched), then runs the test files that must
 * catch it. The copy is first checked unbroken: those files pass there. A mutation counts as
 * caught when its test run fails with failed assertions; a test run that passes, or a planting
 * anchor that is no longer in the source (the code moved: update the mutation), fails the check.
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
  /** Text that must occur exactly once in the file. */
  anchor: string;
  /** What the anchor becomes. */
  replace: string;
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
        file: 'src/worker/engine/pipeline.ts',
        anchor:
          'export async function synthesize(\n  built: BuiltDataset,\n  opts: { signal?: AbortSignal; onProgress?: ProgressFn; sink: (table: string, batch: RowBatch) => Promise<void>; count?: number },\n): Promise<SynthesisResult> {\n',
        replace: `export async function synthesize(
  built: BuiltDataset,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn; sink: (table: string, batch: RowBatch) => Promise<void>; count?: number },
): Promise<SynthesisResult> {
  const realSink = opts.sink;
  const served: Record<string, number> = {};
  opts = {
    ...opts,
    sink: (table, batch) => {
      const source = built.prepared.input.tables[table];
      if (!source || source.rows.length === 0) return realSink(table, batch);
      const at = batch.columns.map((c) => source.columns.indexOf(c));
      const rows = batch.rows.map((row) => {
        const real = source.rows[(served[table] = (served[table] ?? 0) + 1) % source.rows.length]!;
        return row.map((v, i) => (at[i]! >= 0 ? (real[at[i]!] ?? null) : v));
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
        anchor: '      if (rows.length > 0) yield { columns: [...model.prepared.columns], rows };\n',
        replace: `      const shuffled = model.prepared.modelled[0];
      if (shuffled !== undefined) {
        const values = rows.map((r) => r[shuffled]);
        for (let i = values.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [values[i], values[j]] = [values[j], values[i]];
        }
        rows.forEach((r, i) => (r[shuffled] = values[i] ?? null));
      }
      if (rows.length > 0) yield { columns: [...model.prepared.columns], rows };
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
        anchor: '      batch.rows.forEach((r, i) => (r[fc] = parent.rows[parentIdx[i]!]![pk] ?? null));\n',
        replace: '      void pk;\n      void fc;\n',
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

function plant(dir: string, edit: Edit): string | null {
  const file = path.join(dir, edit.file);
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(edit.anchor);
  if (at < 0 || text.indexOf(edit.anchor, at + 1) >= 0)
    return `${edit.file}: the planting anchor is ${at < 0 ? 'gone' : 'not unique'} (the code moved; update the mutation in scripts/mutation-check.ts)`;
  writeFileSync(file, text.slice(0, at) + edit.replace + text.slice(at + edit.anchor.length));
  return null;
}

interface TestRun {
  passed: boolean;
  failedTests: number;
  seconds: number;
  tail: string;
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
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\u001b\[[0-9;]*m/g, '');
  const failed = /Tests\s+(\d+) failed/.exec(out);
  return {
    passed: r.status === 0,
    failedTests: failed ? Number(failed[1]) : 0,
    seconds: (Date.now() - t0) / 1000,
    tail: out.split('\n').slice(-25).join('\n'),
  };
}

function main(): number {
  const filter = process.argv[2];
  const chosen = mutations.filter((m) => !filter || m.name.includes(filter));
  if (chosen.length === 0) {
    console.error(`No mutation matches "${filter}" (known: ${mutations.map((m) => m.name).join(', ')}).`);
    return 1;
  }
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
