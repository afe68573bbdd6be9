// Gram matrices of rows of a convolution operator (one group) without forming the rows: two
// output rows (channel c1 at position p1, c2 at p2) read the same pixels only where their windows
// overlap, and over the whole overlap their inner product depends on (c1, c2, p1 − p2) alone —
// a table built once per weight. What a particular Gram leaves out (pixels outside the image,
// pixels the caller holds) is subtracted pixel by pixel, a rank-one term each. Used by the stem's
// tile preconditioner (src/stem/tile-precond.ts), where a tile's Gram by GEMM over its dense rows
// cost most of a round.

/**
 * f64 table (outC, outC, 2ry+1, 2rx+1): entry (c1, c2, dy, dx) = Σ W[c1,ci,ky,kx]·W[c2,ci,ky',kx'] over
 * the taps where row (c1, p) and row (c2, p − (dy, dx)) read the same pixel (ky' = ky + dy·sh/dh,
 * and likewise x), 0 where they share none. W (outC, c, kh, kw) f64.
 */
export function convGramTableF64(wPtr: usize, outC: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, ry: i32, rx: i32, tPtr: usize): void {
  const ny = 2 * ry + 1, nx = 2 * rx + 1, kk = kh * kw, K = c * kk;
  for (let c1 = 0; c1 < outC; c1++) {
    for (let c2 = 0; c2 < outC; c2++) {
      for (let dy = -ry; dy <= ry; dy++) {
        for (let dx = -rx; dx <= rx; dx++) {
          let s: f64 = 0;
          const oy = dy * sh, ox = dx * sw;
          if (oy % dh == 0 && ox % dw == 0) {
            const sy = oy / dh, sx = ox / dw;
            for (let ci = 0; ci < c; ci++) {
              const w1 = wPtr + ((<usize>(c1 * K + ci * kk)) << 3);
              const w2 = wPtr + ((<usize>(c2 * K + ci * kk)) << 3);
              for (let ky = 0; ky < kh; ky++) {
                const ky2 = ky + sy;
                if (ky2 < 0 || ky2 >= kh) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const kx2 = kx + sx;
                  if (kx2 < 0 || kx2 >= kw) continue;
                  s += load<f64>(w1 + (<usize>(ky * kw + kx) << 3)) * load<f64>(w2 + (<usize>(ky2 * kw + kx2) << 3));
                }
              }
            }
          }
          store<f64>(tPtr + (<usize>(((c1 * outC + c2) * ny + dy + ry) * nx + dx + rx) << 3), s);
        }
      }
    }
  }
}

/**
 * The Gram of n conv rows over every pixel their windows cover (the image taken as unbounded), its
 * lower triangle written into a lower-band layout (entry (i, k), k ≤ i, at out[i·ld + k − i + b]).
 * rows: i32 (n, 3) = channel, output y, output x; table from convGramTableF64.
 */
export function convGramRowsF64(n: i32, rowsPtr: usize, tPtr: usize, outC: i32, ry: i32, rx: i32, outPtr: usize, ld: i32, b: i32): void {
  const ny = 2 * ry + 1, nx = 2 * rx + 1;
  for (let i = 0; i < n; i++) {
    const ri = rowsPtr + (<usize>(3 * i) << 2);
    const ci = load<i32>(ri), yi = load<i32>(ri + 4), xi = load<i32>(ri + 8);
    const row = outPtr + (<usize>(i * ld - i + b) << 3);
    for (let k = 0; k <= i; k++) {
      const rk = rowsPtr + (<usize>(3 * k) << 2);
      const dy = yi - load<i32>(rk + 4), dx = xi - load<i32>(rk + 8);
      let v: f64 = 0;
      if (dy >= -ry && dy <= ry && dx >= -rx && dx <= rx) {
        v = load<f64>(tPtr + (<usize>(((ci * outC + load<i32>(rk)) * ny + dy + ry) * nx + dx + rx) << 3));
      }
      store<f64>(row + (<usize>k << 3), v);
    }
  }
}

/**
 * Subtracts from that Gram (same layout) the part read at each of npix pixels: Σ over pixels of
 * a·aᵀ, a_i = the weight with which row i reads the pixel. pix: i32 (npix, 3) = input channel, y, x
 * in unpadded input coordinates (may lie outside the image: padding). Scratch: idx i32 (n), val f64 (n).
 */
export function convGramDowndateF64(n: i32, rowsPtr: usize, wPtr: usize, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, pixPtr: usize, npix: i32, idxPtr: usize, valPtr: usize, outPtr: usize, ld: i32, b: i32): void {
  const kk = kh * kw, K = c * kk;
  for (let q = 0; q < npix; q++) {
    const pq = pixPtr + (<usize>(3 * q) << 2);
    const pc = load<i32>(pq), py = load<i32>(pq + 4) + padTop, px = load<i32>(pq + 8) + padLeft;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const ri = rowsPtr + (<usize>(3 * i) << 2);
      const ty = py - load<i32>(ri + 4) * sh, tx = px - load<i32>(ri + 8) * sw;
      if (ty < 0 || tx < 0 || ty % dh != 0 || tx % dw != 0) continue;
      const ky = ty / dh, kx = tx / dw;
      if (ky >= kh || kx >= kw) continue;
      store<i32>(idxPtr + (<usize>m << 2), i);
      store<f64>(valPtr + (<usize>m << 3), load<f64>(wPtr + (<usize>(load<i32>(ri) * K + pc * kk + ky * kw + kx) << 3)));
      m++;
    }
    for (let a = 0; a < m; a++) {
      const i = load<i32>(idxPtr + (<usize>a << 2));
      const va = load<f64>(valPtr + (<usize>a << 3));
      const row = outPtr + (<usize>(i * ld - i + b) << 3);
      for (let e = 0; e <= a; e++) {
        const k = load<i32>(idxPtr + (<usize>e << 2));
        const o = row + (<usize>k << 3);
        store<f64>(o, load<f64>(o) - va * load<f64>(valPtr + (<usize>e << 3)));
      }
    }
  }
}
