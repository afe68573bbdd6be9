// Units of a perturbation: the cells of a grid × grid partition of the image plane (cell edges at
// floor(r·H/grid), so cells differ by at most one pixel), and the masked inputs x + δ_S built from
// them, batch by batch, in the model's NCHW layout.
import { assertInt } from '../core/errors.js';

export interface GridUnits {
  grid: number;
  units: number;
  /** per pixel (row-major H × W): the unit it belongs to */
  cellOf: Int32Array;
}

/**
 * The grid × grid partition of an H × W image.
 * @throws RangeError when grid is not an integer in 1 … min(H, W)
 */
export function gridUnits(h: number, w: number, grid: number): GridUnits {
  assertInt('grid', grid, 1, Math.min(h, w));
  const cellOf = new Int32Array(h * w);
  for (let y = 0; y < h; y++) {
    const r = Math.min(grid - 1, Math.floor((y * grid) / h));
    for (let x = 0; x < w; x++) cellOf[y * w + x] = r * grid + Math.min(grid - 1, Math.floor((x * grid) / w));
  }
  return { grid, units: grid * grid, cellOf };
}

/**
 * Writes x + δ ⊙ mask for `count` coalitions into out (count × C·H·W, NCHW per image).
 * @param x, delta (C·H·W) model-space tensors
 * @param masks count rows of `units` bytes
 */
export function maskedInputs(x: Float64Array, delta: Float64Array, cellOf: Int32Array, units: number, masks: Uint8Array, count: number, out: Float32Array | Float64Array): void {
  const plane = cellOf.length, size = x.length, C = size / plane;
  for (let b = 0; b < count; b++) {
    const mask = masks.subarray(b * units, (b + 1) * units);
    const o = b * size;
    for (let c = 0; c < C; c++) {
      const base = c * plane;
      for (let p = 0; p < plane; p++) out[o + base + p] = mask[cellOf[p]!] ? x[base + p]! + delta[base + p]! : x[base + p]!;
    }
  }
}
