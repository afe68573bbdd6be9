// Shared argument checks and staging for the SVD family: validates (a, m, n), finds the scale
// max|a_ij| and copies a/scale into the WASM arena in the working precision. Internal module.
import { core, invalidParameter, assertInt } from '../core/index.js';

export type Matrix = Float64Array | Float32Array;
export type Precision = 'f64' | 'f32';

/** Element size and kernel suffix per precision (a closed set, resolved by `precisionOf`). */
export const PRECISIONS = Object.freeze({
  f64: Object.freeze({ bytes: 8, suffix: 'F64', eps: 2 ** -52 }),
  f32: Object.freeze({ bytes: 4, suffix: 'F32', eps: 2 ** -23 }),
} as const);

export function precisionOf(name: string, value: unknown): Precision {
  if (value === undefined) return 'f64';
  if (value === 'f64' || value === 'f32') return value;
  throw invalidParameter(name, 'one of "f64", "f32"', value);
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidParameter(name, `one of ${allowed.map((s) => JSON.stringify(s)).join(', ')}`, value);
}

export function positiveOrZero(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidParameter(name, 'a non-negative number', value);
  if (value < 0 || !Number.isFinite(value)) throw invalidParameter(name, 'a finite non-negative number', value, RangeError);
  return value;
}

/** a is a Float64Array/Float32Array of length m·n, m and n non-negative integers. */
export function checkShape(op: string, a: unknown, m: unknown, n: unknown): asserts a is Matrix {
  assertInt(`${op} m`, m, 0, 2 ** 31 - 1);
  assertInt(`${op} n`, n, 0, 2 ** 31 - 1);
  if (!(a instanceof Float64Array) && !(a instanceof Float32Array)) {
    throw invalidParameter(`${op} a`, 'a Float64Array or Float32Array', a);
  }
  if (a.length !== (m as number) * (n as number)) {
    throw new RangeError(`Expected length ${(m as number) * (n as number)} (m·n = ${m}·${n}) for ${op} a but received length ${a.length}`);
  }
}

/**
 * Checks a is a Float64Array/Float32Array of length m·n with finite entries, m and n
 * non-negative integers; returns max|a_ij| (0 for an empty or zero matrix).
 */
export function checkMatrix(op: string, a: unknown, m: unknown, n: unknown): number {
  checkShape(op, a, m, n);
  // One tight pass (no throw inside the loop, so V8 keeps it optimised); NaN fails x <= max.
  let max = 0;
  let bad = false;
  const len = a.length;
  for (let i = 0; i < len; i++) {
    const x = Math.abs(a[i]!);
    if (x > max) max = x;
    else if (!(x <= max)) bad = true;
  }
  if (bad || max === Infinity) {
    const i = a.findIndex((v) => !Number.isFinite(v));
    throw new RangeError(`${op}: a contains a non-finite value (${a[i]}) at index ${i}`);
  }
  return max;
}

/** Row stride (elements) padded so that every row starts 16-byte aligned. */
export function padded(len: number, bytes: number): number {
  const per = 16 / bytes;
  return Math.ceil(len / per) * per;
}

/**
 * Copies a/scale into a fresh arena buffer of `rows` rows of stride ld (zero padding), a being
 * rows × cols row-major; returns the byte pointer. Call inside core.scoped().
 */
export function stageRows(a: Matrix, rows: number, cols: number, ld: number, scale: number, prec: Precision): number {
  const bytes = PRECISIONS[prec].bytes;
  const ptr = core.alloc(rows * ld * bytes);
  const view = prec === 'f64' ? core.f64(ptr, rows * ld) : core.f32(ptr, rows * ld);
  const inv = 1 / scale;
  if (ld === cols && inv === 1) view.set(a);
  else if (prec === 'f64') {
    // rows copied natively, then scaled by one WASM pass (y = 0·y + inv·y: the same products as the loop
    // below, ≈ 8× faster than it on a 512×4608 weight)
    if (ld === cols) view.set(a);
    else for (let r = 0; r < rows; r++) { view.set(a.subarray(r * cols, (r + 1) * cols), r * ld); view.fill(0, r * ld + cols, (r + 1) * ld); }
    if (inv !== 1) core.kernels.axpbyF64(rows * ld, 0, ptr, inv, ptr);
  } else {
    for (let r = 0; r < rows; r++) {
      const o = r * ld, p = r * cols;
      for (let j = 0; j < cols; j++) view[o + j] = a[p + j]! * inv;
      for (let j = cols; j < ld; j++) view[o + j] = 0;
    }
  }
  return ptr;
}

/**
 * checkMatrix and stageRows (f64) in one: the rows are copied natively into the arena and the
 * scale max|a_ij| found there by one WASM pass, as bidiag.ts does (the JS loop of checkMatrix cost ≈ 11 ms on a
 * 512×4608 weight); a non-finite entry is reported by checkMatrix's own message. Returns the
 * pointer and the scale (0 for an empty or zero matrix, whose rows are then left unscaled).
 * Call inside core.scoped().
 */
export function stageRowsChecked(op: string, a: unknown, m: number, n: number, ld: number): { ptr: number; scale: number } {
  checkShape(op, a, m, n);
  const ptr = stageRows(a, m, n, ld, 1, 'f64');
  const scale = core.kernels.maxAbsF64(ptr, m * ld);
  if (!(scale < Infinity)) checkMatrix(op, a, m, n); // throws, naming the first non-finite entry
  if (scale !== 0 && scale !== 1) core.kernels.axpbyF64(m * ld, 0, ptr, 1 / scale, ptr);
  return { ptr, scale };
}

