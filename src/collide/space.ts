// Model space ↔ pixel space for perturbations. The first layer sees x_m = (x_p − mean)/std per
// channel, so a model-space δ_m is the pixel-space δ_p = std·δ_m (the bias of the affine map
// cancels), and the pixel box [0, 1] is the per-channel box [−mean/std, (1 − mean)/std].
// Model space is CHW in the model's channel order; mean/std are in that order too.

/** The per-channel affine map of the preprocessing, in model channel order. */
export interface ChannelAffine {
  mean: Float64Array;
  std: Float64Array;
}

/** std_c · δ_m: a model-space perturbation in pixel units (CHW, same order). */
export function toPixelUnits(delta: Float64Array, a: ChannelAffine, plane: number): Float64Array {
  const out = new Float64Array(delta.length);
  for (let c = 0; c < a.std.length; c++) {
    const s = a.std[c]!;
    for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = s * delta[i]!;
  }
  return out;
}

/** RMS of a model-space δ measured in pixel units. */
export function pixelRms(delta: Float64Array, a: ChannelAffine, plane: number): number {
  let s2 = 0;
  for (let c = 0; c < a.std.length; c++) {
    const s = a.std[c]!;
    for (let i = c * plane; i < (c + 1) * plane; i++) s2 += (s * delta[i]!) ** 2;
  }
  return Math.sqrt(s2 / delta.length);
}

/** The pixel box [0, 1] in model space, per channel: lo_c = −mean_c/std_c, hi_c = (1 − mean_c)/std_c. */
export function modelBoxOf(a: ChannelAffine): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(a.std.length);
  const hi = new Float64Array(a.std.length);
  for (let c = 0; c < a.std.length; c++) {
    const l = -a.mean[c]! / a.std[c]!;
    const h = (1 - a.mean[c]!) / a.std[c]!;
    lo[c] = Math.min(l, h); hi[c] = Math.max(l, h);
  }
  return { lo, hi };
}
