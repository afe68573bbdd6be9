// An exact rank argument for strided convolutions (used by operator-nullity.ts). Cut the image
// into s_h×s_w pixel blocks. Output (i, j) reads blocks (i+δh, j+δw), δ = ⌊(t·d − p)/s⌋ over its
// taps t; take δ0 = the largest δ on an axis (or the smallest, mirrored). Every block an output
// reads lies at or before its pivot block (i+δ0h, j+δ0w) in raster order, and the pivot block is
// read only through the pivot taps P = {t : δ(t) = δ0}. So A_img is block-triangular with the
// diagonal block M0 = W[:, :, P_h, P_w] (per group):
// - if every block is some output's pivot and P covers every phase of a block, forward
//   substitution recovers x from A x whenever M0 has full column rank: A_img is injective;
// - if every output's pivot pixels lie inside the image, back substitution shows yᵀA = 0 ⇒ y = 0
//   whenever M0 has full row rank: A_img has full row rank.
// Both are proofs (sufficient conditions); when they do not apply, the caller falls back.

/** Pivot taps of one axis, or null when the argument does not apply on this axis. */
export interface AxisPivot { taps: number[] }

/**
 * @param size input length, pad leading padding, k taps, s stride, d dilation, out outputs
 * @param mode 'injective' (every pixel is a pivot pixel of some output) or 'rows' (every output's pivot pixels are inside)
 */
export function axisPivot(size: number, pad: number, k: number, s: number, d: number, out: number, mode: 'injective' | 'rows'): AxisPivot | null {
  const delta = (t: number) => Math.floor((t * d - pad) / s);
  const phase = (t: number) => (((t * d - pad) % s) + s) % s;
  const blocks = Math.ceil(size / s);
  for (const pick of [Math.max, Math.min]) {
    const d0 = pick(...Array.from({ length: k }, (_, t) => delta(t)));
    const taps = Array.from({ length: k }, (_, t) => t).filter((t) => delta(t) === d0);
    if (mode === 'injective') {
      const phases = new Set(taps.map(phase));
      // every block b must be the pivot of output b − δ0, and every phase must be a pivot tap
      if (phases.size === s && -d0 >= 0 && blocks - 1 - d0 <= out - 1) return { taps };
    } else {
      // every output's pivot pixels s·(i + δ0) + phase(t) must be inside the image
      const lo = Math.min(...taps.map(phase));
      const hi = Math.max(...taps.map(phase));
      if (d0 * s + lo >= 0 && (out - 1 + d0) * s + hi <= size - 1) return { taps };
    }
  }
  return null;
}
