// The one list of WASM exports, each bound to a typed signature.
// Pointers are byte offsets into the exported memory; output pointers come last.
// Keep in step with assembly/index.ts.

export interface Kernels {
  /** First free byte above the module's static data (16-aligned). */
  heapBase(): number;
}

export function bindKernels(exports: WebAssembly.Exports): Kernels {
  return exports as unknown as Kernels;
}
