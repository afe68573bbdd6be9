// Error classes shared by the library. Argument faults use TypeError/RangeError;
// numerical failure uses LinAlgError (numpy.linalg's convention).

export class LinAlgError extends Error {
  override name = 'LinAlgError';
}

/** An input the user gave us is malformed (a file, a model, an image): exit code 1 in the CLI. */
export class InputError extends Error {
  override name = 'InputError';
}

function describe(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let shown: string;
  try { shown = typeof value === 'string' ? JSON.stringify(value) : String(value); } catch { shown = '?'; }
  if (shown.length > 60) shown = shown.slice(0, 57) + '...';
  return `${shown} of type ${type}`;
}

/** The message shape of every argument check: "Expected <what> for <name> but received <value> of type <type>". */
export function invalidParameter(name: string, expected: string, value: unknown, Kind: new (m: string) => Error = TypeError): Error {
  return new Kind(`Expected ${expected} for ${name} but received ${describe(value)}`);
}

/** Throws RangeError unless value is an integer in [min, max]. */
export function assertInt(name: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParameter(name, `an integer between ${min} and ${max}`, value, TypeError);
  if (value < min || value > max) throw invalidParameter(name, `an integer between ${min} and ${max}`, value, RangeError);
}

/** Throws RangeError if any element is NaN or infinite. */
export function assertFinite(name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${name} contains a non-finite value (${v}) at index ${i}`);
  }
}

/** Throws RangeError unless a.length === expected. */
export function assertLength(name: string, a: ArrayLike<number>, expected: number): void {
  if (a.length !== expected) throw new RangeError(`Expected length ${expected} for ${name} but received length ${a.length}`);
}
