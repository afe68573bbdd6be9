import t from 'tap';
import { decodeTensor, halfToFloat } from '../../src/onnx/tensor-data.js';
import { onnx, DataType } from '../../src/onnx/proto.js';
import { tensorProto } from '../../src/onnx/writer.js';

const values = [0, 1, -2, 0.5, 3.25, -1024, 65504, 6.103515625e-5];

t.test('decodeTensor(t) reads raw float32/float64/float16/bfloat16 storage back to the stored values', (t) => {
  for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
    const d = decodeTensor(tensorProto({ name: 'w', dims: [2, 4], data: values, dtype }));
    t.same(d.dims, [2, 4]);
    t.equal(d.dtype, dtype);
    // every value here is exactly representable in float16; bfloat16 keeps 8 bits of mantissa
    const expect = dtype === 'bfloat16' ? values.map((v) => (v === 65504 ? 65536 : v)) : values;
    t.same(Array.from(d.data), expect, dtype);
  }
  t.end();
});

t.test('decodeTensor(t) reads integer storage (int8, uint8, int16, int32, int64, uint64) as exact integers', (t) => {
  const ints = [0, 1, -1, 127, -128, 5];
  for (const dtype of ['int8', 'int16', 'int32', 'int64'] as const) {
    const data = dtype === 'int64' ? BigInt64Array.from(ints.map(BigInt)) : ints;
    t.same(Array.from(decodeTensor(tensorProto({ name: 'q', dims: [6], data, dtype })).data), ints, dtype);
  }
  t.same(Array.from(decodeTensor(tensorProto({ name: 'q', dims: [3], data: [0, 200, 255], dtype: 'uint8' })).data), [0, 200, 255]);
  t.same(Array.from(decodeTensor(tensorProto({ name: 'q', dims: [2], data: BigUint64Array.from([0n, 7n]), dtype: 'uint64' })).data), [0, 7]);
  t.end();
});

t.test('decodeTensor(t) reads the typed fields (float_data, double_data, int32_data with half bits, int64_data)', (t) => {
  const f = onnx.TensorProto.create({ name: 'a', dims: [3], dataType: DataType.float32, floatData: [1.5, -2, 0.25] });
  t.same(Array.from(decodeTensor(f).data), [1.5, -2, 0.25]);
  const d = onnx.TensorProto.create({ name: 'b', dims: [1, 2], dataType: DataType.float64, doubleData: [1e-300, 3] });
  t.same(Array.from(decodeTensor(d).data), [1e-300, 3]);
  // float16 1.0 = 0x3c00, -2.0 = 0xc000; bfloat16 1.0 = 0x3f80
  const h = onnx.TensorProto.create({ name: 'h', dims: [2], dataType: DataType.float16, int32Data: [0x3c00, 0xc000] });
  t.same(Array.from(decodeTensor(h).data), [1, -2]);
  const b = onnx.TensorProto.create({ name: 'bf', dims: [1], dataType: DataType.bfloat16, int32Data: [0x3f80] });
  t.same(Array.from(decodeTensor(b).data), [1]);
  const i = onnx.TensorProto.create({ name: 'i', dims: [2], dataType: DataType.int64, int64Data: [-3, 9] });
  t.same(Array.from(decodeTensor(i).data), [-3, 9]);
  t.end();
});

t.test('halfToFloat(h) decodes subnormals, infinities and NaN', (t) => {
  t.equal(halfToFloat(0x0001), 2 ** -24);
  t.equal(halfToFloat(0x7c00), Infinity);
  t.equal(halfToFloat(0xfc00), -Infinity);
  t.ok(Number.isNaN(halfToFloat(0x7e00)));
  t.equal(halfToFloat(0x8000), -0);
  t.end();
});

t.test('decodeTensor(t) refuses storage that disagrees with dims, unknown types and tensors above maxBytes', (t) => {
  const short = onnx.TensorProto.create({ name: 'w', dims: [4, 4], dataType: DataType.float32, rawData: new Uint8Array(60) });
  t.throws(() => decodeTensor(short, { where: 'm.onnx:w' }), /^m\.onnx:w: raw_data holds 60 bytes but dims \[4,4\] need 64$/);
  const few = onnx.TensorProto.create({ name: 'w', dims: [3], dataType: DataType.float32, floatData: [1, 2] });
  t.throws(() => decodeTensor(few), /holds 2 values but dims \[3\] need 3/);
  const neg = onnx.TensorProto.create({ name: 'w', dims: [-1, 2], dataType: DataType.float32 });
  t.throws(() => decodeTensor(neg), /invalid dims \[-1,2\]/);
  const huge = onnx.TensorProto.create({ name: 'w', dims: [2 ** 40, 2 ** 20], dataType: DataType.float32 });
  t.throws(() => decodeTensor(huge), /too many elements/);
  const str = onnx.TensorProto.create({ name: 's', dims: [1], dataType: DataType.string });
  t.throws(() => decodeTensor(str), /unsupported data type string/);
  // 1000 float32 values are 8000 bytes once decoded to float64: above a 4000-byte limit
  const big = tensorProto({ name: 'w', dims: [1000], data: new Float32Array(1000) });
  t.throws(() => decodeTensor(big, { maxBytes: 4000 }), /needs 8000 bytes, above the limit of 4000 \(--max-bytes\)/);
  t.doesNotThrow(() => decodeTensor(big, { maxBytes: 8000 }));
  t.end();
});

t.test('decodeTensor(t) checks external-data records before reading', (t) => {
  const ext = (e: { location: string; offset?: number | string; length?: number | string }) =>
    tensorProto({ name: 'w', dims: [2, 2], data: [1, 2, 3, 4], external: e });
  let asked = 0;
  const reader = () => { asked++; return new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer); };
  t.same(Array.from(decodeTensor(ext({ location: 'w.bin', offset: 0, length: 16 }), { external: reader }).data), [1, 2, 3, 4]);
  t.throws(() => decodeTensor(ext({ location: '/etc/passwd' }), { external: reader }), /is an absolute path/);
  t.throws(() => decodeTensor(ext({ location: 'C:\\w.bin' }), { external: reader }), /is an absolute path/);
  t.throws(() => decodeTensor(ext({ location: 'a/../../w.bin' }), { external: reader }), /escapes the model's folder/);
  t.throws(() => decodeTensor(ext({ location: 'w.bin', length: 12 }), { external: reader }), /external data length 12 does not match dims \[2,2\] × 4 bytes = 16/);
  t.throws(() => decodeTensor(ext({ location: 'w.bin', offset: '-4' }), { external: reader }), /offset "-4" is not a non-negative integer/);
  t.throws(() => decodeTensor(ext({ location: 'w.bin', offset: '1e3' }), { external: reader }), /offset "1e3" is not a non-negative integer/);
  t.throws(() => decodeTensor(ext({ location: 'w.bin' })), /uses external data \(w\.bin\) but no model folder is known/);
  t.equal(asked, 1, 'the reader is called only for the valid record');
  t.end();
});
