// A tiny model written out in JS for the verify/drift tests: y = A x + b (A is a dense random 4×12
// matrix, so ker(A) has dimension 8 and rounding errors are not in it), then ReLU and a 2-class
// linear head. A float32 variant rounds after every operation, as a float32 engine would.
import type { Outputs } from '../../src/verify/compare.js';
import type { DriftRunner } from '../../src/verify/drift.js';
import { rng } from '../../src/linalg/random.js';

export const N = 12;
const g = rng(7);
const A = Array.from({ length: 4 }, () => Array.from({ length: N }, (_, j) => g.normal()));
const b = [0.1, -0.2, 0.3, 0.05];
const V = [[1, -1, 0.5, 0.2], [-0.3, 0.8, -0.1, 1]];

function forward(x: ArrayLike<number>, r: (v: number) => number): { first: number[]; logits: number[] } {
  const first = A.map((row, i) => r(row.reduce((s, a, j) => r(s + r(a * x[j]!)), 0) + b[i]!));
  const h = first.map((v) => Math.max(0, v));
  const logits = V.map((row) => row.reduce((s, v, j) => r(s + r(v * h[j]!)), 0));
  return { first, logits };
}
const id = (v: number) => v;

export function fakeRunner(withLayers = false): DriftRunner {
  const out = (l: number[]): Outputs => ({ logits: { dims: [1, 2], data: l } });
  return {
    run64: async (x) => out(forward(x, id).logits),
    run32: async (x) => out(forward(x, Math.fround).logits),
    firstLayer: {
      inputLength: N,
      f64: (x) => Float64Array.from(forward(x, id).first),
      f32: (x) => Float32Array.from(forward(x, Math.fround).first),
    },
    layers: withLayers ? {
      list: [{ name: 'first', op: 'Gemm' }, { name: 'logits', op: 'Gemm' }],
      run64: async (x) => { const f = forward(x, id); return { first: { dims: [4], data: f.first }, logits: { dims: [2], data: f.logits } }; },
      run32: async (x) => { const f = forward(x, Math.fround); return { first: { dims: [4], data: f.first }, logits: { dims: [2], data: f.logits } }; },
    } : undefined,
  };
}

/** A model-space image (paddle preset: model = (pixel − 0.5)/0.5) from 8-bit pixels. */
export function fakeImage(): Float64Array {
  const h = rng(3);
  return Float64Array.from({ length: N }, () => (Math.round(h.uniform() * 255) / 255 - 0.5) / 0.5);
}

/** An exact null direction (zero on the inputs A reads) and a direction that is not. */
export function fakeDirections(): { delta: Float64Array; patch: Float64Array } {
  const h = rng(11);
  // orthonormal basis of A's row space (modified Gram–Schmidt), then v minus its row-space part
  const q: number[][] = [];
  for (const row of A) {
    const u = row.slice();
    for (const p of q) { const d = p.reduce((s, v, j) => s + v * u[j]!, 0); for (let j = 0; j < N; j++) u[j]! -= d * p[j]!; }
    const n = Math.hypot(...u);
    q.push(u.map((v) => v / n));
  }
  const v = Array.from({ length: N }, () => h.normal());
  for (let pass = 0; pass < 2; pass++) for (const p of q) { const d = p.reduce((s, x, j) => s + x * v[j]!, 0); for (let j = 0; j < N; j++) v[j]! -= d * p[j]!; }
  const patch = Float64Array.from({ length: N }, () => h.normal());
  return { delta: Float64Array.from(v), patch };
}
