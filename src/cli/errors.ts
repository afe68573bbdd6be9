// Exit codes and the one-line error printer shared by every command.
import { InputError, LinAlgError } from '../core/errors.js';

/** Exit codes, documented in --help. */
export const EXIT = Object.freeze({
  ok: 0,
  failure: 1, // bad input, bad usage, or (verify) a candidate that does not collide
  internal: 2, // a bug or an unexpected failure
  noExactCollision: 3, // collide: ker(A_img) is trivial and --allow-approximate was not given
});

export const EXIT_CODES_HELP =
  'Exit codes: 0 success; 1 bad input or usage (verify: a candidate does not collide); ' +
  '2 internal error; 3 no exact collision exists at the first layer (collide without --allow-approximate).';

/** An error that carries its own exit code (e.g. 3 for "no exact collision"). */
export class ExitError extends Error {
  constructor(message: string, readonly code: number) { super(message); }
}

/** Prints one line (or the stack with --debug) and returns the exit code to use. */
export function reportError(err: unknown, debug: boolean): number {
  const e = err instanceof Error ? err : new Error(String(err));
  if (debug) process.stderr.write(`${e.stack ?? e.message}\n`);
  else process.stderr.write(`nullspace: ${e.message.split('\n')[0]}\n`);
  return exitCodeFor(e);
}

/** The exit code for an error (without printing it): 1 for faults of the input, 2 for anything else. */
export function exitCodeFor(err: unknown): number {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof ExitError) return e.code;
  if (e instanceof InputError || e instanceof TypeError || e instanceof RangeError || e instanceof LinAlgError) return EXIT.failure;
  if ((e as NodeJS.ErrnoException).code && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!)) return EXIT.failure;
  return EXIT.internal;
}
