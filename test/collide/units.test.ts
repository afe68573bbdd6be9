// Unit checks of the collide building blocks against independent references: unread inputs in
// the nullity bound, analyse's injectivity certificate against Lanczos, per-window masks in patch
// mode, α for a PSNR, the verdict thresholds and the record's JSON. (The column restriction and the
// block-triangular proof itself are tested in test/linalg/restrict-columns.test.ts and conv-structure.test.ts.)
import t from 'tap';
import { imageOperator, operatorNorm } from '../../src/collide/operator.js';
import { analyse } from '../../src/collide/analyse.js';
import { alphaForPsnr, psnrOfRms, resolveAlpha } from '../../src/collide/strength.js';
import { verdictOf, formatRecord, EXACT_TOL, MIN_MOVE_RMS } from '../../src/collide/report.js';
import { createPipeline } from '../../src/collide/pipeline.js';
import { loadFirstLayer } from '../../src/collide/model-layer.js';
import { buildModel } from '../../src/onnx/writer.js';
import { smallestSingularTriplets } from '../../src/linalg/lanczos.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import { randn } from '../../src/linalg/random.js';
import type { FirstLayerSpec } from '../../src/collide/layer.js';
import { convModel, testImage } from './models.js';

t.test('imageOperator counts unread inputs (stride > kernel) into the nullity bound', (t) => {
  const g = convGeometry({ c: 1, h: 9, w: 9, outC: 4, kh: 2, kw: 2, sh: 3, sw: 3 });
  const a = imageOperator({ kind: 'conv', weight: randn(16, 4), geometry: g });
  t.equal(a.freeCount, 81 - 36, 'a 2×2 window every 3 pixels reads 36 of 81');
  t.equal(a.nullityLowerBound, 45 + Math.max(0, 36 - 36));
  t.end();
});

t.test('analyse: the block-triangular certificate proves what Lanczos sees, and declines when its argument does not apply', (t) => {
  const g = convGeometry({ c: 3, h: 10, w: 10, outC: 16, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const layer: FirstLayerSpec = { kind: 'conv', weight: randn(16 * 27, 5), geometry: g };
  const a = imageOperator(layer);
  const f = analyse(a, undefined, { norm: operatorNorm(a) }).figures;
  t.equal(f.certificate!.injective, true, f.certificate!.reason);
  t.match(f.certificate!.reason, /^A_img is block-triangular .*\(16×12 per group\) has full column rank/);
  t.equal(f.certificate!.blockCondition!.length, 1);
  t.equal(f.trivial, true);
  t.equal(f.sigmaMinRelative, undefined, 'proven without Lanczos');
  const s = smallestSingularTriplets(a.op, 1, { maxIter: 2000, tol: 1e-12 });
  t.ok(s.values[0]! > 1e-3, `σ_min ${s.values[0]} > 0`);
  // 2←1 3×3/1 pad 1: tall, but every output order has a 2×4 corner block: no claim, Lanczos decides
  const g1 = convGeometry({ c: 1, h: 5, w: 5, outC: 2, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const a1 = imageOperator({ kind: 'conv', weight: randn(18, 6), geometry: g1 });
  const f1 = analyse(a1, undefined, { norm: operatorNorm(a1) }).figures;
  t.equal(f1.certificate!.injective, false);
  t.match(f1.certificate!.reason, /^not block-triangular/);
  t.equal(f1.trivial, true, `Lanczos: σ_min/‖A‖ ${f1.sigmaMinRelative}`);
  // a dense layer is not a convolution
  const d = imageOperator({ kind: 'dense', weight: randn(12 * 6, 7), m: 12, n: 6, c: 1, h: 2, w: 3 });
  t.same(analyse(d, undefined, { norm: operatorNorm(d) }).figures.certificate, { injective: false, reason: 'not a convolution' });
  t.end();
});

t.test('patch mode with a per-window mask: windows with multiplier 0 stay untouched, the fold stays exact', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 8, k: 4, stride: 4 });
  const mask = { width: 4, height: 4, channels: 1 as const, bitDepth: 8 as const, data: Float64Array.from({ length: 16 }, (_, i) => (i % 4 < 2 ? 1 : 0)) };
  const p = await createPipeline(m.bytes, { method: 'patch', normalization: { mean: 0, std: 1 }, tool: { name: 'n', version: 't' }, mask, alpha: 0.05 });
  const r = p.process(testImage(16, 16, 8), 0, 'img');
  t.equal(r.record.mask!.kind, 'window');
  t.ok(r.record.exact.residual <= 1e-13, `residual ${r.record.exact.residual}`);
  let outside = 0;
  for (let y = 0; y < 16; y++) for (let x = 8; x < 16; x++) for (let c = 0; c < 3; c++) outside = Math.max(outside, Math.abs(r.xPrime.data[(y * 16 + x) * 3 + c]! - r.x.data[(y * 16 + x) * 3 + c]!));
  t.equal(outside, 0);
});

t.test('alphaForPsnr / resolveAlpha: α scales a unit-RMS direction; --target keeps P(t − x) whole at α = 1', (t) => {
  t.ok(Math.abs(psnrOfRms(alphaForPsnr(24, 0.3) * 0.3) - 24) < 1e-12);
  t.same(resolveAlpha({ target: true }, 0.7), { alpha: 1, scale: 1 });
  const r = resolveAlpha({ alpha: 0.1, target: false }, 0.5);
  t.equal(r.scale, 0.2);
  t.throws(() => alphaForPsnr(20, 0), /zero perturbation/);
  t.throws(() => resolveAlpha({ alpha: Infinity, target: false }, 1), /Expected a finite number for alpha but received Infinity of type number/);
  t.end();
});

t.test('verdictOf: exact ≤ 1e-12 and moved, unmoved below MIN_MOVE_RMS whatever the residual, approximate < 0.1, else none; formatRecord writes non-finite numbers as null', (t) => {
  t.equal(EXACT_TOL, 1e-12, 'the threshold verify uses');
  t.equal(verdictOf(EXACT_TOL, 0.05), 'exact');
  t.equal(verdictOf(2 * EXACT_TOL, 0.05), 'approximate');
  t.equal(verdictOf(1e-5, 0.05), 'approximate');
  t.equal(verdictOf(0.5, 0.05), 'none');
  t.equal(verdictOf(NaN, 0.05), 'none');
  t.equal(verdictOf(0, 0), 'unmoved', 'x\' = x is not an exact collision');
  t.equal(verdictOf(0, MIN_MOVE_RMS / 2), 'unmoved');
  t.equal(verdictOf(0, MIN_MOVE_RMS), 'exact');
  t.match(formatRecord({ psnr: Infinity } as never), /"psnr":null/);
  t.end();
});

t.test('loadFirstLayer: W (m, n) with y = W·flatten(x) from Gemm (alpha, beta, transB) and MatMul', (t) => {
  const c = 2, h = 2, w = 3, n = c * h * w, m = 4;
  const data = Array.from({ length: m * n }, (_, i) => (i % 7) - 3 + i / 16);
  const bias = [0.5, -1, 2, 0.25];
  const cases = [
    { op: 'Gemm', transB: 0, alpha: 2, beta: 3 },
    { op: 'Gemm', transB: 1, alpha: 0.5, beta: 1 },
    { op: 'MatMul', transB: 0, alpha: 1, beta: 1 },
  ];
  for (const k of cases) {
    const dense = k.op === 'Gemm'
      ? { op: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['y'], attrs: { transB: k.transB, alpha: { float: k.alpha }, beta: { float: k.beta } } }
      : { op: 'MatMul', inputs: ['f', 'w'], outputs: ['y'] };
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [1, c, h, w] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 } }, dense],
      initializers: [{ name: 'w', dims: k.transB ? [m, n] : [n, m], data }, { name: 'b', dims: [m], data: bias }],
    });
    const spec = loadFirstLayer(bytes).spec;
    if (spec.kind !== 'dense') { t.fail('dense layer expected'); continue; }
    t.same([spec.m, spec.n], [m, n], `${k.op} transB ${k.transB}: shape`);
    // W[j, i] multiplies input i into output j: B[j, i] with transB, else B[i, j]
    const expected = Array.from({ length: m * n }, (_, q) => {
      const j = Math.floor(q / n), i = q % n;
      return k.alpha * data[k.transB ? j * n + i : i * m + j]!;
    });
    t.same(Array.from(spec.weight), expected, `${k.op} transB ${k.transB} alpha ${k.alpha}: W`);
    t.same(spec.bias && Array.from(spec.bias), k.op === 'Gemm' ? bias.map((b) => b * k.beta) : undefined, `${k.op}: bias × beta`);
  }
  t.end();
});
