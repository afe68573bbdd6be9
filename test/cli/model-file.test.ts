import t from 'tap';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from '../../src/cli/model-file.js';
import { indexGraph } from '../../src/onnx/graph.js';
import { weightReader } from '../../src/onnx/weights.js';
import { buildModel, rawBytes } from '../../src/onnx/writer.js';
import type { GraphProto } from '../../src/onnx/proto.js';

const W = Float32Array.from({ length: 12 }, (_, i) => i - 5);

/** Writes model.onnx into dir whose weight w [3, 4] lives in external data described by `ext`. */
function modelWith(dir: string, ext: { location: string; offset?: number | string; length?: number | string }): string {
  mkdirSync(dir, { recursive: true });
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, 3] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [3, 4], data: W, external: ext }],
  });
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytes);
  return path;
}

function readWeight(path: string, maxBytes?: number): Float64Array {
  const f = readModelFile(path);
  const idx = indexGraph(f.model.graph as GraphProto, f.label);
  return weightReader(idx, { where: f.label, external: f.external, maxBytes }).constant('w')!.data;
}

t.test('readModelFile(path) reads external data beside the model at its offset', (t) => {
  const dir = t.testdir({});
  const pad = new Uint8Array(100).fill(7);
  writeFileSync(join(dir, 'weights.bin'), Buffer.concat([pad, rawBytes(W, 'float32'), pad]));
  t.same(Array.from(readWeight(modelWith(dir, { location: 'weights.bin', offset: 100, length: 48 }))), Array.from(W));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'w.bin'), rawBytes(W, 'float32'));
  t.same(Array.from(readWeight(modelWith(dir, { location: './sub/w.bin' }))), Array.from(W), 'a subfolder, no offset or length');
  t.end();
});

t.test('readModelFile(path) refuses external data outside the model folder, through links, or beyond the file', (t) => {
  const root = t.testdir({ outside: { 'secret.bin': 'x'.repeat(64) }, model: {} });
  const dir = join(root, 'model');
  writeFileSync(join(dir, 'w.bin'), rawBytes(W, 'float32'));
  const cases: [string, { location: string; offset?: number | string; length?: number | string }, RegExp][] = [
    ['absolute', { location: join(root, 'outside', 'secret.bin') }, /^model\.onnx:initializer w: external data location ".*secret\.bin" is an absolute path; it must be relative to the model's folder$/],
    ['..', { location: '../outside/secret.bin' }, /escapes the model's folder \(".."\)$/],
    ['hidden ..', { location: 'sub/../../outside/secret.bin' }, /escapes the model's folder/],
    ['offset beyond the file', { location: 'w.bin', offset: 40 }, /^model\.onnx:tensor w: external data offset 40 \+ length 48 exceeds the size of "w\.bin" \(48 bytes\)$/],
    ['length mismatch', { location: 'w.bin', offset: 0, length: 44 }, /external data length 44 does not match dims \[3,4\] × 4 bytes = 48/],
    ['missing file', { location: 'nothere.bin' }, /^model\.onnx:tensor w: missing external data file "nothere\.bin"$/],
    ['bad offset', { location: 'w.bin', offset: 'ten' }, /offset "ten" is not a non-negative integer/],
  ];
  for (const [what, ext, re] of cases) t.throws(() => readWeight(modelWith(dir, ext)), re, what);
  symlinkSync(join(root, 'outside', 'secret.bin'), join(dir, 'link.bin'));
  t.throws(() => readWeight(modelWith(dir, { location: 'link.bin' })), /external data location "link\.bin" goes through a symbolic link; refused/);
  symlinkSync(join(root, 'outside'), join(dir, 'linkdir'));
  t.throws(() => readWeight(modelWith(dir, { location: 'linkdir/secret.bin' })), /goes through a symbolic link/);
  t.end();
});

t.test('readModelFile(path, maxBytes) refuses a tensor above the limit before reading it', (t) => {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'w.bin'), rawBytes(W, 'float32'));
  const path = modelWith(dir, { location: 'w.bin' });
  // 12 values decode to 96 float64 bytes
  t.throws(() => readWeight(path, 95), /tensor needs 96 bytes, above the limit of 95 \(--max-bytes\)/);
  t.equal(readWeight(path, 96).length, 12);
  t.end();
});

t.test('readModelFile(path) names a missing file, a non-ONNX file and a truncated one', (t) => {
  const dir = t.testdir({ 'notes.txt': 'hello world, not a model\n' });
  t.throws(() => readModelFile(join(dir, 'nope.onnx')), /^nope\.onnx: cannot read .*nope\.onnx \(no such file\)$/);
  t.throws(() => readModelFile(dir), /: .* is not a file$/);
  t.throws(() => readModelFile(join(dir, 'notes.txt')), /^notes\.txt: not an ONNX file/);
  const bytes = buildModel({ inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
  writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, bytes.length - 3));
  t.throws(() => readModelFile(join(dir, 'cut.onnx')), /^cut\.onnx: truncated ONNX file/);
  t.end();
});
