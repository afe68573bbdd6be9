// im2col / col2im for NCHW convolution (batch 1), float64 and float32 from one generic body.
//
// Column layout (the contract with src/linalg/im2col.ts and conv.ts): cols is a row-major
// (c·kh·kw) × (oh·ow) matrix; row r = (ci·kh + ki)·kw + kj, column q = oy·ow + ox, and
//   cols[r, q] = x[ci, oy·sh − padTop + ki·dh, ox·sw − padLeft + kj·dw]   (0 outside the image).
// Channels of one group are consecutive, so group gi owns the row block
// [gi·(c/g)·kh·kw, (gi+1)·(c/g)·kh·kw): conv is y_g = W_g (outC/g × (c/g)·kh·kw) · cols_g.
// Bottom/right padding enter only through oh/ow, which the caller computes.
// col2im is the exact adjoint: it ADDS every cols entry into the pixel it was read from
// (the caller zeroes x first when it wants the plain adjoint).

/** First and one-past-last output index whose input coordinate o·s − pad + off lies in [0, n). */
@inline function validLo(pad: i32, off: i32, s: i32, outN: i32): i32 {
  // smallest o with o·s ≥ pad − off
  const need = pad - off;
  let lo = need <= 0 ? 0 : (need + s - 1) / s;
  return lo > outN ? outN : lo;
}
@inline function validHi(pad: i32, off: i32, s: i32, n: i32, outN: i32): i32 {
  // largest o with o·s − pad + off ≤ n − 1, plus one
  const lim = n - 1 + pad - off;
  if (lim < 0) return 0;
  const hi = lim / s + 1;
  return hi > outN ? outN : hi;
}

@inline function im2colT<T>(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32, xPtr: usize, colsPtr: usize,
): void {
  const es = <usize>sizeof<T>();
  let dst = colsPtr;
  const rowBytes = <usize>ow * es;
  for (let ci = 0; ci < c; ci++) {
    const plane = xPtr + <usize>ci * <usize>h * <usize>w * es;
    for (let ki = 0; ki < kh; ki++) {
      const offY = ki * dh;
      const yLo = validLo(padTop, offY, sh, oh);
      const yHi = validHi(padTop, offY, sh, h, oh);
      for (let kj = 0; kj < kw; kj++) {
        const offX = kj * dw;
        const xLo = validLo(padLeft, offX, sw, ow);
        const xHi = validHi(padLeft, offX, sw, w, ow);
        for (let oy = 0; oy < oh; oy++) {
          if (oy < yLo || oy >= yHi || xLo >= xHi) {
            memory.fill(dst, 0, rowBytes);
          } else {
            const iy = oy * sh - padTop + offY;
            const src = plane + (<usize>iy * <usize>w) * es;
            if (xLo > 0) memory.fill(dst, 0, <usize>xLo * es);
            let ix = xLo * sw - padLeft + offX;
            if (sw == 1) {
              memory.copy(dst + <usize>xLo * es, src + <usize>ix * es, <usize>(xHi - xLo) * es);
            } else {
              for (let ox = xLo; ox < xHi; ox++, ix += sw) {
                store<T>(dst + <usize>ox * es, load<T>(src + <usize>ix * es));
              }
            }
            if (xHi < ow) memory.fill(dst + <usize>xHi * es, 0, <usize>(ow - xHi) * es);
          }
          dst += rowBytes;
        }
      }
    }
  }
}

@inline function col2imT<T>(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32, colsPtr: usize, xPtr: usize,
): void {
  const es = <usize>sizeof<T>();
  let src = colsPtr;
  const rowBytes = <usize>ow * es;
  for (let ci = 0; ci < c; ci++) {
    const plane = xPtr + <usize>ci * <usize>h * <usize>w * es;
    for (let ki = 0; ki < kh; ki++) {
      const offY = ki * dh;
      const yLo = validLo(padTop, offY, sh, oh);
      const yHi = validHi(padTop, offY, sh, h, oh);
      for (let kj = 0; kj < kw; kj++) {
        const offX = kj * dw;
        const xLo = validLo(padLeft, offX, sw, ow);
        const xHi = validHi(padLeft, offX, sw, w, ow);
        for (let oy = yLo; oy < yHi; oy++) {
          const iy = oy * sh - padTop + offY;
          const row = src + <usize>oy * rowBytes;
          const dstRow = plane + (<usize>iy * <usize>w) * es;
          let ix = xLo * sw - padLeft + offX;
          if (sw == 1 && sizeof<T>() == 8) {
            let ox = xLo;
            for (; ox + 2 <= xHi; ox += 2, ix += 2) {
              const d = dstRow + <usize>ix * es;
              v128.store(d, f64x2.add(v128.load(d), v128.load(row + <usize>ox * es)));
            }
            for (; ox < xHi; ox++, ix++) {
              const d = dstRow + <usize>ix * es;
              store<T>(d, load<T>(d) + load<T>(row + <usize>ox * es));
            }
          } else if (sw == 1) {
            let ox = xLo;
            for (; ox + 4 <= xHi; ox += 4, ix += 4) {
              const d = dstRow + <usize>ix * es;
              v128.store(d, f32x4.add(v128.load(d), v128.load(row + <usize>ox * es)));
            }
            for (; ox < xHi; ox++, ix++) {
              const d = dstRow + <usize>ix * es;
              store<T>(d, load<T>(d) + load<T>(row + <usize>ox * es));
            }
          } else {
            for (let ox = xLo; ox < xHi; ox++, ix += sw) {
              const d = dstRow + <usize>ix * es;
              store<T>(d, load<T>(d) + load<T>(row + <usize>ox * es));
            }
          }
        }
        src += <usize>oh * rowBytes;
      }
    }
  }
}

/** x (c,h,w) f64 → cols ((c·kh·kw), (oh·ow)) f64; caller sizes cols; see the layout above. */
export function im2colF64(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32, xPtr: usize, colsPtr: usize,
): void {
  im2colT<f64>(c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, xPtr, colsPtr);
}

/** x (c,h,w) f32 → cols ((c·kh·kw), (oh·ow)) f32; caller sizes cols; see the layout above. */
export function im2colF32(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32, xPtr: usize, colsPtr: usize,
): void {
  im2colT<f32>(c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, xPtr, colsPtr);
}

/** cols ((c·kh·kw), (oh·ow)) f64 accumulated into x (c,h,w) f64 (x += im2colᵀ cols). */
export function col2imF64(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32, colsPtr: usize, xPtr: usize,
): void {
  col2imT<f64>(c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, colsPtr, xPtr);
}

/** cols ((c·kh·kw), (oh·ow)) f32 accumulated into x (c,h,w) f32 (x += im2colᵀ cols). */
export function col2imF32(
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, oh: i32, ow: i32, colsPtr: usize, xPtr: usize,
): void {
  col2imT<f32>(c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, colsPtr, xPtr);
}
