// collide at a stem tensor (issue 11): a ResNet-50-shaped stem (Conv 7×7/2 64 + BatchNorm + ReLU +
// MaxPool 3×3/2 pad 1, then a residual block) and an AlexNet-shaped one (Conv 11×11/4 64 + ReLU +
// MaxPool 3×3/2), random weights, built here at 224×224, through createPipeline(...).process() with
// default flags — what `nullspace collide` runs per image. Photo-like 8-bit inputs with ~5% of
// their pixels clipped to 0/255. Set-up (graph walk, folded conv, ‖A‖, the windows) apart from the
// per-image work (level set, primal–dual steps, exact stage, strength rounds, the certificates).
// Standalone: `node --import tsx bench/collide-stem.ts [--images 2] [--only resnet]`.
import os from 'node:os';
import { createPipeline } from '../src/collide/pipeline.js';
import { photoLike, stemModel, type StemSpec } from '../src/stem/example.js';

const tool = { name: 'nullspace', version: 'bench' };
const i = process.argv.indexOf('--images');
const images = i > 0 ? Number(process.argv[i + 1]) : 2;
const o = process.argv.indexOf('--only');
const only = o > 0 ? process.argv[o + 1] : undefined;

const cases: [string, StemSpec][] = [
  ['resnet', { h: 224, w: 224, outC: 64, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 }, after: 'residual', seed: 50 }],
  ['alexnet', { h: 224, w: 224, outC: 64, k: 11, stride: 4, pad: 2, pool: { k: 3, stride: 2, pad: 0 }, seed: 12 }],
];

console.log(`collide at the stem — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, ${new Date().toISOString()}, ${images} image(s) each, default flags (pixel RMS 0.05 asked)\n`);
console.log('| stem, 224×224 | set-up s | per image s (mean) | exact | L | equality rows | dimension ≥ | PSNR dB reached | RMS reached / asked | primal–dual steps | CG steps | winners residual | smallest slack |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, spec] of cases) {
  if (only && name !== only) continue;
  const t0 = performance.now();
  const p = await createPipeline(stemModel(spec), { normalization: { mean: 0, std: 1 }, tool });
  const setup = (performance.now() - t0) / 1000;
  const times: number[] = []; let exact = 0; const psnr: number[] = []; const recs = [];
  for (let k = 0; k < images; k++) {
    const t1 = performance.now();
    const r = p.process(photoLike(224, 224, 100 + k), k, `photo ${k}`);
    times.push((performance.now() - t1) / 1000);
    if (r.record.verdict === 'exact') exact++;
    psnr.push(r.record.exact.psnr);
    recs.push(r.record);
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const s = recs.map((r) => r.stem!);
  const fmt = (f: (x: (typeof s)[number]) => number, d = 0) => s.map((x) => f(x).toFixed(d)).join(' / ');
  const exp = (f: (x: (typeof s)[number]) => number) => s.map((x) => f(x).toExponential(1)).join(' / ');
  console.log(`| ${name} | ${setup.toFixed(1)} | ${mean(times).toFixed(1)} | ${exact}/${images} | ${s[0]?.at} | ${fmt((x) => x.equalities)} | ${fmt((x) => x.dimensionBound)} | ${psnr.map((v) => v.toFixed(1)).join(' / ')} | ${recs.map((r) => `${r.strength!.reached.toFixed(3)}/${r.strength!.asked.toFixed(2)}`).join(' ')} | ${fmt((x) => x.solver.iterations * x.solver.aimRounds)} | ${fmt((x) => x.solver.cgSteps)} | ${exp((x) => x.equalityResidual)} | ${exp((x) => x.minSlack)} |`);
}
console.log('\nTarget (issue 11): ≤ 10 s per image for the ResNet-50-shaped stem.');
