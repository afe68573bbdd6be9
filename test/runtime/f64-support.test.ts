// Probes onnxruntime-web one node at a time: every op listed in NATIVE_F64 must run in float64 at
// opsets 9, 11 and 13 (the PP-OCR models use 9 and 11; LayerNormalization exists from 17), and the ops we lower must really be missing
// (otherwise the lowering is dead weight, or the table is stale after an onnxruntime upgrade).
import t from 'tap';
import { buildModel, type NodeSpec, type TensorSpec } from '../../src/onnx/writer.js';
import { NATIVE_F64 } from '../../src/runtime/lower-f64.js';
import { LOWERINGS } from '../../src/runtime/lower-ops.js';
import { createOrt, loadRuntime, runOrt } from '../../src/runtime/ort.js';

interface Probe { inputs?: TensorSpec[]; attrs?: NodeSpec['attrs']; consts?: TensorSpec[]; outputs?: number; dtype?: 'float64' | 'int64' | 'bool' }

const f = (name: string, dims: number[], v = 0.5): TensorSpec => ({ name, dims, data: Float64Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => v + i / 7) });
const i64 = (name: string, data: number[]) => ({ name, dims: [data.length], data: BigInt64Array.from(data.map(BigInt)), dtype: 'int64' as const });
const x = f('x', [1, 2, 3, 4]);
const unary: Probe = {};
const withK = (k: TensorSpec): Probe => ({ consts: [k] });

/** One-node probes; a function of the opset where the op's signature changed. */
const PROBES: Record<string, (opset: number) => Probe | undefined> = {
  Abs: () => unary, Ceil: () => unary, Floor: () => unary, Exp: () => unary, Log: () => unary, Neg: () => unary, Reciprocal: () => unary,
  Relu: () => unary, Sigmoid: () => unary, Sqrt: () => unary, Tanh: () => unary, Sin: () => unary, Cos: () => unary, Sign: () => unary,
  Softplus: () => unary, Identity: () => unary, Elu: () => unary, Selu: () => unary, LeakyRelu: () => unary,
  Round: (o) => (o >= 11 ? unary : undefined),
  Add: () => withK(f('k', [4])), Sub: () => withK(f('k', [4])), Mul: () => withK(f('k', [4])), Div: () => withK(f('k', [4])),
  Pow: () => withK(f('k', [1])), Max: () => withK(f('k', [4])), Min: () => withK(f('k', [4])), Sum: () => withK(f('k', [4])), Mean: () => withK(f('k', [4])),
  Equal: (o) => (o >= 11 ? { ...withK(f('k', [4])), dtype: 'bool' } : undefined), Greater: () => ({ ...withK(f('k', [4])), dtype: 'bool' }), Less: () => ({ ...withK(f('k', [4])), dtype: 'bool' }),
  MatMul: () => withK(f('k', [4, 3])),
  Gemm: () => ({ inputs: [f('x', [2, 4])], consts: [f('k', [4, 3]), f('c', [3])] }),
  Einsum: (o) => (o >= 12 ? { inputs: [f('x', [2, 4])], consts: [f('k', [4, 3])], attrs: { equation: 'ij,jk->ik' } } : undefined),
  BatchNormalization: () => ({ consts: ['s', 'b', 'm', 'v'].map((n) => f(n, [2])) }),
  MaxPool: () => ({ attrs: { kernel_shape: [2, 2] } }), GlobalMaxPool: () => unary,
  Softmax: () => ({ attrs: { axis: 1 } }), LogSoftmax: () => ({ attrs: { axis: 1 } }),
  ArgMax: () => ({ attrs: { axis: 1 }, dtype: 'int64' }), ArgMin: () => ({ attrs: { axis: 1 }, dtype: 'int64' }),
  ReduceMean: () => ({ attrs: { axes: [2] } }), ReduceMax: () => ({ attrs: { axes: [2] } }), ReduceMin: () => ({ attrs: { axes: [2] } }),
  ReduceProd: () => ({ attrs: { axes: [2] } }), ReduceSumSquare: () => ({ attrs: { axes: [2] } }),
  ReduceSum: (o) => (o >= 13 ? { consts: [i64('a', [2])] } : { attrs: { axes: [2] } }),
  Transpose: () => ({ attrs: { perm: [0, 2, 1, 3] } }), Flatten: () => ({ attrs: { axis: 1 } }),
  Reshape: () => withK(i64('s', [2, 12])), Expand: () => withK(i64('s', [2, 2, 3, 4])), Tile: () => withK(i64('r', [1, 2, 1, 1])),
  Gather: () => ({ consts: [i64('i', [0, 2])], attrs: { axis: 2 } }),
  GatherElements: (o) => (o >= 11 ? { consts: [{ name: 'i', dims: [1, 1, 1, 1], data: new BigInt64Array(1), dtype: 'int64' }], attrs: { axis: 2 } } : undefined),
  Concat: () => ({ consts: [f('k', [1, 2, 3, 4])], attrs: { axis: 0 } }),
  Split: (o): Probe => (o >= 13 ? { consts: [i64('s', [1, 2])], attrs: { axis: 2 }, outputs: 2 } : { attrs: { axis: 2, split: [1, 2] }, outputs: 2 }),
  Slice: (o) => (o >= 10 ? { consts: [i64('s', [1]), i64('e', [3]), i64('a', [2])] } : { attrs: { axes: [2], starts: [1], ends: [3] } }),
  Pad: (o) => (o >= 11 ? { consts: [i64('p', [0, 0, 1, 1, 0, 0, 1, 1])] } : { attrs: { pads: [0, 0, 1, 1, 0, 0, 1, 1] } }),
  Squeeze: (o) => (o >= 13 ? { consts: [i64('a', [0])] } : { attrs: { axes: [0] } }),
  Unsqueeze: (o) => (o >= 13 ? { consts: [i64('a', [0])] } : { attrs: { axes: [0] } }),
  Clip: (o) => (o >= 13 ? { consts: [{ name: 'lo', dims: [], data: new Float64Array([0.6]) }, { name: 'hi', dims: [], data: new Float64Array([1]) }] } : undefined),
  TopK: (o) => (o >= 10 ? { consts: [i64('k', [2])], attrs: { axis: 3 }, outputs: 2 } : undefined),
  Where: () => ({ inputs: [{ name: 'c', dims: [4], data: Uint8Array.from([1, 0, 1, 0]), dtype: 'bool' }, x], consts: [f('k', [4])] }),
  Dropout: () => unary,
  LayerNormalization: (o) => (o >= 17 ? { consts: [f('s', [4]), f('b', [4])], attrs: { axis: -1 } } : undefined),
  Cast: () => ({ attrs: { to: 11 } }),
  Shape: () => ({ dtype: 'int64' }), Size: () => ({ dtype: 'int64' }),
  Constant: () => ({ inputs: [], attrs: { value: { tensor: f('v', [2]) } } }),
  ConstantOfShape: () => ({ inputs: [i64('s', [2, 3])], attrs: { value: { tensor: { name: 'v', dims: [1], data: new Float64Array([1.5]) } } } }),
  Range: (o) => (o >= 11 ? { inputs: [{ name: 'a', dims: [], data: new Float64Array([0]) }], consts: [{ name: 'b', dims: [], data: new Float64Array([3]) }, { name: 'd', dims: [], data: new Float64Array([0.5]) }] } : undefined),
};

async function runs(op: string, opset: number, p: Probe): Promise<string | undefined> {
  const inputs = p.inputs ?? [x];
  const outs = Array.from({ length: p.outputs ?? 1 }, (_, i) => `y${i}`);
  const bytes = buildModel({
    opset,
    inputs: inputs.map((i) => ({ name: i.name, shape: i.dims, dtype: i.dtype ?? 'float64' })),
    outputs: outs.map((name, i) => ({ name, dtype: i === 1 && op === 'TopK' ? 'int64' : p.dtype ?? 'float64' })),
    initializers: p.consts ?? [],
    nodes: [{ op, inputs: [...inputs.map((i) => i.name), ...(p.consts ?? []).map((c) => c.name)], outputs: outs, attrs: p.attrs }],
  });
  try {
    const s = await createOrt(bytes, { logLevel: 'fatal' }, `${op} probe`);
    const { ort } = await loadRuntime();
    const feeds = Object.fromEntries(inputs.map((i) => [i.name, new ort.Tensor(i.dtype === 'int64' ? 'int64' : i.dtype === 'bool' ? 'bool' : 'float64', i.data as Float64Array, i.dims)]));
    await runOrt(s, feeds, `${op} probe`);
    await s.release();
    return undefined;
  } catch (e) {
    return String((e as Error).message).replace(/\s+/g, ' ').slice(0, 160);
  }
}

t.test('NATIVE_F64 ops run in float64 in onnxruntime-web at opsets 9, 11 and 13', async (t) => {
  const quiet = console.error;
  console.error = () => undefined; // createOrt/runOrt log a summary on each expected failure
  const failures: string[] = [];
  try {
    for (const op of NATIVE_F64) {
      const probe = PROBES[op];
      t.ok(probe, `${op} has a probe`);
      if (!probe) continue;
      for (const opset of op === 'LayerNormalization' ? [17] : [9, 11, 13]) {
        const p = probe(opset);
        if (!p) continue;
        const err = await runs(op, opset, p);
        if (err) failures.push(`${op}@${opset}: ${err}`);
      }
    }
  } finally {
    console.error = quiet;
  }
  t.same(failures, [], 'every listed op runs in float64');
});

t.test('LOWERINGS cover ops that onnxruntime-web lacks in float64', async (t) => {
  const quiet = console.error;
  console.error = () => undefined;
  const cases: Record<string, { opset: number; p: Probe }> = {
    Conv: { opset: 11, p: { consts: [f('w', [2, 2, 1, 1])] } },
    ConvTranspose: { opset: 11, p: { consts: [f('w', [2, 2, 1, 1])] } },
    AveragePool: { opset: 11, p: { attrs: { kernel_shape: [2, 2] } } },
    GlobalAveragePool: { opset: 11, p: unary },
    HardSigmoid: { opset: 11, p: unary },
    Clip: { opset: 11, p: { consts: [{ name: 'lo', dims: [], data: new Float64Array([0]) }] } },
    Resize: { opset: 11, p: { consts: [f('roi', [0]), { name: 's', dims: [4], data: new Float32Array([1, 1, 2, 2]) }], attrs: { mode: 'nearest' } } },
    HardSwish: { opset: 14, p: unary },
    LeakyRelu: { opset: 11, p: unary },
    PRelu: { opset: 11, p: withK(f('k', [4])) },
    GlobalMaxPool: { opset: 11, p: unary },
    Mean: { opset: 11, p: withK(f('k', [4])) },
    Erf: { opset: 13, p: unary },
    Gelu: { opset: 20, p: unary },
  };
  try {
    for (const op of Object.keys(LOWERINGS)) {
      const c = cases[op];
      if (!c) continue; // Upsample: deprecated, exercised through lower-f64 tests
      t.ok(await runs(op, c.opset, c.p), `${op}@${c.opset} fails natively in float64`);
    }
  } finally {
    console.error = quiet;
  }
});
