// A model whose utility is a known quadratic form in the unit masks: q(x) = ‖Mᵀ vec(x)‖² (Flatten →
// MatMul → square → MatMul by ones), one output per image, dynamic batch. With δ_i the part of δ on
// unit i and a_i = Mᵀ vec(δ_i): v(S) = q(x + δ_S) − q(x) = Σ_{i∈S} (2 a_i·Mᵀx + ‖a_i‖²) + Σ_{i<j∈S} 2 a_i·a_j,
// so I(i, j) = 2 a_i·a_j exactly and φ(i) = 2 a_i·Mᵀx + ‖a_i‖² + Σ_{j≠i} a_i·a_j.
import { buildModel } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';
import { gridUnits } from '../../src/interactions/units.js';

export interface QuadraticCase {
  bytes: Uint8Array;
  h: number; w: number; grid: number; units: number;
  x: Float64Array; delta: Float64Array;
  interaction: Float64Array; shapley: Float64Array;
}

export function quadraticCase(h: number, w: number, grid: number, k = 3, seed = 1): QuadraticCase {
  const g = rng(seed);
  const P = h * w;
  const M = Float64Array.from({ length: P * k }, () => g.normal() * 0.5);
  const x = Float64Array.from({ length: P }, () => 0.2 + 0.6 * g.uniform());
  // x + δ stays inside [0, 1], so that it can be stored as an image
  const delta = Float64Array.from({ length: P }, (_, p) => Math.min(1, Math.max(0, x[p]! + 0.1 * g.normal())) - x[p]!);
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: ['N', 1, h, w] }], outputs: [{ name: 'q' }],
    nodes: [
      { op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 } },
      { op: 'MatMul', inputs: ['f', 'M'], outputs: ['y'] },
      { op: 'Mul', inputs: ['y', 'y'], outputs: ['s'] },
      { op: 'MatMul', inputs: ['s', 'ones'], outputs: ['q'] },
    ],
    initializers: [{ name: 'M', dims: [P, k], data: Float32Array.from(M) }, { name: 'ones', dims: [k, 1], data: new Float32Array(k).fill(1) }],
  });
  // the model holds M in float32: the exact figures use the same rounded values
  const m32 = Float64Array.from(Float32Array.from(M));
  const { units, cellOf } = gridUnits(h, w, grid);
  const proj = (v: (p: number) => number) => Float64Array.from({ length: k }, (_, c) => { let s = 0; for (let p = 0; p < P; p++) s += v(p) * m32[p * k + c]!; return s; });
  const a = Array.from({ length: units }, (_, i) => proj((p) => (cellOf[p] === i ? delta[p]! : 0)));
  const y0 = proj((p) => x[p]!);
  const dot = (u: Float64Array, v: Float64Array) => u.reduce((s, e, c) => s + e * v[c]!, 0);
  const interaction = new Float64Array(units * units), shapley = new Float64Array(units);
  for (let i = 0; i < units; i++) {
    shapley[i] = 2 * dot(a[i]!, y0) + dot(a[i]!, a[i]!);
    for (let j = 0; j < units; j++) if (j !== i) { interaction[i * units + j] = 2 * dot(a[i]!, a[j]!); shapley[i]! += dot(a[i]!, a[j]!); }
  }
  return { bytes, h, w, grid, units, x, delta, interaction, shapley };
}
