// Spawns the CLI from src (through tsx, no build needed) and collects its output. Shared by the
// CLI tests of every command: `const r = await runCli(['inspect', file, '--json'])`.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `nullspace ARGS…` in a child process (cwd: the repository root unless given).
 * stdin is empty unless `input` is given; stdout/stderr are not TTYs.
 */
export function runCli(args: string[], opts: { cwd?: string; input?: string | Uint8Array; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env }, maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, encoding: 'utf8',
    }, (err, stdout, stderr) => {
      // killed (signal, timeout, maxBuffer): no exit code at all, so -1, never a code a test could expect
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}
