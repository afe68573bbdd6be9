// Runs one command module in-process through yargs (builder + handler), capturing stdout, and maps
// errors to exit codes the way main.ts does. Spawned runs (for real pipes) use ENTRY with tsx.
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { fileURLToPath } from 'node:url';
import { reportError } from '../../src/cli/errors.js';

export interface CliResult { stdout: string; stderr: string; code: number; error?: Error }

export async function runCommand(mod: CommandModule<any, any>, argv: string[]): Promise<CliResult> {
  let stdout = '', stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(); return true; }) as typeof process.stderr.write;
  try {
    await yargs(argv).command(mod).strict().fail((msg, e) => { throw e ?? new RangeError(msg); }).parseAsync();
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const code = reportError(e, false);
    return { stdout, stderr, code, error: e as Error };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** A script that runs the CLI from source: `node --import tsx ENTRY <args>`. */
export const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
