import t from 'tap';
import { core } from '../../src/core/index.js';
import { conv2d, conv2dAdjoint, convOperator } from '../../src/linalg/conv.js';
import { convGeometry, outputSize, type ConvGeometry } from '../../src/linalg/geometry.js';
import { randn, rng } from '../../src/linalg/random.js';
import { dot, naiveConv, randomGeometry, relErr } from './naive.js';

const named: Array<[string, ConvGeometry]> = [
  ['3×3 s2 p1 (PP-OCR stem)', convGeometry({ c: 3, h: 12, w: 20, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 })],
  ['groups 2, dilation 2×1, asymmetric padding', convGeometry({ c: 4, h: 13, w: 9, outC: 6, kh: 3, kw: 2, dh: 2, dw: 1, padTop: 2, padLeft: 0, padBottom: 1, padRight: 3, groups: 2 })],
  ['depthwise 3×3', convGeometry({ c: 5, h: 7, w: 6, outC: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, groups: 5 })],
  ['stride 4 > kernel 2', convGeometry({ c: 2, h: 11, w: 10, outC: 3, kh: 2, kw: 2, sh: 4, sw: 3 })],
  ['patch 4×4/4 (disjoint)', convGeometry({ c: 3, h: 16, w: 12, outC: 16, kh: 4, kw: 4, sh: 4, sw: 4 })],
  ['1×1', convGeometry({ c: 3, h: 5, w: 5, outC: 7, kh: 1, kw: 1 })],
];

t.test('conv2d(x, w, g) equals a naive nested-loop convolution (float64 ≤ 1e-12, float32 ≤ 1e-5)', (t) => {
  const base = core.allocations;
  const u = rng(7);
  const geos = [...named, ...Array.from({ length: 20 }, (_, i) => [`random ${i}`, randomGeometry(() => u.uniform())] as [string, ConvGeometry])];
  for (const [name, g] of geos) {
    const x = randn(g.c * g.h * g.w, 1), w = randn(g.outC * (g.c / g.groups) * g.kh * g.kw, 2);
    const ref = naiveConv(x, w, g);
    t.ok(relErr(conv2d(x, w, g), ref) <= 1e-12, `${name} float64`);
    const y32 = conv2d(Float32Array.from(x), Float32Array.from(w), g);
    t.ok(y32 instanceof Float32Array && relErr(y32, ref) <= 1e-5, `${name} float32`);
  }
  t.equal(core.allocations, base, 'arena allocation count returns to baseline');
  t.end();
});

t.test('conv2d(x, w, g, bias) adds bias per output channel', (t) => {
  const g = named[0]![1];
  const x = randn(g.c * g.h * g.w, 3), w = randn(g.outC * g.c * 9, 4), b = randn(g.outC, 5);
  const y = conv2d(x, w, g, b), y0 = naiveConv(x, w, g);
  const plane = outputSize(g).oh * outputSize(g).ow;
  let e = 0;
  for (let i = 0; i < y.length; i++) e = Math.max(e, Math.abs(y[i]! - y0[i]! - b[Math.floor(i / plane)]!));
  t.ok(e <= 1e-13);
  t.end();
});

t.test('conv2dAdjoint(y, w, g) satisfies ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩', (t) => {
  const u = rng(8);
  const geos = [...named.map((p) => p[1]), ...Array.from({ length: 20 }, () => randomGeometry(() => u.uniform()))];
  let worst = 0, worst32 = 0;
  geos.forEach((g, i) => {
    const { oh, ow } = outputSize(g);
    const x = randn(g.c * g.h * g.w, 10 + i), w = randn(g.outC * (g.c / g.groups) * g.kh * g.kw, 11 + i), y = randn(g.outC * oh * ow, 12 + i);
    const lhs = dot(conv2d(x, w, g), y), rhs = dot(x, conv2dAdjoint(y, w, g));
    worst = Math.max(worst, Math.abs(lhs - rhs) / (Math.abs(lhs) + Math.abs(rhs)));
    const r32 = dot(x, conv2dAdjoint(Float32Array.from(y), Float32Array.from(w), g));
    worst32 = Math.max(worst32, Math.abs(lhs - r32) / (Math.abs(lhs) + Math.abs(r32)));
  });
  t.ok(worst <= 1e-12, `float64 worst relative gap ${worst}`);
  t.ok(worst32 <= 1e-5, `float32 worst relative gap ${worst32}`);
  t.end();
});

t.test('convOperator(w, g) products equal conv2d/conv2dAdjoint, reuse out, and free their memory', (t) => {
  const base = core.allocations, used = core.used;
  const g = named[1]![1];
  const w = randn(g.outC * (g.c / g.groups) * g.kh * g.kw, 20);
  const op = convOperator(w, g);
  const { oh, ow } = outputSize(g);
  t.equal(op.rows, g.outC * oh * ow);
  t.equal(op.cols, g.c * g.h * g.w);
  const x = randn(op.cols, 21), y = randn(op.rows, 22), x0 = x.slice(), y0 = y.slice();
  const out = new Float64Array(op.rows);
  t.equal(op.apply(x, out), out);
  t.ok(relErr(out, conv2d(x, w, g)) <= 1e-15);
  const outT = new Float64Array(op.cols);
  t.equal(op.applyT(y, outT), outT);
  t.ok(relErr(outT, conv2dAdjoint(y, w, g)) <= 1e-15);
  t.same(x, x0); t.same(y, y0);
  w.fill(0);
  t.ok(relErr(op.apply(x), out) <= 1e-15, 'the operator keeps its own copy of the weight');
  t.equal(core.allocations, base);
  t.equal(core.used, used);
  t.end();
});

t.test('conv2d/conv2dAdjoint/convOperator reject bad arguments with clear messages', (t) => {
  const g = named[0]![1];
  const x = new Float64Array(g.c * g.h * g.w), w = new Float64Array(8 * 27);
  t.throws(() => conv2d(x, new Float64Array(5), g), /Expected length 216 for weight but received length 5/);
  t.throws(() => conv2d(x, Float32Array.from(w) as unknown as Float64Array, g), /Expected a float64 array like the input for weight/);
  t.throws(() => conv2d(x.subarray(1), w, g), /Expected length 720 for x/);
  t.throws(() => conv2d(x, w, g, new Float64Array(3)), /Expected length 8 for bias/);
  t.throws(() => conv2d(x, w.map((_, i) => (i === 4 ? Infinity : 0)), g), /Expected finite values for weight but received Infinity at index 4/);
  t.throws(() => conv2dAdjoint(new Float64Array(3), w, g), /Expected length 480 for y/);
  t.throws(() => convOperator(w, { ...g, c: -3 }), /Expected an integer between 1 and \d+ for geometry.c but received -3/);
  const op = convOperator(w, g);
  t.throws(() => op.apply(new Float64Array(3)), /Expected length 720 for x/);
  t.throws(() => op.applyT(new Float64Array(480), new Float64Array(2)), /Expected length 720 for out/);
  t.throws(() => op.apply(new Float32Array(720) as unknown as Float64Array), /Expected a Float64Array for x/);
  t.end();
});

t.test('conv2d(x, w, g, bias) agrees with onnxruntime-web’s Conv (float32) on a grouped, dilated, strided, padded layer', async (t) => {
  const ort = await import('onnxruntime-web');
  const { buildModel } = await import('../../src/onnx/writer.js');
  ort.env.wasm.numThreads = 1;
  const cases: ConvGeometry[] = [
    convGeometry({ c: 4, h: 13, w: 11, outC: 6, kh: 3, kw: 2, sh: 2, sw: 3, dh: 2, dw: 1, padTop: 2, padLeft: 0, padBottom: 1, padRight: 3, groups: 2 }),
    convGeometry({ c: 3, h: 48, w: 192, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }),
  ];
  for (const g of cases) {
    const x = Float32Array.from(randn(g.c * g.h * g.w, 30)), w = Float32Array.from(randn(g.outC * (g.c / g.groups) * g.kh * g.kw, 31));
    const b = Float32Array.from(randn(g.outC, 32));
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [1, g.c, g.h, g.w] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: {
        kernel_shape: [g.kh, g.kw], strides: [g.sh, g.sw], dilations: [g.dh, g.dw], group: g.groups,
        pads: [g.padTop, g.padLeft, g.padBottom, g.padRight] } }],
      initializers: [{ name: 'w', dims: [g.outC, g.c / g.groups, g.kh, g.kw], data: w }, { name: 'b', dims: [g.outC], data: b }],
    });
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, g.c, g.h, g.w]) });
    const ref = out.y!.data as Float32Array;
    const { oh, ow } = outputSize(g);
    t.same(out.y!.dims, [1, g.outC, oh, ow], 'same output shape');
    t.ok(relErr(conv2d(x, w, g, b), ref) <= 1e-5, `${g.c}×${g.h}×${g.w} → ${g.outC}×${oh}×${ow}`);
    await session.release();
  }
});
