// The stem at ImageNet size: random-initialised ResNet-50- and AlexNet-shaped stems built here at
// 224×224 (ResNet: Conv 7×7/2 64 + BatchNorm + ReLU + MaxPool 3×3/2 pad 1, then a residual block;
// AlexNet: Conv 11×11/4 pad 2 64 + ReLU + MaxPool 3×3/2), a photo-like input with clipped pixels,
// the default noise direction at the default strength (fixed, so one solve each). Checked by
// onnxruntime at float64 with L exposed: exact at L and at the outputs, PSNR ≤ 40 dB, the first layer
// moved — together. L is the pool output for ResNet (its ReLU output pins x); for AlexNet (11×11/4:
// fewer positive conv outputs than pixels) the ReLU output already has room, and is taken.
import t from 'tap';
import { createPipeline } from '../../src/collide/pipeline.js';
import { toModelTensor } from '../../src/image/tensor.js';
import { createSession } from '../../src/runtime/session.js';
import { boundImage } from '../collide/models.js';
import type { Image } from '../../src/image/image.js';
import { stemModel, type StemSpec } from '../../src/stem/example.js';
import { none, relDiff, tool } from './shared.js';

const shapes: [string, StemSpec][] = [
  ['ResNet-50', { h: 224, w: 224, outC: 64, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 }, after: 'residual', seed: 50 }],
  ['AlexNet', { h: 224, w: 224, outC: 64, k: 11, stride: 4, pad: 2, pool: { k: 3, stride: 2, pad: 0 }, seed: 12 }],
];

for (const [name, spec] of shapes) {
  t.test(`${name}-shaped stem at 224×224: exact past the first layer, visible`, async (t) => {
    const bytes = stemModel(spec);
    const p = await createPipeline(bytes, { normalization: none, tool, alpha: 0.05, stemIterations: 100 });
    const x = boundImage('photo', 224, 224, 11);
    const r = p.process(x, 0, 'photo');
    const rec = r.record;
    const at = rec.stem?.at ?? 'p';
    const s = await createSession(bytes, { precision: 'f64', expose: [at, 'z0'] });
    const feed = (img: Image) => ({ x: { data: toModelTensor(img, { ...none, channels: 3 }), dims: [1, 3, 224, 224] } });
    const a = await s.run(feed(r.x)); const b = await s.run(feed(r.xPrime));
    await s.release();
    const atL = relDiff(a[at]!.data as Float64Array, b[at]!.data as Float64Array);
    const out = relDiff(a.out!.data as Float64Array, b.out!.data as Float64Array);
    const first = relDiff(a.z0!.data as Float64Array, b.z0!.data as Float64Array);
    const ok = rec.verdict === 'exact' && (name === 'AlexNet' ? ['a', 'p'] : ['p']).includes(at) && atL <= 1e-12 && out <= 1e-12 && first > 1e-3 && rec.exact.psnr <= 40 && rec.stem!.broken === 0;
    t.ok(ok, `${name}: ${rec.verdict} at ${rec.stem!.at} (onnxruntime f64: L ${atL.toExponential(2)}, outputs ${out.toExponential(2)}; first layer moved ${first.toExponential(2)}); PSNR ${rec.exact.psnr.toFixed(1)} dB; ${rec.stem!.equalities} equality rows, dimension ≥ ${rec.stem!.dimensionBound}`);
    if (!ok) t.comment(JSON.stringify({ reason: rec.reason, stem: rec.stem }));
  });
}
