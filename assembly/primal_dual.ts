// The dual step of the stem's primal–dual method (src/stem/primal-dual.ts), on float32 vectors that
// stay in WASM memory between the conv products: y ← y + σ·Aδ̄ − σ·clamp((y + σ·Aδ̄)/σ, lb, ub), the
// proximal step of the row constraints lb ≤ Aδ ≤ ub. Over all conv outputs (~800 k at 224×224) every
// step, where a JavaScript loop cost a third of the method's time.

/** f32 y (m) updated in place from ax (m), lb, ub (m; ±Infinity for no bound), σ. */
export function pdDualF32(m: i32, sigma: f32, axPtr: usize, yPtr: usize, lbPtr: usize, ubPtr: usize): void {
  const s = f32x4.splat(sigma);
  const inv = f32x4.splat(<f32>1 / sigma);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const o = <usize>j << 2;
    const v = f32x4.add(v128.load(yPtr + o), f32x4.mul(s, v128.load(axPtr + o)));
    const c = f32x4.max(v128.load(lbPtr + o), f32x4.min(v128.load(ubPtr + o), f32x4.mul(v, inv)));
    v128.store(yPtr + o, f32x4.sub(v, f32x4.mul(s, c)));
  }
  for (; j < m; j++) {
    const o = <usize>j << 2;
    const v = load<f32>(yPtr + o) + sigma * load<f32>(axPtr + o);
    let c = v / sigma;
    const lb = load<f32>(lbPtr + o), ub = load<f32>(ubPtr + o);
    c = c < lb ? lb : c > ub ? ub : c;
    store<f32>(yPtr + o, v - sigma * c);
  }
}
