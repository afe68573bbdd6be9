// Draws null-space basis vectors as a grid of image patches (RGBA pixels, no encoding): each
// vector is a C×kh×kw patch, scaled on its own so that 0 is mid-gray and ±max|v| is 0/255.
// Three channels are drawn as one RGB tile; any other count as C gray tiles side by side.

export interface Sheet { width: number; height: number; rgba: Uint8Array }

/**
 * @param vectors (k, c·kh·kw) row-major
 * @param patch [c, kh, kw]
 * @param zoom pixels per weight (default: patches about 48 px tall)
 */
export function contactSheet(vectors: Float64Array, k: number, patch: [number, number, number], zoom?: number): Sheet {
  const [c, kh, kw] = patch;
  const n = c * kh * kw;
  const z = zoom ?? Math.max(1, Math.floor(48 / Math.max(kh, kw)));
  const rgb = c === 3;
  const tiles = rgb ? 1 : c;
  const tileW = kw * z, tileH = kh * z;
  const cellW = tiles * tileW + (tiles - 1) * 2, cellH = tileH;
  const pad = 6;
  const cols = Math.max(1, Math.ceil(Math.sqrt(k)));
  const rows = Math.max(1, Math.ceil(k / cols));
  const width = cols * (cellW + pad) + pad, height = rows * (cellH + pad) + pad;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) { rgba[i] = 32; rgba[i + 1] = 32; rgba[i + 2] = 32; rgba[i + 3] = 255; }
  const put = (x: number, y: number, ch: number, v: number) => { rgba[(y * width + x) * 4 + ch] = v; };
  for (let v = 0; v < k; v++) {
    const vec = vectors.subarray(v * n, (v + 1) * n);
    let max = 0;
    for (const x of vec) max = Math.max(max, Math.abs(x));
    const level = (x: number) => Math.round(127.5 + (max > 0 ? (127.5 * x) / max : 0));
    const ox = pad + (v % cols) * (cellW + pad), oy = pad + Math.floor(v / cols) * (cellH + pad);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      for (let t = 0; t < tiles; t++) {
        const vals = rgb ? [0, 1, 2].map((ch) => level(vec[(ch * kh + y) * kw + x]!)) : [level(vec[(t * kh + y) * kw + x]!)];
        for (let dy = 0; dy < z; dy++) for (let dx = 0; dx < z; dx++) {
          const px = ox + t * (tileW + 2) + x * z + dx, py = oy + y * z + dy;
          for (let ch = 0; ch < 3; ch++) put(px, py, ch, vals[rgb ? ch : 0]!);
        }
      }
    }
  }
  return { width, height, rgba };
}
