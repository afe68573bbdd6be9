// Exit codes and the error printer shared by every command. Every message leaves as whole lines
// (it ends with a newline), written once, and the process ends by itself (process.exitCode), never
// by process.exit right after a write: on a pipe, where writes can be asynchronous (macOS), that
// could cut the last line short and the next program's message would run on.
import { InputError, LinAlgError } from '../core/errors.js';

/** Exit codes, documented in --help. */
export const EXIT = Object.freeze({
  ok: 0,
  failure: 1, // bad input, bad usage, or (verify) a candidate that does not collide
  internal: 2, // a bug or an unexpected failure
  noExactCollision: 3, // collide: ker(A_img) is trivial, or some image had no exact collision that moved (not written)
});

export const EXIT_CODES_HELP =
  'Exit codes: 0 success; 1 bad input or usage (verify: a candidate does not collide); ' +
  '2 internal error; 3 no exact collision (collide: ker(A_img) is trivial, or some images had no exact collision ' +
  'inside the pixel box and were not written; --allow-approximate writes approximate ones).';

/** An error that carries its own exit code (e.g. 3 for "no exact collision"). */
export class ExitError extends Error {
  constructor(message: string, readonly code: number) { super(message); }
}

/** Bad usage found by yargs (unknown flag, missing argument): printed after the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly help: string) { super(message); }
}

/** text as whole lines: a newline at the end unless it has one. */
export function asLines(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The one line printed for err without --debug: "nullspace: " and the message's first non-empty line. */
export function errorLine(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const first = e.message.split(/\r?\n/).map((l) => l.trimEnd()).find((l) => l !== '') ?? e.name;
  return `nullspace: ${first}\n`;
}

/**
 * Prints the error — one line; for bad usage the command's help, a blank line, then the line; the
 * stack with --debug — in one write, and returns the exit code to use.
 */
export function reportError(err: unknown, debug: boolean): number {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof UsageError) process.stderr.write(`${e.help ? `${e.help}\n\n` : ''}${asLines(`nullspace: ${e.message}`)}`);
  else process.stderr.write(debug ? asLines(e.stack ?? e.message) : errorLine(e));
  return exitCodeFor(e);
}

/** The exit code for an error (without printing it): 1 for faults of the input, 2 for anything else. */
export function exitCodeFor(err: unknown): number {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof ExitError) return e.code;
  if (e instanceof UsageError || e instanceof InputError || e instanceof TypeError || e instanceof RangeError || e instanceof LinAlgError) return EXIT.failure;
  if ((e as NodeJS.ErrnoException).code && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!)) return EXIT.failure;
  return EXIT.internal;
}
