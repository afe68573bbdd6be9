// Selected rows of a convolution operator (one group), and their adjoint: y_k = ⟨W_c, patch_p(x)⟩
// for the rows k = (c, p) a solver holds, and x = Σ_k y_k·(W_c placed at p's window). The stem's
// exact stage holds about one conv output in eight; the whole-layer GEMM would compute the other
// seven and throw them away. Rows come grouped by output position (CSR: positions pos[0..np),
// their rows start[i] … start[i+1] − 1, channel chan[k]), so each window is gathered or scattered
// once for all the channels held there. f64; the patch scratch holds c·kh·kw entries.

@inline function dotK(a: usize, b: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) s += load<f64>(a + (<usize>i << 3)) * load<f64>(b + (<usize>i << 3));
  return s;
}

/**
 * The window of output position p against the image x: gather (patch ← x, 0 outside the image) or,
 * with `scatter`, add the patch into x. A window inside the image with unit column dilation moves
 * each kernel row as one contiguous run.
 */
@inline function windowMove(scatter: bool, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, ow: i32,
  p: i32, xPtr: usize, patchPtr: usize): void {
  const oy = p / ow, ox = p % ow;
  const y0 = oy * sh - padTop, x0 = ox * sw - padLeft;
  let q: usize = patchPtr;
  const interior = dw == 1 && y0 >= 0 && x0 >= 0 && y0 + (kh - 1) * dh < h && x0 + kw - 1 < w;
  for (let ci = 0; ci < c; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      const yy = y0 + ky * dh;
      const row = xPtr + (<usize>((ci * h + yy) * w) << 3);
      if (interior) {
        const run = row + (<usize>x0 << 3);
        if (scatter) {
          let kx = 0;
          for (; kx + 2 <= kw; kx += 2) { const o = <usize>kx << 3; v128.store(run + o, f64x2.add(v128.load(run + o), v128.load(q + o))); }
          for (; kx < kw; kx++) { const o = <usize>kx << 3; store<f64>(run + o, load<f64>(run + o) + load<f64>(q + o)); }
        } else {
          memory.copy(q, run, <usize>kw << 3);
        }
        q += <usize>kw << 3;
        continue;
      }
      const inside = yy >= 0 && yy < h;
      for (let kx = 0; kx < kw; kx++) {
        const xx = x0 + kx * dw;
        const ok = inside && xx >= 0 && xx < w;
        if (scatter) { if (ok) { const o = row + (<usize>xx << 3); store<f64>(o, load<f64>(o) + load<f64>(q)); } }
        else store<f64>(q, ok ? load<f64>(row + (<usize>xx << 3)) : 0);
        q += 8;
      }
    }
  }
}

/** y (nrows) = the selected rows applied to x (c, h, w). W (outC, c, kh, kw); patch scratch f64 (c·kh·kw). */
export function convRowsF64(c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, ow: i32,
  wPtr: usize, np: i32, posPtr: usize, startPtr: usize, chanPtr: usize, xPtr: usize, patchPtr: usize, yPtr: usize): void {
  const K = c * kh * kw;
  for (let i = 0; i < np; i++) {
    windowMove(false, c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, ow, load<i32>(posPtr + (<usize>i << 2)), xPtr, patchPtr);
    const e = load<i32>(startPtr + (<usize>(i + 1) << 2));
    let k = load<i32>(startPtr + (<usize>i << 2));
    // four channels a pass (the patch loaded once for all four), then one at a time
    for (; k + 4 <= e; k += 4) {
      const w0 = wPtr + (<usize>(load<i32>(chanPtr + (<usize>k << 2)) * K) << 3);
      const w1 = wPtr + (<usize>(load<i32>(chanPtr + (<usize>(k + 1) << 2)) * K) << 3);
      const w2 = wPtr + (<usize>(load<i32>(chanPtr + (<usize>(k + 2) << 2)) * K) << 3);
      const w3 = wPtr + (<usize>(load<i32>(chanPtr + (<usize>(k + 3) << 2)) * K) << 3);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let j = 0;
      for (; j + 2 <= K; j += 2) {
        const o = <usize>j << 3;
        const v = v128.load(patchPtr + o);
        a0 = f64x2.add(a0, f64x2.mul(v, v128.load(w0 + o)));
        a1 = f64x2.add(a1, f64x2.mul(v, v128.load(w1 + o)));
        a2 = f64x2.add(a2, f64x2.mul(v, v128.load(w2 + o)));
        a3 = f64x2.add(a3, f64x2.mul(v, v128.load(w3 + o)));
      }
      let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
      let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
      let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
      let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
      for (; j < K; j++) {
        const o = <usize>j << 3;
        const v = load<f64>(patchPtr + o);
        s0 += v * load<f64>(w0 + o); s1 += v * load<f64>(w1 + o); s2 += v * load<f64>(w2 + o); s3 += v * load<f64>(w3 + o);
      }
      store<f64>(yPtr + (<usize>k << 3), s0);
      store<f64>(yPtr + (<usize>(k + 1) << 3), s1);
      store<f64>(yPtr + (<usize>(k + 2) << 3), s2);
      store<f64>(yPtr + (<usize>(k + 3) << 3), s3);
    }
    for (; k < e; k++) {
      const ch = load<i32>(chanPtr + (<usize>k << 2));
      store<f64>(yPtr + (<usize>k << 3), dotK(wPtr + (<usize>(ch * K) << 3), patchPtr, K));
    }
  }
}

/** x (c, h, w) = the selected rows' adjoint applied to y (overwrites x). Same arguments as convRowsF64. */
export function convRowsTF64(c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, ow: i32,
  wPtr: usize, np: i32, posPtr: usize, startPtr: usize, chanPtr: usize, yPtr: usize, patchPtr: usize, xPtr: usize): void {
  const K = c * kh * kw;
  memory.fill(xPtr, 0, <usize>(c * h * w) << 3);
  for (let i = 0; i < np; i++) {
    memory.fill(patchPtr, 0, <usize>K << 3);
    const e = load<i32>(startPtr + (<usize>(i + 1) << 2));
    let k = load<i32>(startPtr + (<usize>i << 2));
    for (; k + 2 <= e; k += 2) {
      const b0 = f64x2.splat(load<f64>(yPtr + (<usize>k << 3)));
      const b1 = f64x2.splat(load<f64>(yPtr + (<usize>(k + 1) << 3)));
      const w0 = wPtr + (<usize>(load<i32>(chanPtr + (<usize>k << 2)) * K) << 3);
      const w1 = wPtr + (<usize>(load<i32>(chanPtr + (<usize>(k + 1) << 2)) * K) << 3);
      let j = 0;
      for (; j + 2 <= K; j += 2) {
        const o = <usize>j << 3;
        v128.store(patchPtr + o, f64x2.add(v128.load(patchPtr + o), f64x2.add(f64x2.mul(b0, v128.load(w0 + o)), f64x2.mul(b1, v128.load(w1 + o)))));
      }
      const s0 = f64x2.extract_lane(b0, 0), s1 = f64x2.extract_lane(b1, 0);
      for (; j < K; j++) store<f64>(patchPtr + (<usize>j << 3), load<f64>(patchPtr + (<usize>j << 3)) + (s0 * load<f64>(w0 + (<usize>j << 3)) + s1 * load<f64>(w1 + (<usize>j << 3))));
    }
    for (; k < e; k++) {
      const ch = load<i32>(chanPtr + (<usize>k << 2));
      const a = f64x2.splat(load<f64>(yPtr + (<usize>k << 3)));
      const wr = wPtr + (<usize>(ch * K) << 3);
      let j = 0;
      for (; j + 2 <= K; j += 2) {
        const o = <usize>j << 3;
        v128.store(patchPtr + o, f64x2.add(v128.load(patchPtr + o), f64x2.mul(a, v128.load(wr + o))));
      }
      const s = f64x2.extract_lane(a, 0);
      for (; j < K; j++) store<f64>(patchPtr + (<usize>j << 3), load<f64>(patchPtr + (<usize>j << 3)) + s * load<f64>(wr + (<usize>j << 3)));
    }
    windowMove(true, c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, ow, load<i32>(posPtr + (<usize>i << 2)), xPtr, patchPtr);
  }
}
