// The rows of a convolution operator that a mask selects, as an operator of their own: the stem's
// exact stage solves on the held rows only (about one conv output in eight), and the whole-layer
// products would compute the rest to throw it away. Kernels in assembly/conv_rows.ts; one group.
import type { LinearOperator } from './operator.js';
import { outputSize, type ConvGeometry } from './geometry.js';
import { core } from '../core/wasm.js';
import { arrayProduct } from './ptr-products.js';

export interface ConvRows {
  /** A restricted to the selected rows, in the order of `index` */
  op: LinearOperator;
  /** index[k] = the full row (channel·oh·ow + position) of row k; rows come by position, then channel */
  index: Int32Array;
}

/** The rows j of conv(weight, g) with select[j] ≠ 0 (g.groups must be 1). */
export function convRows(weight: Float64Array, g: ConvGeometry, select: Uint8Array): ConvRows {
  if (g.groups !== 1) throw new RangeError('convRows: one group only');
  const { oh, ow } = outputSize(g);
  const plane = oh * ow;
  let count = 0; let np = 0;
  for (let p = 0; p < plane; p++) {
    let any = false;
    for (let c = 0; c < g.outC; c++) if (select[c * plane + p]) { count++; any = true; }
    if (any) np++;
  }
  const index = new Int32Array(count); const chan = new Int32Array(count);
  const pos = new Int32Array(np); const start = new Int32Array(np + 1);
  let k = 0; let i = 0;
  for (let p = 0; p < plane; p++) {
    const k0 = k;
    for (let c = 0; c < g.outC; c++) if (select[c * plane + p]) { index[k] = c * plane + p; chan[k] = c; k++; }
    if (k > k0) { pos[i] = p; start[i] = k0; i++; }
  }
  start[np] = count;
  const cols = g.c * g.h * g.w; const K = g.c * g.kh * g.kw;
  const run = (adjoint: boolean) => (inPtr: number, outPtr: number) => {
    const args = [g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, ow, core.put(weight), np, core.put(pos), core.put(start), core.put(chan), inPtr, core.alloc(K * 8), outPtr] as const;
    if (adjoint) core.kernels.convRowsTF64(...args); else core.kernels.convRowsF64(...args);
  };
  const op: LinearOperator = {
    rows: count, cols,
    apply: (x, out) => arrayProduct(core, 'x', x, cols, count, out, run(false)),
    applyT: (y, out) => arrayProduct(core, 'y', y, count, cols, out, run(true)),
  };
  return { op, index };
}
