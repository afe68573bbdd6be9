// im2col / col2im over plain typed arrays (NCHW, batch 1); loops run in assembly/im2col.ts.
// Internal: checkGeometry (shared validation), im2colPtr / col2imPtr (pointer-level calls for conv.ts).
//
// Column layout: cols is (c·kh·kw) × (oh·ow) row-major, row r = (ci·kh + ki)·kw + kj,
// column q = oy·ow + ox, cols[r, q] = x[ci, oy·sh − padTop + ki·dh, ox·sw − padLeft + kj·dw]
// (0 in the padding). Group gi owns the row block [gi·K, (gi+1)·K) with K = (c/g)·kh·kw, so
// conv of group gi is W_g (outC/g × K) · cols_g (K × oh·ow).
import { core, type Core } from '../core/wasm.js';
import { assertInt, assertLength, invalidParameter } from '../core/errors.js';
import { outputSize, type ConvGeometry } from './geometry.js';
import { checkFinite, dtypeOf, type FloatArray } from './arrays.js';

const FIELDS = ['c', 'h', 'w', 'outC', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'groups'] as const;
const PADS = ['padTop', 'padLeft', 'padBottom', 'padRight'] as const;

/** Validates a geometry and returns its output size (both ≥ 1). Internal. */
export function checkGeometry(g: ConvGeometry): { oh: number; ow: number } {
  if (typeof g !== 'object' || g === null) throw invalidParameter('geometry', 'a ConvGeometry object', g);
  for (const f of FIELDS) assertInt(`geometry.${f}`, g[f], 1, 1 << 30);
  for (const f of PADS) assertInt(`geometry.${f}`, g[f], 0, 1 << 30);
  if (g.c % g.groups !== 0) throw invalidParameter('geometry.groups', `a divisor of c = ${g.c}`, g.groups, RangeError);
  if (g.outC % g.groups !== 0) throw invalidParameter('geometry.groups', `a divisor of outC = ${g.outC}`, g.groups, RangeError);
  const o = outputSize(g);
  if (o.oh < 1 || o.ow < 1) {
    throw invalidParameter('geometry', 'a kernel that fits the padded input (output at least 1×1)', `${g.h}×${g.w} input, ${g.kh}×${g.kw} kernel`, RangeError);
  }
  return o;
}

/** Pointer-level im2col on core `c` (cols sized (c·kh·kw)·oh·ow). Internal. */
export function im2colPtr(c: Core, f64: boolean, g: ConvGeometry, oh: number, ow: number, xPtr: number, colsPtr: number): void {
  const f = f64 ? c.kernels.im2colF64 : c.kernels.im2colF32;
  f(g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, oh, ow, xPtr, colsPtr);
}

/** Pointer-level col2im on core `c`: x += im2colᵀ(cols). Internal. */
export function col2imPtr(c: Core, f64: boolean, g: ConvGeometry, oh: number, ow: number, colsPtr: number, xPtr: number): void {
  const f = f64 ? c.kernels.col2imF64 : c.kernels.col2imF32;
  f(g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, oh, ow, colsPtr, xPtr);
}

/**
 * Unfolds the windows of x into columns.
 *
 * @param x (c, h, w) row-major image, Float64Array or Float32Array
 * @param g the convolution geometry (outC is not used here)
 * @returns cols ((c·kh·kw), (oh·ow)) row-major, same dtype; layout in the file header
 * @throws TypeError/RangeError on a bad geometry, a wrong length or non-finite values
 */
export function im2col<T extends FloatArray>(x: T, g: ConvGeometry): T {
  const dtype = dtypeOf('x', x);
  const { oh, ow } = checkGeometry(g);
  assertLength('x', x, g.c * g.h * g.w);
  checkFinite('x', x);
  const n = g.c * g.kh * g.kw * oh * ow;
  const out = (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n)) as T;
  core.scoped(() => {
    const xPtr = core.put(x);
    const colsPtr = core.alloc(n * x.BYTES_PER_ELEMENT);
    im2colPtr(core, dtype === 'float64', g, oh, ow, xPtr, colsPtr);
    out.set(dtype === 'float64' ? core.f64(colsPtr, n) : core.f32(colsPtr, n));
  });
  return out;
}

/**
 * The exact adjoint of im2col: every column entry is added into the pixel it was read from
 * (entries that came from padding are dropped).
 *
 * @param cols ((c·kh·kw), (oh·ow)) row-major
 * @param g the convolution geometry
 * @param out optional (c, h, w) accumulator: the result is out + im2colᵀ(cols); zeros when omitted
 * @returns (c, h, w), same dtype as cols
 * @throws TypeError/RangeError on a bad geometry, a wrong length or non-finite values
 */
export function col2im<T extends FloatArray>(cols: T, g: ConvGeometry, out?: T): T {
  const dtype = dtypeOf('cols', cols);
  const { oh, ow } = checkGeometry(g);
  assertLength('cols', cols, g.c * g.kh * g.kw * oh * ow);
  checkFinite('cols', cols);
  const nx = g.c * g.h * g.w;
  if (out !== undefined) {
    if (dtypeOf('out', out) !== dtype) throw invalidParameter('out', `a ${dtype} array like cols`, out.constructor.name);
    assertLength('out', out, nx);
  }
  const result = out ?? ((dtype === 'float64' ? new Float64Array(nx) : new Float32Array(nx)) as T);
  core.scoped(() => {
    const colsPtr = core.put(cols);
    const xPtr = core.put(result);
    col2imPtr(core, dtype === 'float64', g, oh, ow, colsPtr, xPtr);
    result.set(dtype === 'float64' ? core.f64(xPtr, nx) : core.f32(xPtr, nx));
  });
  return result;
}
