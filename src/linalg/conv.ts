// 2-D convolution (NCHW, batch 1) and its exact adjoint, as im2col/col2im + GEMM in the WASM
// core, plus the whole-layer LinearOperator A_img of DESIGN.md §1 (float64).
// Internal: convPtr / convAdjointPtr (pointer-level, also used by other operators).
import { core, type Core } from '../core/wasm.js';
import { assertLength, invalidParameter } from '../core/errors.js';
import type { ConvGeometry } from './geometry.js';
import type { LinearOperator } from './operator.js';
import { checkFinite, dtypeOf, type FloatArray } from './arrays.js';
import { checkGeometry, col2imPtr, im2colPtr } from './im2col.js';
import { gemmPtr } from './gemm.js';
import { arrayProduct, attachPtrProducts } from './ptr-products.js';

/** Per-group GEMM shapes, defined once so conv and its adjoint agree on the blocks: W_g (M × K), cols_g (K × N), y_g (M × N); es bytes. */
function groupGemm(g: ConvGeometry, oh: number, ow: number, f64: boolean): { es: number; K: number; M: number; N: number } {
  return { es: f64 ? 8 : 4, K: (g.c / g.groups) * g.kh * g.kw, M: g.outC / g.groups, N: oh * ow };
}

/** y (outC, oh·ow) = conv(x) per group; cols is scratch of (c·kh·kw)·oh·ow elements. Internal. */
export function convPtr(c: Core, f64: boolean, g: ConvGeometry, oh: number, ow: number,
  wPtr: number, xPtr: number, colsPtr: number, yPtr: number): void {
  const { es, K, M, N } = groupGemm(g, oh, ow, f64);
  im2colPtr(c, f64, g, oh, ow, xPtr, colsPtr);
  for (let gi = 0; gi < g.groups; gi++) {
    gemmPtr(c, f64, false, false, M, N, K, 1, wPtr + gi * M * K * es, K, colsPtr + gi * K * N * es, N, 0, yPtr + gi * M * N * es, N);
  }
}

/** x (c, h, w) = convᵀ(y), overwriting x; cols is scratch of (c·kh·kw)·oh·ow elements. Internal. */
export function convAdjointPtr(c: Core, f64: boolean, g: ConvGeometry, oh: number, ow: number,
  wPtr: number, yPtr: number, colsPtr: number, xPtr: number): void {
  const { es, K, M, N } = groupGemm(g, oh, ow, f64);
  for (let gi = 0; gi < g.groups; gi++) {
    // cols_g (K × N) = W_gᵀ (K × M) · y_g (M × N)
    gemmPtr(c, f64, true, false, K, N, M, 1, wPtr + gi * M * K * es, K, yPtr + gi * M * N * es, N, 0, colsPtr + gi * K * N * es, N);
  }
  new Uint8Array(c.memory.buffer, xPtr, g.c * g.h * g.w * es).fill(0);
  col2imPtr(c, f64, g, oh, ow, colsPtr, xPtr);
}

function checkWeight(weight: FloatArray, g: ConvGeometry, dtype: string): void {
  if (dtypeOf('weight', weight) !== dtype) throw invalidParameter('weight', `a ${dtype} array like the input`, weight.constructor.name);
  assertLength('weight', weight, g.outC * (g.c / g.groups) * g.kh * g.kw);
  checkFinite('weight', weight);
}

/** Runs convPtr or convAdjointPtr on arrays of one dtype: copies in, scratch, result of outLen out. */
function runConv<T extends FloatArray>(kernel: typeof convPtr, f64: boolean, g: ConvGeometry, oh: number, ow: number,
  weight: T, input: T, outLen: number): T {
  const out = (f64 ? new Float64Array(outLen) : new Float32Array(outLen)) as T;
  core.scoped(() => {
    const es = f64 ? 8 : 4;
    const wPtr = core.put(weight);
    const inPtr = core.put(input);
    const colsPtr = core.alloc(g.c * g.kh * g.kw * oh * ow * es);
    const outPtr = core.alloc(outLen * es);
    kernel(core, f64, g, oh, ow, wPtr, inPtr, colsPtr, outPtr);
    out.set(f64 ? core.f64(outPtr, outLen) : core.f32(outPtr, outLen));
  });
  return out;
}

/**
 * Convolution y = W ⊛ x (+ bias), ONNX Conv semantics for batch 1.
 *
 * @param x (c, h, w) row-major
 * @param weight (outC, c/groups, kh, kw) row-major, same dtype as x
 * @param g geometry (stride, asymmetric padding, dilation, groups)
 * @param bias optional (outC)
 * @returns (outC, oh, ow) row-major, dtype of x
 * @throws TypeError/RangeError on a bad geometry, mixed dtypes, wrong lengths or non-finite values
 *
 * Notes: im2col + one GEMM per group (W_g · cols_g), see im2col.ts for the layout.
 */
export function conv2d<T extends FloatArray>(x: T, weight: T, g: ConvGeometry, bias?: T): T {
  const dtype = dtypeOf('x', x);
  const { oh, ow } = checkGeometry(g);
  assertLength('x', x, g.c * g.h * g.w);
  checkFinite('x', x);
  checkWeight(weight, g, dtype);
  if (bias !== undefined) {
    if (dtypeOf('bias', bias) !== dtype) throw invalidParameter('bias', `a ${dtype} array like x`, bias.constructor.name);
    assertLength('bias', bias, g.outC);
    checkFinite('bias', bias);
  }
  const y = runConv(convPtr, dtype === 'float64', g, oh, ow, weight, x, g.outC * oh * ow);
  if (bias !== undefined) {
    const plane = oh * ow;
    for (let o = 0; o < g.outC; o++) {
      const b = bias[o]!;
      for (let q = o * plane, end = q + plane; q < end; q++) y[q] += b;
    }
  }
  return y;
}

/**
 * The exact adjoint of conv2d without bias: x = Wᵀ ⊛ y, so ⟨conv2d(x), y⟩ = ⟨x, conv2dAdjoint(y)⟩.
 *
 * @param y (outC, oh, ow) row-major
 * @param weight (outC, c/groups, kh, kw), same dtype as y
 * @returns (c, h, w) row-major, dtype of y
 * @throws TypeError/RangeError on a bad geometry, mixed dtypes, wrong lengths or non-finite values
 *
 * Notes: one GEMM per group (W_gᵀ · y_g) then col2im.
 */
export function conv2dAdjoint<T extends FloatArray>(y: T, weight: T, g: ConvGeometry): T {
  const dtype = dtypeOf('y', y);
  const { oh, ow } = checkGeometry(g);
  assertLength('y', y, g.outC * oh * ow);
  checkFinite('y', y);
  checkWeight(weight, g, dtype);
  return runConv(convAdjointPtr, dtype === 'float64', g, oh, ow, weight, y, g.c * g.h * g.w);
}

/**
 * The whole convolution layer at one input size as a float64 linear operator (DESIGN.md §1):
 * rows = outC·oh·ow, cols = c·h·w; apply = conv without bias, applyT = its exact adjoint.
 *
 * @param weight (outC, c/groups, kh, kw) Float64Array (copied; later changes do not leak in)
 * @param geometry geometry (copied)
 * @throws TypeError/RangeError on a bad geometry or weight
 *
 * Notes: products validate lengths but not finiteness (solvers call them thousands of times);
 * each product runs in an arena scope of the WASM core, so repeated products reuse the same
 * memory and allocate only the result array in JS (none when `out` is given).
 */
export function convOperator(weight: Float64Array, geometry: ConvGeometry): LinearOperator {
  const { oh, ow } = checkGeometry(geometry);
  const g: ConvGeometry = { ...geometry };
  checkWeight(weight, g, 'float64');
  const w = weight.slice();
  const rows = g.outC * oh * ow;
  const cols = g.c * g.h * g.w;
  const colsLen = g.c * g.kh * g.kw * oh * ow;
  // pointer-level products: x and y already in core memory; W and the scratch live in a nested scope
  const ptrProduct = (kernel: typeof convPtr) => (inPtr: number, outPtr: number): void => {
    core.scoped(() => kernel(core, true, g, oh, ow, core.put(w), inPtr, core.alloc(colsLen * 8), outPtr));
  };
  const ptr = { core, apply: ptrProduct(convPtr), applyT: ptrProduct(convAdjointPtr) };
  const op: LinearOperator = {
    rows,
    cols,
    apply: (x, out) => arrayProduct(core, 'x', x, cols, rows, out, ptr.apply),
    applyT: (y, out) => arrayProduct(core, 'y', y, rows, cols, out, ptr.applyT),
  };
  return attachPtrProducts(op, ptr);
}
