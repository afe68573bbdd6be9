// The tile fit's per-tile gathers and steps on the whole image (src/linalg/tile-fit.ts): the residual
// of every tile of a tiling, a tile's room, and the largest feasible step along a tile's direction.
// A tile at image offset o holds entries o + off[j] (off: n i32, CHW within the tile); the image-wide
// arrays are δ, the bounds lo ≤ δ ≤ hi and the goal g (f64), and the held flags (i32). Here because
// these loops ran in JS at ≈ 6 ms an image (a 48×192 photo crop, five sweeps of 58 tiles).
import { heldTileStepF64 } from "./tile";

/** R (T × n) row t = g − δ on tile t (image offsets tiles (T i32)) */
export function tileResidualsF64(T: i32, n: i32, tilesPtr: usize, offPtr: usize, gPtr: usize, dPtr: usize, rPtr: usize): void {
  for (let t = 0; t < T; t++) {
    const o = <usize>load<i32>(tilesPtr + (<usize>t << 2));
    const row = rPtr + (<usize>(t * n) << 3);
    for (let j = 0; j < n; j++) {
      const i = (o + <usize>load<i32>(offPtr + (<usize>j << 2))) << 3;
      store<f64>(row + (<usize>j << 3), load<f64>(gPtr + i) - load<f64>(dPtr + i));
    }
  }
}

let gNoUp: i32 = 0;
let gNoDown: i32 = 0;
/** entries of the last tileRoomsF64 tile with no room upwards / downwards */
export function tileNoUp(): i32 { return gNoUp; }
export function tileNoDown(): i32 { return gNoDown; }

/** the room of each entry of the tile at o relative to δ: up = hi − δ, down = lo − δ (n f64 each);
 *  returns max |v0| (round-off's scale for the tile's step); the entries without room: tileNoUp/tileNoDown */
export function tileRoomsF64(o: i32, n: i32, offPtr: usize, dPtr: usize, hiPtr: usize, loPtr: usize, v0Ptr: usize, upPtr: usize, downPtr: usize): f64 {
  let vmax: f64 = 0;
  let noUp = 0, noDown = 0;
  for (let j = 0; j < n; j++) {
    const i = (<usize>o + <usize>load<i32>(offPtr + (<usize>j << 2))) << 3;
    const jo = <usize>j << 3;
    const d = load<f64>(dPtr + i);
    const u = load<f64>(hiPtr + i) - d;
    const w = load<f64>(loPtr + i) - d;
    store<f64>(upPtr + jo, u);
    store<f64>(downPtr + jo, w);
    vmax = max<f64>(vmax, abs<f64>(load<f64>(v0Ptr + jo)));
    if (u <= 0) noUp++;
    if (w >= 0) noDown++;
  }
  gNoUp = noUp;
  gNoDown = noDown;
  return vmax;
}

/**
 * δ += γ·v on the tile at o, γ ≤ 1 the largest step that keeps every entry in the box beyond tau (entries that
 * end within round-off of a bound land on it). Returns γ (0: δ unchanged).
 */
export function tileStepAlongF64(o: i32, n: i32, offPtr: usize, dPtr: usize, hiPtr: usize, loPtr: usize, vPtr: usize, tau: f64): f64 {
  let gamma: f64 = 1;
  for (let j = 0; j < n; j++) {
    const i = (<usize>o + <usize>load<i32>(offPtr + (<usize>j << 2))) << 3;
    const vj = load<f64>(vPtr + (<usize>j << 3));
    const dj = load<f64>(dPtr + i);
    const d = dj + vj;
    const hi = load<f64>(hiPtr + i), lo = load<f64>(loPtr + i);
    if (d > hi + tau) gamma = min<f64>(gamma, max<f64>(0, (hi - dj) / vj));
    else if (d < lo - tau) gamma = min<f64>(gamma, max<f64>(0, (lo - dj) / vj));
  }
  if (gamma == 0) return 0;
  for (let j = 0; j < n; j++) {
    const i = (<usize>o + <usize>load<i32>(offPtr + (<usize>j << 2))) << 3;
    let d = load<f64>(dPtr + i) + gamma * load<f64>(vPtr + (<usize>j << 3));
    const hi = load<f64>(hiPtr + i), lo = load<f64>(loPtr + i);
    if (d > hi) d = hi; else if (d < lo) d = lo;
    store<f64>(dPtr + i, d);
  }
  return gamma;
}

/**
 * One held-entry tile step at o (tile-fit.ts `run`): the tile's δ, bounds and held flags copied to tD, tHi, tLo,
 * tHeld (n each), heldTileStepF64 on them (arguments as there), the held flags back into held (N i32), then the
 * largest feasible step along its v (tileStepAlongF64 with its tau). Returns γ.
 */
export function heldTileAtF64(o: i32, n: i32, k: i32, offPtr: usize, dPtr: usize, hiPtr: usize, loPtr: usize, heldPtr: usize,
  pPtr: usize, btPtr: usize, c0Ptr: usize, v0Ptr: usize, tDPtr: usize, tHiPtr: usize, tLoPtr: usize, tHeldPtr: usize,
  rounds: i32, maxRounds: i32, lPtr: usize, hPtr: usize, addedPtr: usize, lamPtr: usize, candQPtr: usize, candJPtr: usize,
  vPtr: usize, cPtr: usize): f64 {
  for (let j = 0; j < n; j++) {
    const e = <usize>o + <usize>load<i32>(offPtr + (<usize>j << 2));
    const jo = <usize>j << 3;
    store<f64>(tDPtr + jo, load<f64>(dPtr + (e << 3)));
    store<f64>(tHiPtr + jo, load<f64>(hiPtr + (e << 3)));
    store<f64>(tLoPtr + jo, load<f64>(loPtr + (e << 3)));
    store<i32>(tHeldPtr + (<usize>j << 2), load<i32>(heldPtr + (e << 2)));
  }
  const tau = heldTileStepF64(n, k, pPtr, btPtr, c0Ptr, v0Ptr, tDPtr, tHiPtr, tLoPtr, tHeldPtr, rounds, maxRounds, lPtr, hPtr, addedPtr, lamPtr, candQPtr, candJPtr, vPtr, cPtr);
  for (let j = 0; j < n; j++) {
    if (load<i32>(tHeldPtr + (<usize>j << 2)) == 0) continue;
    store<i32>(heldPtr + ((<usize>o + <usize>load<i32>(offPtr + (<usize>j << 2))) << 2), 1);
  }
  // (held entries have v at round-off: they land where they are)
  return tileStepAlongF64(o, n, offPtr, dPtr, hiPtr, loPtr, vPtr, tau);
}
