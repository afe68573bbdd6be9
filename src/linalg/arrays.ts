// Shared argument checks for the float typed arrays the linalg wrappers accept. Internal.
import { invalidParameter } from '../core/errors.js';

export type FloatArray = Float64Array | Float32Array;
export type FloatDtype = 'float64' | 'float32';

/** 'float64' or 'float32'; TypeError for anything else. */
export function dtypeOf(name: string, a: unknown): FloatDtype {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  throw invalidParameter(name, 'a Float64Array or Float32Array', a);
}

/** RangeError naming the first NaN/Inf. */
export function checkFinite(name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    // v - v is NaN exactly for NaN and ±Inf; one compare keeps this pass cheap
    if (v - v !== 0) throw new RangeError(`Expected finite values for ${name} but received ${v} at index ${i}`);
  }
}
