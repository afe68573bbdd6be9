// V8 tuning for commands whose time goes into long calls of the WASM core (inspect's SVDs).
// V8 compiles a WASM function with its baseline compiler (Liftoff) at its first call and swaps in
// optimised code (TurboFan) only for later calls: a census calls each kernel once per weight on
// millions of entries, so that first call ran entirely at baseline speed — the Gram product of a
// 512×4608 weight took ≈ 0.30 s of CPU in a fresh process against 0.12 s once optimised (measured
// with `node --no-liftoff`, bench/startup.ts). Functions are compiled lazily, at their first call,
// so the flag must be set before that call; it stays set for the rest of the process.
import { setFlagsFromString } from 'node:v8';

/**
 * Makes V8 compile WASM functions with its optimising compiler from their first call. Only for
 * commands that run no WASM besides the core (onnxruntime-web's module is ≈ 10 MB; that trade
 * was not measured).
 */
export function optimiseWasmFromFirstCall(): void {
  setFlagsFromString('--no-liftoff');
}
