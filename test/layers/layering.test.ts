import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The project's lint settings run on a source text placed at `filePath` (nothing is written). */
async function lintAt(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import layering', () => {
  it('refuses a main → worker import, in services and in the Electron shell alike', async () => {
    const fromServices = await lintAt('src/main/services/probe.ts', "import { runJob } from '../../worker/jobs/run-job';\nexport const f = runJob;\n");
    expect(fromServices.join('\n')).toMatch(/main talks to the worker only through the job protocol/);
    const fromElectron = await lintAt('src/main/electron/probe.ts', "import '../../worker/entry';\n");
    expect(fromElectron.join('\n')).toMatch(/main talks to the worker only through the job protocol/);
  });

  it('lets main use what it shares with the worker through data and report', async () => {
    const ok = await lintAt(
      'src/main/services/probe.ts',
      "import { REPORT_JSON } from '../../data/store/workspace-files';\nimport { reportView } from '../../report/files';\nexport const f = [REPORT_JSON, reportView];\n",
    );
    expect(ok).toEqual([]);
  });

  it('keeps data and report below the worker', async () => {
    expect(await lintAt('src/data/probe.ts', "import { buildReport } from '../worker/engine/report/build';\nexport const f = buildReport;\n")).not.toEqual([]);
    expect(await lintAt('src/report/probe.ts', "import { train } from '../worker/engine/pipeline';\nexport const f = train;\n")).not.toEqual([]);
  });
});
