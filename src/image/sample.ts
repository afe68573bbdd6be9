// The demo's sample image, drawn procedurally: the word "NULLSPACE" in a 5×7 dot-matrix font, dark ink on
// light paper, 192×48 RGB (the PP-OCR text-direction classifier's input size), anti-aliased by 4×4
// supersampling and quantized to the 8-bit grid so that assets/sample.png stores it exactly. Browser-safe.
import type { Image } from './image.js';

/**
 * Location of the shipped sample (assets/sample.png at the package root), valid from src/image and from
 * the compiled dist/image alike (both two levels below the root).
 */
export const SAMPLE_PNG_URL: URL = new URL('../../assets/sample.png', import.meta.url);

/** 5×7 glyphs, one string of five 0/1 columns per row, top row first. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  N: ['10001', '11001', '10101', '10011', '10001', '10001', '10001'],
  U: ['10001', '10001', '10001', '10001', '10001', '10001', '01110'],
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  S: ['01111', '10000', '10000', '01110', '00001', '00001', '11110'],
  P: ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
  C: ['01110', '10001', '10000', '10000', '10000', '10001', '01110'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
});

/** The text, its layout in pixels (glyph dot size, pitch, margins) and colours (RGB on [0, 1]). */
const TEXT = 'NULLSPACE';
const DOT_W = 3.2, DOT_H = 4, PITCH = 20, LEFT = 6.5, TOP = 10;
const INK = [0.1, 0.11, 0.16], PAPER_TOP = [0.95, 0.94, 0.9], PAPER_BOTTOM = [0.88, 0.87, 0.83];

/** True when the point (x, y) in pixel units falls on ink. */
function inked(x: number, y: number): boolean {
  const k = Math.floor((x - LEFT) / PITCH);
  if (k < 0 || k >= TEXT.length) return false;
  const col = Math.floor((x - LEFT - k * PITCH) / DOT_W);
  const row = Math.floor((y - TOP) / DOT_H);
  if (col < 0 || col > 4 || row < 0 || row > 6) return false;
  return GLYPHS[TEXT[k]!]![row]![col] === '1';
}

/** Renders the sample: 192×48, 3 channels, values on the k/255 grid, upright text (0°). */
export function renderSample(): Image {
  const width = 192, height = 48, S = 4;
  const data = new Float64Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = y / (height - 1);
    for (let x = 0; x < width; x++) {
      let cover = 0;
      for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) if (inked(x + (sx + 0.5) / S, y + (sy + 0.5) / S)) cover++;
      const a = cover / (S * S);
      for (let c = 0; c < 3; c++) {
        const paper = PAPER_TOP[c]! * (1 - t) + PAPER_BOTTOM[c]! * t;
        data[(y * width + x) * 3 + c] = Math.round((INK[c]! * a + paper * (1 - a)) * 255) / 255;
      }
    }
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}
