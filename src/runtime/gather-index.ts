// Precomputed gather indices that turn a 2-D window operation (Conv, ConvTranspose, AveragePool)
// into one Gather over a flattened, zero-extended input plane. Index h·w (one past the plane) is
// a zero that padded, out-of-range or stride-skipped positions read. This is index bookkeeping,
// not arithmetic: the products and sums run inside onnxruntime in float64.

/** Geometry of a 2-D window op on one plane; 1-D ops use h = kh = sh = dh = 1, pads 0. */
export interface WindowGeometry {
  h: number; w: number;
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  /** pads: top, left, bottom, right */
  pt: number; pl: number; pb: number; pr: number;
}

/** Indices (taps, l) into the zero-extended plane, and the output plane size. */
export interface GatherPlan {
  /** (taps × l) row-major, tap = a·kw + b, l = y·wo + x; value h·w means "zero" */
  index: BigInt64Array;
  taps: number;
  ho: number; wo: number;
  /** true when some index points at the zero slot (the plane needs a zero appended) */
  usesZero: boolean;
}

/** Output size of a convolution/pool along one axis (floor, or ONNX ceil_mode). */
export function windowOutput(n: number, k: number, s: number, d: number, p0: number, p1: number, ceil = false): number {
  const span = (k - 1) * d + 1;
  const num = n + p0 + p1 - span;
  let out = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  // ONNX/onnxruntime: the last window must start inside the input or its leading padding
  if (ceil && (out - 1) * s >= n + p0) out--;
  return out;
}

/** Gather plan of a Conv/AveragePool: out(y, x) reads in(y·sh − pt + a·dh, x·sw − pl + b·dw). */
export function convGather(g: WindowGeometry, ceil = false): GatherPlan {
  const ho = windowOutput(g.h, g.kh, g.sh, g.dh, g.pt, g.pb, ceil);
  const wo = windowOutput(g.w, g.kw, g.sw, g.dw, g.pl, g.pr, ceil);
  const taps = g.kh * g.kw;
  const l = ho * wo;
  const zero = g.h * g.w;
  const index = new BigInt64Array(taps * l);
  let usesZero = false;
  for (let a = 0; a < g.kh; a++) for (let b = 0; b < g.kw; b++) {
    const row = (a * g.kw + b) * l;
    for (let y = 0; y < ho; y++) {
      const iy = y * g.sh - g.pt + a * g.dh;
      for (let x = 0; x < wo; x++) {
        const ix = x * g.sw - g.pl + b * g.dw;
        const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
        if (!inside) usesZero = true;
        index[row + y * wo + x] = BigInt(inside ? iy * g.w + ix : zero);
      }
    }
  }
  return { index, taps, ho, wo, usesZero };
}

/**
 * Gather plan of a ConvTranspose: out(y, x) += in(i, j)·w(a, b) where y = i·sh − pt + a·dh.
 * Output size sh·(h − 1) + oph + (kh − 1)·dh + 1 − pt − pb (likewise along x).
 */
export function convTransposeGather(g: WindowGeometry, oph = 0, opw = 0): GatherPlan {
  const ho = g.sh * (g.h - 1) + oph + (g.kh - 1) * g.dh + 1 - g.pt - g.pb;
  const wo = g.sw * (g.w - 1) + opw + (g.kw - 1) * g.dw + 1 - g.pl - g.pr;
  const taps = g.kh * g.kw;
  const l = ho * wo;
  const zero = g.h * g.w;
  const index = new BigInt64Array(taps * l);
  let usesZero = false;
  const src = (o: number, p: number, a: number, d: number, s: number, n: number) => {
    const t = o + p - a * d;
    if (t < 0 || t % s !== 0) return -1;
    const i = t / s;
    return i < n ? i : -1;
  };
  for (let a = 0; a < g.kh; a++) for (let b = 0; b < g.kw; b++) {
    const row = (a * g.kw + b) * l;
    for (let y = 0; y < ho; y++) {
      const iy = src(y, g.pt, a, g.dh, g.sh, g.h);
      for (let x = 0; x < wo; x++) {
        const ix = iy < 0 ? -1 : src(x, g.pl, b, g.dw, g.sw, g.w);
        if (ix < 0) usesZero = true;
        index[row + y * wo + x] = BigInt(ix < 0 ? zero : iy * g.w + ix);
      }
    }
  }
  return { index, taps, ho, wo, usesZero };
}

/** Gather plan of a ConvTranspose computed as columns first (col2im): see col2imGather. */
export interface Col2imPlan {
  /** (l × slots) row-major: for output position l, the flat indices t·h·w + i·w + j of the column
   *  entries (tap t, input pixel (i, j)) that land on it; taps·h·w (one past the end) means "zero" */
  index: BigInt64Array;
  /** the most column entries any output position receives */
  slots: number;
  ho: number; wo: number;
  usesZero: boolean;
  /** every output position receives exactly column entry l (1×1, stride 1, no pads): no gather needed */
  identity: boolean;
}

/**
 * col2im of a ConvTranspose: column entry (tap (a, b), input (i, j)) lands on output
 * (i·sh − pt + a·dh, j·sw − pl + b·dw) when that lies inside the output. With stride s each output
 * receives about (k/s)² entries instead of the k² the direct plan (convTransposeGather) reads.
 */
export function col2imGather(g: WindowGeometry, oph = 0, opw = 0): Col2imPlan {
  const ho = g.sh * (g.h - 1) + oph + (g.kh - 1) * g.dh + 1 - g.pt - g.pb;
  const wo = g.sw * (g.w - 1) + opw + (g.kw - 1) * g.dw + 1 - g.pl - g.pr;
  const l = ho * wo, hw = g.h * g.w, taps = g.kh * g.kw;
  const count = new Int32Array(l);
  const target = (t: number, p: number) => {
    const a = Math.floor(t / g.kw), b = t % g.kw, i = Math.floor(p / g.w), j = p % g.w;
    const y = i * g.sh - g.pt + a * g.dh, x = j * g.sw - g.pl + b * g.dw;
    return y >= 0 && y < ho && x >= 0 && x < wo ? y * wo + x : -1;
  };
  for (let t = 0; t < taps; t++) for (let p = 0; p < hw; p++) { const q = target(t, p); if (q >= 0) count[q]!++; }
  let slots = 1;
  for (const c of count) slots = Math.max(slots, c);
  const zero = BigInt(taps * hw);
  const index = new BigInt64Array(l * slots).fill(zero);
  const fill = new Int32Array(l);
  for (let t = 0; t < taps; t++) for (let p = 0; p < hw; p++) {
    const q = target(t, p);
    if (q >= 0) index[q * slots + fill[q]!++] = BigInt(t * hw + p);
  }
  const usesZero = count.some((c) => c < slots);
  let identity = slots === 1 && !usesZero && l === taps * hw;
  for (let q = 0; identity && q < l; q++) identity = index[q] === BigInt(q);
  return { index, slots, ho, wo, usesZero, identity };
}

/**
 * Divisors of an AveragePool, one per output position (length ho·wo): the number of taps inside
 * the input (count_include_pad = 0) or inside the padded input (count_include_pad = 1).
 */
export function poolCounts(g: WindowGeometry, plan: GatherPlan, includePad: boolean): Float64Array {
  const counts = new Float64Array(plan.ho * plan.wo);
  for (let y = 0; y < plan.ho; y++) for (let x = 0; x < plan.wo; x++) {
    let c = 0;
    for (let a = 0; a < g.kh; a++) {
      const iy = y * g.sh - g.pt + a * g.dh;
      const lo = includePad ? -g.pt : 0;
      const hi = includePad ? g.h + g.pb : g.h;
      if (iy < lo || iy >= hi) continue;
      for (let b = 0; b < g.kw; b++) {
        const ix = x * g.sw - g.pl + b * g.dw;
        if (ix >= (includePad ? -g.pl : 0) && ix < (includePad ? g.w + g.pr : g.w)) c++;
      }
    }
    counts[y * plan.wo + x] = c;
  }
  return counts;
}

/** Pads [begin, end] for one axis from auto_pad (SAME_UPPER puts the odd pixel at the end). */
export function autoPads(mode: string, n: number, k: number, s: number, d: number): { begin: number; end: number } {
  if (mode === 'VALID') return { begin: 0, end: 0 };
  const span = (k - 1) * d + 1;
  const out = Math.ceil(n / s);
  const total = Math.max(0, (out - 1) * s + span - n);
  const small = Math.floor(total / 2);
  return mode === 'SAME_LOWER' ? { begin: total - small, end: small } : { begin: small, end: total - small };
}
