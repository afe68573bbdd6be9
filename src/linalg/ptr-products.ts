// Pointer-level products attached to operators (and preconditioners) whose data can act on
// vectors that already sit in a WASM core's memory. Solvers that keep their vectors in WASM
// memory (project-wasm.ts) use them and skip the copies of the Float64Array interface.
// Internal: nothing here is re-exported.
import type { Core } from '../core/wasm.js';

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
