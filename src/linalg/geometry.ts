// Convolution geometry (NCHW, batch 1): the one description shared by im2col/col2im, the
// whole-layer operator, the census and the collide search.

export interface ConvGeometry {
  /** input channels, height, width */
  c: number; h: number; w: number;
  /** output channels (O) */
  outC: number;
  /** kernel height/width */
  kh: number; kw: number;
  /** strides */
  sh: number; sw: number;
  /** dilations */
  dh: number; dw: number;
  /** zero padding on each side (asymmetric allowed) */
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  groups: number;
}

/** Output height and width of a convolution (floor division, as ONNX Conv). */
export function outputSize(g: ConvGeometry): { oh: number; ow: number } {
  const ekh = g.dh * (g.kh - 1) + 1;
  const ekw = g.dw * (g.kw - 1) + 1;
  const oh = Math.floor((g.h + g.padTop + g.padBottom - ekh) / g.sh) + 1;
  const ow = Math.floor((g.w + g.padLeft + g.padRight - ekw) / g.sw) + 1;
  return { oh: Math.max(0, oh), ow: Math.max(0, ow) };
}

/** A geometry with defaults (stride 1, dilation 1, no padding, one group) filled in. */
export function convGeometry(p: Partial<ConvGeometry> & Pick<ConvGeometry, 'c' | 'h' | 'w' | 'outC' | 'kh' | 'kw'>): ConvGeometry {
  return { sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1, ...p };
}

/** True when some input pixel is read by two windows (along either axis). */
export function windowsOverlap(g: ConvGeometry): boolean {
  return g.dh * (g.kh - 1) + 1 > g.sh || g.dw * (g.kw - 1) + 1 > g.sw;
}
