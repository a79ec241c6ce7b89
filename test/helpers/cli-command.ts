import { Command } from 'commander';
import { vi } from 'vitest';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a `doppel` command in this process: a program with `--store`, the command registered by
 * `register`, stdout/stderr captured, and the exit code it set (reset afterwards).
 */
export async function runCommand(register: (program: Command) => void, args: string[]): Promise<CommandResult> {
  const program = new Command('doppel').option('--store <dir>').exitOverride();
  register(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'doppel', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, stderr, exitCode };
}
