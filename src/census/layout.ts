// How a weight tensor is read as matrices: per group (Conv/ConvTranspose groups, or the batch
// dimensions of a MatMul constant) one contiguous (rows × cols) block of the stored data, with
// which side is the layer's output. Rank does not care about orientation; null spaces do.
import { InputError } from '../core/errors.js';
import type { WeightOperand } from '../onnx/weights.js';
import { attrInt } from '../onnx/attributes.js';
import type { NodeProto } from '../onnx/proto.js';

export interface WeightLayout {
  groups: number;
  /** per group: input and output dimension of the linear map */
  inDim: number;
  outDim: number;
  /** each group's block as stored: (rows × cols) row-major */
  rows: number;
  cols: number;
  /** true when rows index the output (block is [out, in]); false when it is [in, out] */
  rowsAreOut: boolean;
}

const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);

/**
 * The matrix layout of a trainable weight (DESIGN.md §1: Conv W [O, C/g, k…] → per group
 * [O/g, C/g·∏k]; ConvTranspose W [C_in, C_out/g, k…] → per group [C_in/g, C_out/g·∏k] = [in, out];
 * Gemm with transA/transB; MatMul B [K, N] on the right = [in, out], A [M, K] on the left = [out, in]).
 * @throws InputError when the shape does not fit the op (groups not dividing, Gemm weight not 2-D, a dimension 0)
 */
export function weightLayout(op: WeightOperand, node: NodeProto, where: string): WeightLayout {
  const d = op.weight.dims;
  const bad = (why: string) => new InputError(`${where}: weight ${op.weight.key} of shape ${JSON.stringify(d)} ${why}`);
  // No data, so no matrices — but the other dimensions would still count groups (a MatMul weight
  // [3, 1e9, 2, 0] made 3e9 empty groups; found by fuzz/onnx.ts)
  if (d.some((x) => x === 0)) throw bad('has an empty dimension (no values)');
  switch (op.kind) {
    case 'Conv': case 'ConvTranspose': {
      if (d.length < 3) throw bad(`is not a ${op.kind} weight [out, in, k…]`);
      const g = attrInt(node, 'group', 1);
      const k = prod(d.slice(2));
      if (g < 1 || d[0]! % g !== 0) throw bad(`cannot be split into ${g} groups`);
      const rows = d[0]! / g;
      const cols = d[1]! * k;
      return op.kind === 'Conv'
        ? { groups: g, inDim: cols, outDim: rows, rows, cols, rowsAreOut: true }
        : { groups: g, inDim: rows, outDim: cols, rows, cols, rowsAreOut: false };
    }
    case 'Gemm': {
      if (d.length !== 2) throw bad('is not 2-D (Gemm)');
      const trans = attrInt(node, op.side === 'right' ? 'transB' : 'transA', 0) !== 0;
      // right: B is [K, N] = [in, out] unless transposed; left: A is [M, K] = [out, in] unless transposed
      const rowsAreOut = op.side === 'right' ? trans : !trans;
      return { groups: 1, rows: d[0]!, cols: d[1]!, rowsAreOut, inDim: rowsAreOut ? d[1]! : d[0]!, outDim: rowsAreOut ? d[0]! : d[1]! };
    }
    case 'MatMul': {
      if (d.length === 0) throw bad('is a scalar');
      if (d.length === 1) {
        // a vector operand: B [K] maps K → 1 on the right; A [K] maps K → 1 on the left
        return op.side === 'right'
          ? { groups: 1, rows: d[0]!, cols: 1, rowsAreOut: false, inDim: d[0]!, outDim: 1 }
          : { groups: 1, rows: 1, cols: d[0]!, rowsAreOut: true, inDim: d[0]!, outDim: 1 };
      }
      const rows = d[d.length - 2]!;
      const cols = d[d.length - 1]!;
      const groups = prod(d.slice(0, -2));
      return op.side === 'right'
        ? { groups, rows, cols, rowsAreOut: false, inDim: rows, outDim: cols }
        : { groups, rows, cols, rowsAreOut: true, inDim: cols, outDim: rows };
    }
  }
}

/** Group g's block (rows × cols) as a view of the weight data. */
export function groupBlock(data: Float64Array, l: WeightLayout, g: number): Float64Array {
  const size = l.rows * l.cols;
  return data.subarray(g * size, (g + 1) * size);
}

/** Group g's block as an [out, in] row-major matrix (a copy when stored as [in, out]). */
export function outInMatrix(data: Float64Array, l: WeightLayout, g: number): Float64Array {
  const b = groupBlock(data, l, g);
  if (l.rowsAreOut) return b.slice();
  const t = new Float64Array(b.length);
  for (let i = 0; i < l.rows; i++) for (let j = 0; j < l.cols; j++) t[j * l.rows + i] = b[i * l.cols + j]!;
  return t;
}
