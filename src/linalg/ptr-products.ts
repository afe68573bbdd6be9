// Pointer-level products attached to operators (and preconditioners) whose data can act on
// vectors that already sit in a WASM core's memory. Solvers that keep their vectors in WASM
// memory (project-wasm.ts) use them and skip the copies of the Float64Array interface; the
// Float64Array products of those operators are built on them here (arrayProduct).
// Internal: nothing here is re-exported.
import type { Core } from '../core/wasm.js';
import { assertLength, invalidParameter } from '../core/errors.js';

export interface PtrProducts {
  /** the core whose memory the pointers address */
  core: Core;
  /** out ← A·in (out sized by the owner's rows); may allocate in a nested arena scope */
  apply(inPtr: number, outPtr: number): void;
  /** out ← Aᵀ·in (absent for a preconditioner, which is symmetric) */
  applyT?(inPtr: number, outPtr: number): void;
}

const attached = new WeakMap<object, PtrProducts>();

/** Records the pointer-level products of `owner`; returns owner. */
export function attachPtrProducts<T extends object>(owner: T, products: PtrProducts): T {
  attached.set(owner, products);
  return owner;
}

/** The pointer-level products of `owner`, if it has any. */
export function ptrProductsOf(owner: object): PtrProducts | undefined {
  return attached.get(owner);
}

/**
 * The Float64Array form of a pointer-level product: out ← run(v), with v copied into an arena
 * scope of `c` and the result copied out, so no core memory stays in use after the call.
 *
 * @param name what v is called in errors ('x' for A·x, 'y' for Aᵀ·y)
 * @returns `out` when given, else a new array of outLen
 * @throws TypeError/RangeError when v (inLen) or out (outLen) is not a Float64Array of its length
 *
 * Notes: v's entries are not checked for finiteness (solvers call products thousands of times).
 */
export function arrayProduct(c: Core, name: string, v: Float64Array, inLen: number, outLen: number,
  out: Float64Array | undefined, run: (inPtr: number, outPtr: number) => void): Float64Array {
  if (!(v instanceof Float64Array)) throw invalidParameter(name, 'a Float64Array', v);
  assertLength(name, v, inLen);
  if (out !== undefined) {
    if (!(out instanceof Float64Array)) throw invalidParameter('out', 'a Float64Array', out);
    assertLength('out', out, outLen);
  }
  const r = out ?? new Float64Array(outLen);
  if (outLen === 0) return r;
  c.scoped(() => {
    const inPtr = c.put(v);
    const outPtr = c.alloc(outLen * 8);
    run(inPtr, outPtr);
    r.set(c.f64(outPtr, outLen));
  });
  return r;
}
