import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy, isNpy } from '../../src/image/npy.js';
import { imageToNpy, npyToImage } from '../../src/image/image-npy.js';
import { prng } from './fixtures.js';
import { PYTHON, noNumpy } from '../helpers/python.js';


function python(script: string): string {
  const r = spawnSync(PYTHON ?? 'python3', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON ?? 'python3'} failed: ${r.stderr}`);
  return r.stdout;
}

t.test('writeNpy → readNpy round-trips float64 and float32 arrays of several shapes', (t) => {
  const r = prng(3);
  for (const shape of [[2, 3, 4], [5], [], [0, 3], [48, 192, 3]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const f64 = Float64Array.from({ length: n }, () => (r() - 0.5) * 1e3);
    const f32 = Float32Array.from(f64);
    for (const data of [f64, f32]) {
      const bytes = writeNpy(data, shape);
      t.ok(isNpy(bytes));
      const headerLen = bytes[8]! | (bytes[9]! << 8);
      t.equal((10 + headerLen) % 64, 0, 'data starts at a multiple of 64 bytes');
      const back = readNpy(bytes);
      t.same(back.shape, shape);
      t.equal(back.dtype, data instanceof Float64Array ? '<f8' : '<f4');
      t.equal(back.data.constructor, data.constructor);
      t.ok(back.data.every((v, i) => Object.is(v, data[i])), `values identical for shape (${shape.join(', ')})`);
    }
  }
  const header = (b: Uint8Array) => new TextDecoder().decode(b.subarray(10, 10 + (b[8]! | (b[9]! << 8))));
  const text = header(writeNpy(new Float64Array(6), [2, 3]));
  t.equal(text, `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`.padEnd(117, ' ') + '\n');
  t.equal(header(writeNpy(new Float64Array(5), [5])).trim(), `{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }`);
  t.end();
});

t.test('writeNpy validates its arguments', (t) => {
  t.throws(() => writeNpy(new Float64Array(5), [2, 3]), /Expected length 6 \(shape \(2, 3\)\) for data but received length 5/);
  t.throws(() => writeNpy([1, 2] as unknown as Float64Array, [2]), /Expected a Float64Array or Float32Array for data but received 1,2 of type array/);
  t.throws(() => writeNpy(new Float64Array(2), [2.5]), /Expected an integer between 0 and \d+ for shape\[0\]/);
  t.end();
});

t.test('readNpy rejects malformed files with the location and what is wrong', (t) => {
  const good = writeNpy(Float64Array.from([1, 2, 3, 4]), [2, 2]);
  const edit = (f: (b: Uint8Array) => void) => { const b = good.slice(); f(b); return b; };
  const headerLen = good[8]! | (good[9]! << 8);
  const setHeader = (s: string) => { const b = good.slice(); const h = s.padEnd(headerLen - 1, ' ') + '\n'; for (let i = 0; i < headerLen; i++) b[10 + i] = h.charCodeAt(i); return b; };
  t.throws(() => readNpy(new Uint8Array([1, 2, 3]), 'x.npy'), { name: 'InputError', message: 'x.npy: not a .npy file (bad magic string)' });
  t.throws(() => readNpy(edit((b) => { b[6] = 4; }), 'x.npy'), /^x\.npy: unsupported \.npy format version 4\.0$/);
  t.throws(() => readNpy(setHeader(`{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }`), 'x.npy'),
    /^x\.npy: unsupported \.npy dtype '>f8' \(expected '<f8', '<f4', '\|u1' or '<u2'\)$/);
  t.throws(() => readNpy(setHeader(`{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }`), 'x.npy'), /Fortran order/);
  t.throws(() => readNpy(setHeader(`{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`), 'x.npy'),
    /^x\.npy: \.npy shape \(2, 3\) × 8 bytes = 48 but the payload has 32 bytes$/);
  t.throws(() => readNpy(setHeader(`{'descr': '<f8', 'shape': (2, 2), }`), 'x.npy'), /malformed \.npy header/);
  t.throws(() => readNpy(setHeader(`{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }`), 'x.npy'), /malformed \.npy shape/);
  t.throws(() => readNpy(good.subarray(0, 40), 'x.npy'), /\.npy header declares 118 bytes but the file has 30/);
  t.throws(() => readNpy(good.subarray(0, good.length - 1), 'x.npy'), /payload has 31 bytes/);
  t.end();
});

t.test('npyToImage / imageToNpy map (H, W, C) arrays and images both ways', (t) => {
  const img = { width: 3, height: 2, channels: 3 as const, bitDepth: 16 as const, data: Float64Array.from({ length: 18 }, (_, i) => i / 17) };
  const back = npyToImage(imageToNpy(img));
  t.same(back, img);
  t.same(readNpy(imageToNpy(img)).shape, [2, 3, 3]);
  const gray = npyToImage(writeNpy(Float64Array.from([0.25, 0.5]), [1, 2]));
  t.same({ w: gray.width, h: gray.height, c: gray.channels }, { w: 2, h: 1, c: 1 });
  t.throws(() => npyToImage(writeNpy(new Float64Array(10), [2, 5, 1, 1]), 'v.npy'), /^v\.npy: \.npy shape \(2, 5, 1, 1\) is not an image/);
  t.throws(() => npyToImage(writeNpy(new Float64Array(10), [2, 1, 5]), 'v.npy'), /is not an image \(expected \(H, W\) or \(H, W, C\) with C in 1\.\.4\)/);
  t.throws(() => npyToImage(writeNpy(Float64Array.from([0, NaN]), [1, 2]), 'v.npy'), /^v\.npy: \.npy array holds a non-finite value \(NaN\) at index 1$/);
  t.throws(() => npyToImage(writeNpy(new Float64Array(12), [3, 4]), 'v.npy', 11), /^v\.npy: 4×3 exceeds --max-pixels 11$/);
  t.end();
});

t.test('writeNpy files load in numpy, and numpy\'s files (v1.0, v2.0, f8/f4/u1/u2) load here', { skip: noNumpy }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nullspace-npy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = prng(11);
  const data = Float64Array.from({ length: 4 * 5 * 3 }, () => r() * 2 - 0.5);
  data[0] = 1 / 3; data[1] = 5e-324; data[2] = -0;
  writeFileSync(join(dir, 'ours.npy'), writeNpy(data, [4, 5, 3]));
  writeFileSync(join(dir, 'ours32.npy'), writeNpy(Float32Array.from(data), [60]));
  // One python call: numpy loads both files and sends back shape, dtype and every value as repr().
  const got = JSON.parse(python(`
import numpy as np, json
a = np.load('${dir}/ours.npy'); b = np.load('${dir}/ours32.npy')
print(json.dumps({'shape': a.shape, 'dtype': str(a.dtype), 'values': [repr(float(v)) for v in a.ravel()],
  'shape32': b.shape, 'dtype32': str(b.dtype), 'values32': [repr(float(v)) for v in b.ravel()]}))
`)) as { shape: number[]; dtype: string; values: string[]; shape32: number[]; dtype32: string; values32: string[] };
  t.same(got.shape, [4, 5, 3]);
  t.equal(got.dtype, 'float64');
  t.same(got.values.slice(0, 3), ['0.3333333333333333', '5e-324', '-0.0']);
  t.ok(got.values.every((s, i) => Object.is(Number(s), data[i])), 'numpy reads every float64 value bit-exactly');
  t.same(got.shape32, [60]);
  t.equal(got.dtype32, 'float32');
  t.ok(got.values32.every((s, i) => Number(s) === Math.fround(data[i]!)), 'numpy reads every float32 value bit-exactly');

  python(`
import numpy as np
x = (np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7) - 1
np.save('${dir}/f8.npy', x)
np.save('${dir}/f4.npy', x.astype(np.float32))
np.save('${dir}/u1.npy', (np.arange(12) * 20).astype(np.uint8).reshape(3, 4))
np.save('${dir}/u2.npy', (np.arange(12) * 5000).astype(np.uint16).reshape(3, 4, 1))
with open('${dir}/v2.npy', 'wb') as f:
    np.lib.format.write_array(f, x, version=(2, 0))
`);
  const expected = Array.from({ length: 24 }, (_, i) => i / 7 - 1);
  const f8 = readNpy(readFileSync(join(dir, 'f8.npy')));
  t.same(f8.shape, [2, 3, 4]); t.equal(f8.dtype, '<f8');
  t.same(Array.from(f8.data), expected);
  const f4 = readNpy(readFileSync(join(dir, 'f4.npy')));
  t.equal(f4.dtype, '<f4');
  t.same(Array.from(f4.data), expected.map(Math.fround));
  const v2 = readNpy(readFileSync(join(dir, 'v2.npy')));
  t.same(Array.from(v2.data), expected, 'format 2.0 (4-byte header length)');
  const u1 = npyToImage(readFileSync(join(dir, 'u1.npy')));
  t.same({ w: u1.width, h: u1.height, c: u1.channels, d: u1.bitDepth }, { w: 4, h: 3, c: 1, d: 8 });
  t.same(Array.from(u1.data), Array.from({ length: 12 }, (_, i) => (i * 20) / 255));
  const u2 = npyToImage(readFileSync(join(dir, 'u2.npy')));
  t.equal(u2.bitDepth, 16);
  t.same(Array.from(u2.data), Array.from({ length: 12 }, (_, i) => (i * 5000) / 65535));
  t.end();
});
