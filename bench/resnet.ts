// A ResNet-50-shaped ONNX graph with random weights (He-initialised convolutions, BatchNormalization
// at identity statistics): stem 7×7/2 + max-pool 3×3/2, bottleneck stages [3, 4, 6, 3] at widths
// 64…512 (×4), global average pool, a 1000-way Gemm. For the gradient bench; not a trained model.
import { rng } from '../src/linalg/random.js';
import { buildModel, type NodeSpec, type TensorSpec } from '../src/onnx/writer.js';

export function resnet50(size = 224, seed = 0): Uint8Array {
  const g = rng(seed);
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  let k = 0;
  const conv = (x: string, cin: number, cout: number, kernel: number, stride: number, relu: boolean): string => {
    const id = k++;
    const scale = Math.sqrt(2 / (cin * kernel * kernel));
    inits.push({ name: `w${id}`, dims: [cout, cin, kernel, kernel], data: Float32Array.from({ length: cout * cin * kernel * kernel }, () => g.normal() * scale) });
    for (const [p, v] of [['s', 1], ['b', 0], ['m', 0], ['v', 1]] as const) inits.push({ name: `${p}${id}`, dims: [cout], data: new Float32Array(cout).fill(v) });
    const pad = (kernel - 1) >> 1;
    nodes.push({ op: 'Conv', inputs: [x, `w${id}`], outputs: [`c${id}`], attrs: { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] } });
    nodes.push({ op: 'BatchNormalization', inputs: [`c${id}`, `s${id}`, `b${id}`, `m${id}`, `v${id}`], outputs: [`n${id}`] });
    if (!relu) return `n${id}`;
    nodes.push({ op: 'Relu', inputs: [`n${id}`], outputs: [`r${id}`] });
    return `r${id}`;
  };
  let x = conv('x', 3, 64, 7, 2, true);
  nodes.push({ op: 'MaxPool', inputs: [x], outputs: ['pool'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  x = 'pool';
  let cin = 64;
  [[3, 64], [4, 128], [6, 256], [3, 512]].forEach(([blocks, width], stage) => {
    for (let b = 0; b < blocks!; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const a = conv(x, cin, width!, 1, 1, true);
      const m = conv(a, width!, width!, 3, stride, true);
      const o = conv(m, width!, width! * 4, 1, 1, false);
      const skip = b === 0 ? conv(x, cin, width! * 4, 1, stride, false) : x;
      const id = k++;
      nodes.push({ op: 'Add', inputs: [o, skip], outputs: [`add${id}`] }, { op: 'Relu', inputs: [`add${id}`], outputs: [`out${id}`] });
      x = `out${id}`;
      cin = width! * 4;
    }
  });
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['gap'] }, { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] });
  inits.push({ name: 'fc', dims: [1000, cin], data: Float32Array.from({ length: 1000 * cin }, () => g.normal() / Math.sqrt(cin)) }, { name: 'fcb', dims: [1000], data: new Float32Array(1000) });
  nodes.push({ op: 'Gemm', inputs: ['flat', 'fc', 'fcb'], outputs: ['logits'], attrs: { transB: 1 } });
  return buildModel({ opset: 13, inputs: [{ name: 'x', shape: [1, 3, size, size] }], outputs: [{ name: 'logits', shape: [1, 1000] }], nodes, initializers: inits });
}
