// A cheap proof that ker(A_img) is trivial for a strided conv, without any iteration. Order the
// windows in raster order and give window (i, j) the s_h×s_w input pixels its kernel reaches last
// (kernel offsets kh−sh…kh−1 × kw−sw…kw−1). When those blocks tile the image, A_img is block
// lower-triangular and each diagonal block is W_D = W restricted to those offsets (or a column
// subset of it at the border). If W_D has full column rank, forward substitution recovers x from
// A_img x, so A_img is injective. (PP-OCR's detector stem, 3×3/2 with padding 1, qualifies.)
import { svd } from '../linalg/svd.js';
import { EPS64 } from '../linalg/tolerance.js';
import type { FirstLayerSpec } from './layer.js';

/** The outcome: proven injective, or not decided by this argument. */
export interface Certificate {
  injective: boolean;
  /** why the argument does or does not apply */
  reason: string;
  /** σ_min(W_D)/σ_max(W_D) per group, when computed */
  blockCondition?: number[];
}

/**
 * Tries the block-triangular argument on a conv first layer.
 * Notes: needs dilation 1, kh ≥ sh, kw ≥ sw, padTop ≥ kh − sh and padLeft ≥ kw − sw (so window 0's
 * earlier offsets are padding), and the last window's block reaching the image's last row/column.
 */
export function injectivityCertificate(layer: FirstLayerSpec): Certificate {
  if (layer.kind !== 'conv') return { injective: false, reason: 'not a convolution' };
  const g = layer.geometry;
  if (g.dh !== 1 || g.dw !== 1) return { injective: false, reason: 'dilated kernel' };
  if (g.kh < g.sh || g.kw < g.sw) return { injective: false, reason: 'stride larger than the kernel (unread pixels)' };
  if (g.padTop < g.kh - g.sh || g.padLeft < g.kw - g.sw) return { injective: false, reason: 'top/left padding too small for the raster-order blocks' };
  const oh = Math.floor((g.h + g.padTop + g.padBottom - g.kh) / g.sh) + 1;
  const ow = Math.floor((g.w + g.padLeft + g.padRight - g.kw) / g.sw) + 1;
  if (g.sh * (oh - 1) - g.padTop + g.kh - 1 < g.h - 1 || g.sw * (ow - 1) - g.padLeft + g.kw - 1 < g.w - 1) {
    return { injective: false, reason: 'the last windows do not reach the last rows/columns' };
  }
  const cg = g.c / g.groups;
  const mg = g.outC / g.groups;
  const cols = cg * g.sh * g.sw;
  if (mg < cols) return { injective: false, reason: `W_D is ${mg}×${cols}: fewer outputs than new inputs per window` };
  const conds: number[] = [];
  for (let gi = 0; gi < g.groups; gi++) {
    const wd = new Float64Array(mg * cols);
    for (let o = 0; o < mg; o++) {
      let j = 0;
      for (let c = 0; c < cg; c++) for (let a = g.kh - g.sh; a < g.kh; a++) for (let b = g.kw - g.sw; b < g.kw; b++) {
        wd[o * cols + j++] = layer.weight[(((gi * mg + o) * cg + c) * g.kh + a) * g.kw + b]!;
      }
    }
    const s = svd(wd, mg, cols).s;
    const cond = s[0]! > 0 ? s[s.length - 1]! / s[0]! : 0;
    conds.push(cond);
    if (!(cond > Math.max(mg, cols) * EPS64)) return { injective: false, reason: `W_D of group ${gi} is rank-deficient`, blockCondition: conds };
  }
  return { injective: true, reason: `block lower-triangular in raster order with full-column-rank ${mg}×${cols} diagonal blocks W_D`, blockCondition: conds };
}
