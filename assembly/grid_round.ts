// Rounding an exact x′ to the PNG grid so that the first layer sees as little of the rounding as the
// grid allows: coordinate descent on ‖A e‖², e = the rounding error in model units, each sample
// choosing among its grid neighbours (|k − u| ≤ 1 step). r = A e is kept up to date through the
// sample's own column, so a sweep costs one pass over A's non-zeros. Only moves that lower ‖r‖²
// are taken: the result is never worse than nearest rounding. Why not more than ~2×: with two
// choices a sample and n/m samples a first-layer output, the best of the 2ⁿ roundings is only
// about 2^(−n/m) of a random one (a volume count), and this descent reaches most of that.
//
// Layout: k, lo, hi (grid indices as f64) and the samples in model order CHW; step[c] = model units
// per grid step of channel c; r is the first layer's output, channel-last (oh, ow, outC) for a conv
// (see gridDescentConvF64), (m) for a dense layer.

/** One sample's move: s = ±1 toward −g if it lowers ‖r‖² by more than round-off; returns s or 0. */
@inline function choose(g: f64, d: f64, step: f64, k: f64, lo: f64, hi: f64): f64 {
  const s: f64 = g > 0 ? -1 : 1;
  const nk = k + s;
  if (nk < lo || nk > hi) return 0;
  // Δ‖r‖² = 2·s·step·g + step²·d
  return step * (2 * s * g + step * d) < -1e-30 ? s : 0;
}

/** Σ_j a_j² of the last dotNorm. */
let tapNorm: f64 = 0;

/** Σ_j a_j·r_j over og contiguous entries (SIMD pairs); Σ_j a_j² into tapNorm. */
@inline function dotNorm(wp: usize, rp: usize, og: i32): f64 {
  let g = f64x2.splat(0), d = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= og; j += 2) {
    const o = <usize>j << 3;
    const a = v128.load(wp + o);
    g = f64x2.add(g, f64x2.mul(a, v128.load(rp + o)));
    d = f64x2.add(d, f64x2.mul(a, a));
  }
  let gs = f64x2.extract_lane(g, 0) + f64x2.extract_lane(g, 1);
  let ds = f64x2.extract_lane(d, 0) + f64x2.extract_lane(d, 1);
  for (; j < og; j++) { const a = load<f64>(wp + (<usize>j << 3)); gs += a * load<f64>(rp + (<usize>j << 3)); ds += a * a; }
  tapNorm = ds;
  return gs;
}

/**
 * Conv first layer (NCHW, batch 1, any stride/padding/dilation/groups). Channel-last layouts, so that
 * the outputs a sample reaches through one kernel tap are contiguous: r is (oh, ow, outC) and the
 * weights wT are (c, kh, kw, outC/groups) — wT[ci, ky, kx, j] = w[o0 + j, ci mod (c/groups), ky, kx]
 * with o0 the first output of ci's group. tapsPtr: scratch for 2·kh·kw addresses (the taps that read
 * the current sample, found once for its gather and reused for its scatter). Returns the number of moves.
 */
export function gridDescentConvF64(
  c: i32, h: i32, w: i32, outC: i32, groups: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32,
  wPtr: usize, rPtr: usize, kPtr: usize, loPtr: usize, hiPtr: usize, stepPtr: usize, sweeps: i32, tapsPtr: usize,
): i32 {
  const cg = c / groups, og = outC / groups;
  let moves = 0;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = 0;
    for (let ci = 0; ci < c; ci++) {
      const o0 = (ci / cg) * og;
      const step = load<f64>(stepPtr + (<usize>ci << 3));
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = <usize>((ci * h + y) * w + x);
          // g = a_iᵀ r and d = ‖a_i‖² over the windows that read (y, x), each tap's (w, r) addresses kept
          let g: f64 = 0, d: f64 = 0;
          let taps: usize = 0;
          for (let ky = 0; ky < kh; ky++) {
            const ty = y + padTop - ky * dh;
            if (ty < 0 || ty % sh != 0) continue;
            const oy = ty / sh;
            if (oy >= oh) continue;
            for (let kx = 0; kx < kw; kx++) {
              const tx = x + padLeft - kx * dw;
              if (tx < 0 || tx % sw != 0) continue;
              const ox = tx / sw;
              if (ox >= ow) continue;
              const wp = wPtr + ((((<usize>ci * <usize>kh + <usize>ky) * <usize>kw + <usize>kx) * <usize>og) << 3);
              const rp = rPtr + (((<usize>oy * <usize>ow + <usize>ox) * <usize>outC + <usize>o0) << 3);
              g += dotNorm(wp, rp, og);
              d += tapNorm;
              store<usize>(tapsPtr + (taps << alignof<usize>()), wp);
              store<usize>(tapsPtr + ((taps + 1) << alignof<usize>()), rp);
              taps += 2;
            }
          }
          const k = load<f64>(kPtr + (i << 3));
          const s = choose(g, d, step, k, load<f64>(loPtr + (i << 3)), load<f64>(hiPtr + (i << 3)));
          if (s == 0) continue;
          store<f64>(kPtr + (i << 3), k + s);
          moved++;
          const ds = f64x2.splat(s * step);
          for (let t: usize = 0; t < taps; t += 2) {
            const wp = load<usize>(tapsPtr + (t << alignof<usize>()));
            const rp = load<usize>(tapsPtr + ((t + 1) << alignof<usize>()));
            let j = 0;
            for (; j + 2 <= og; j += 2) {
              const o = <usize>j << 3;
              v128.store(rp + o, f64x2.add(v128.load(rp + o), f64x2.mul(ds, v128.load(wp + o))));
            }
            for (; j < og; j++) {
              const o = <usize>j << 3;
              store<f64>(rp + o, load<f64>(rp + o) + s * step * load<f64>(wp + o));
            }
          }
        }
      }
    }
    moves += moved;
    if (moved == 0) break;
  }
  return moves;
}

/** Dense first layer W (m × n, row-major), samples in model order; plane = samples per channel. */
export function gridDescentDenseF64(m: i32, n: i32, plane: i32, wPtr: usize, rPtr: usize, kPtr: usize, loPtr: usize, hiPtr: usize, stepPtr: usize, sweeps: i32): i32 {
  const rowBytes = <usize>n << 3;
  let moves = 0;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const step = load<f64>(stepPtr + (<usize>(i / plane) << 3));
      let g: f64 = 0, d: f64 = 0;
      let wp = wPtr + (<usize>i << 3);
      for (let j = 0; j < m; j++, wp += rowBytes) { const a = load<f64>(wp); g += a * load<f64>(rPtr + (<usize>j << 3)); d += a * a; }
      const ip = <usize>i << 3;
      const k = load<f64>(kPtr + ip);
      const s = choose(g, d, step, k, load<f64>(loPtr + ip), load<f64>(hiPtr + ip));
      if (s == 0) continue;
      store<f64>(kPtr + ip, k + s);
      moved++;
      const ds = s * step;
      wp = wPtr + (<usize>i << 3);
      for (let j = 0; j < m; j++, wp += rowBytes) { const rp = rPtr + (<usize>j << 3); store<f64>(rp, load<f64>(rp) + ds * load<f64>(wp)); }
    }
    moves += moved;
    if (moved == 0) break;
  }
  return moves;
}
