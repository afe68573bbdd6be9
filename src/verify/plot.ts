// Drift figures: deviation against α on log–log axes (first layer and model output, one line per
// channel, float32/float64 epsilons as labelled rules) and the layer-by-layer profile, drawn with
// Observable Plot into linkedom's DOM and composed into one SVG; resvg turns it into a PNG.
// Internal: panel(), legend(), powerOfTen().
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { Resvg } from '@resvg/resvg-js';
import { DRIFT_CHANNELS, channelInfo } from './channels.js';
import { EPS } from './verdict.js';
import type { DriftRow, LayerProfile } from './records.js';

/** Exact zeros cannot sit on a log axis; they are drawn at this value (or a decade below the smallest
 * non-zero value, whichever is lower) and the caption says where. */
export const ZERO_FLOOR = 1e-18;

/** Where exact zeros are drawn for these values: a power of ten below every non-zero value. */
export function zeroLevel(values: readonly number[]): number {
  const nz = values.filter((v) => v > 0 && Number.isFinite(v));
  if (nz.length === 0) return ZERO_FLOOR;
  return Math.min(ZERO_FLOOR, Number(`1e${Math.floor(Math.log10(Math.min(...nz))) - 1}`));
}

// Colour-blind-safe categorical palette (Okabe–Ito), plus a distinct marker per channel for print.
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9'];
const SYMBOLS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star'] as const;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const SUP: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** "10⁻³" for 1e-3; other values in compact exponent form. */
export function powerOfTen(v: number): string {
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) < 1e-9) {
    const n = Math.round(e);
    return n === 0 ? '1' : n === 1 ? '10' : `10${String(n).split('').map((ch) => SUP[ch]).join('')}`;
  }
  return v.toExponential(0);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Powers of ten inside [lo, hi], at most ~9 of them (every k-th decade when the range is wide). */
function decadeTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9), b = Math.floor(Math.log10(hi) + 1e-9);
  const step = Math.max(1, Math.ceil((b - a) / 8));
  const out: number[] = [];
  for (let e = a; e <= b; e += step) out.push(10 ** e);
  return out;
}

/** Splits text into lines of at most `width` characters at spaces (long words stay whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function floor0(v: number, zero: number): number {
  return v > 0 ? v : zero;
}

interface PanelSpec {
  document: Document;
  width: number;
  height: number;
  x: Plot.ScaleOptions;
  y: Plot.ScaleOptions;
  marks: Plot.Markish[];
}

function panel(p: PanelSpec): SVGElement {
  return Plot.plot({
    document: p.document,
    width: p.width,
    height: p.height,
    marginLeft: 62,
    marginBottom: 42,
    marginTop: 36,
    marginRight: 16,
    style: { fontSize: '11px', fontFamily: FONT, background: 'white', color: 'black' },
    x: p.x,
    y: p.y,
    color: { domain: DRIFT_CHANNELS.map((c) => c.label), range: COLORS },
    symbol: { domain: DRIFT_CHANNELS.map((c) => c.label), range: [...SYMBOLS] },
    marks: p.marks,
  }) as unknown as SVGElement;
}

/** Labelled horizontal rules at the float32 and float64 machine epsilons. */
function epsilonMarks(): Plot.Markish[] {
  const rules = [
    { y: EPS.f32, text: `float32 ε = 2⁻²³ ≈ 1.2·10⁻⁷` },
    { y: EPS.f64, text: `float64 ε = 2⁻⁵² ≈ 2.2·10⁻¹⁶` },
  ];
  return [
    Plot.ruleY(rules, { y: 'y', stroke: '#555', strokeDasharray: '5,4', strokeWidth: 1 }),
    Plot.text(rules, { y: 'y', text: 'text', frameAnchor: 'right', textAnchor: 'end', dx: -4, dy: -7, fill: '#333', fontSize: 10, stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' }),
  ];
}

function deviationPanel(document: Document, rows: DriftRow[], key: 'firstLayerDeviation' | 'outputDeviation', title: string, width: number, height: number, zero: number): SVGElement {
  const data = rows.map((r) => ({ alpha: r.alpha, dev: floor0(r[key], zero), label: channelInfo(r.channel).label }));
  const alphas = rows.map((r) => r.alpha);
  const devs = data.map((d) => d.dev).concat([EPS.f64, EPS.f32]);
  const yLo = Math.min(...devs) / 3, yHi = Math.max(...devs) * 3;
  const xLo = Math.min(...alphas), xHi = Math.max(...alphas);
  return panel({
    document, width, height,
    x: { type: 'log', domain: [xLo / 1.5, xHi * 1.5], ticks: decadeTicks(xLo / 1.5, xHi * 1.5), tickFormat: powerOfTen, label: 'α — RMS of the perturbation in pixel units (pixel range [0, 1]) →', labelAnchor: 'center', labelOffset: 36, grid: true },
    y: { type: 'log', domain: [yLo, yHi], ticks: decadeTicks(yLo, yHi), tickFormat: powerOfTen, label: `↑ ${title}`, labelAnchor: 'top', grid: true },
    marks: [
      ...epsilonMarks(),
      Plot.line(data, { x: 'alpha', y: 'dev', stroke: 'label', z: 'label', strokeWidth: 1.6 }),
      Plot.dot(data, { x: 'alpha', y: 'dev', stroke: 'label', symbol: 'label', r: 3.5, strokeWidth: 1.4, fill: 'white' }),
      Plot.frame({ stroke: '#999' }),
    ],
  });
}

function profilePanel(document: Document, profile: LayerProfile, width: number, height: number, zero: number): SVGElement {
  const data = profile.layers.flatMap((l) => [
    { index: l.index, dev: floor0(l.f32, zero), precision: 'float32 forward' },
    { index: l.index, dev: floor0(l.f64, zero), precision: 'float64 forward' },
  ]);
  const devs = data.map((d) => d.dev).concat([EPS.f64, EPS.f32]);
  const yLo = Math.min(...devs) / 3, yHi = Math.max(...devs) * 3;
  const n = profile.layers.length;
  return Plot.plot({
    document, width, height,
    marginLeft: 62, marginBottom: 42, marginTop: 36, marginRight: 16,
    style: { fontSize: '11px', fontFamily: FONT, background: 'white', color: 'black' },
    x: { domain: [-0.5, Math.max(0.5, n - 0.5)], label: 'exposed layer output, in graph order (0 = first trainable layer) →', labelAnchor: 'center', labelOffset: 36, ticks: Math.min(n, 20), tickFormat: (d: number) => (Number.isInteger(d) ? String(d) : '') },
    y: { type: 'log', domain: [yLo, yHi], ticks: decadeTicks(yLo, yHi), tickFormat: powerOfTen, label: '↑ relative difference ‖h(x′) − h(x)‖ / ‖h(x)‖', labelAnchor: 'top', grid: true },
    color: { domain: ['float32 forward', 'float64 forward'], range: ['#D55E00', '#0072B2'] },
    symbol: { domain: ['float32 forward', 'float64 forward'], range: ['square', 'circle'] },
    marks: [
      ...epsilonMarks(),
      Plot.line(data, { x: 'index', y: 'dev', stroke: 'precision', z: 'precision', strokeWidth: 1.6 }),
      Plot.dot(data, { x: 'index', y: 'dev', stroke: 'precision', symbol: 'precision', r: 3, fill: 'white', strokeWidth: 1.3 }),
      Plot.frame({ stroke: '#999' }),
    ],
  }) as unknown as SVGElement;
}

/** An SVG legend: one line + marker + label per entry, laid out in columns. */
function legend(entries: { label: string; color: string; symbol: string }[], x: number, y: number, colWidth: number, perRow: number): string {
  const path: Record<string, string> = {
    circle: '<circle r="3.5"/>',
    square: '<rect x="-3.2" y="-3.2" width="6.4" height="6.4"/>',
    triangle: '<path d="M0,-4.2L3.8,2.6L-3.8,2.6Z"/>',
    diamond: '<path d="M0,-4.5L4,0L0,4.5L-4,0Z"/>',
    cross: '<path d="M-3.5,-3.5L3.5,3.5M-3.5,3.5L3.5,-3.5"/>',
    star: '<path d="M0,-4.5L1.1,-1.4L4.3,-1.4L1.7,0.6L2.7,3.7L0,1.8L-2.7,3.7L-1.7,0.6L-4.3,-1.4L-1.1,-1.4Z"/>',
  };
  return entries.map((e, i) => {
    const cx = x + (i % perRow) * colWidth, cy = y + Math.floor(i / perRow) * 18;
    return `<g transform="translate(${cx},${cy})"><line x1="0" x2="22" y1="0" y2="0" stroke="${e.color}" stroke-width="1.6"/>` +
      `<g transform="translate(11,0)" stroke="${e.color}" stroke-width="1.4" fill="white">${path[e.symbol]}</g>` +
      `<text x="28" y="4" font-size="12" font-family="${FONT}" fill="black">${escapeXml(e.label)}</text></g>`;
  }).join('');
}

export interface DriftFigureInput {
  /** model name for the title */
  model: string;
  /** image name for the subtitle */
  image?: string;
  rows: DriftRow[];
  profile?: LayerProfile;
  /** extra caption lines */
  notes?: string[];
}

/**
 * The drift figure as a standalone SVG document: title, legend, two log–log panels (first-layer
 * and output relative deviation against α) and, when given, the layer profile below.
 */
export function driftSvg(input: DriftFigureInput): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const W = 1000, pw = 490, ph = 360;
  const all = input.rows.flatMap((r) => [r.firstLayerDeviation, r.outputDeviation]).concat(input.profile?.layers.flatMap((l) => [l.f32, l.f64]) ?? []);
  const zero = zeroLevel(all);
  const present = DRIFT_CHANNELS.filter((c) => input.rows.some((r) => r.channel === c.id));
  const parts: string[] = [];
  let y = 0;
  parts.push(`<text x="${W / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold" font-family="${FONT}">${escapeXml(`Exact feature collisions in practice — ${input.model}`)}</text>`);
  const sub = `relative deviation between f(x) and f(x′), x′ = x + αδ, δ ∈ ker(A_img) of unit pixel RMS${input.image ? ` · image ${input.image}` : ''}`;
  parts.push(`<text x="${W / 2}" y="46" text-anchor="middle" font-size="12" font-family="${FONT}" fill="#333">${escapeXml(sub)}</text>`);
  const perRow = 3;
  parts.push(legend(present.map((c) => ({ label: c.label, color: COLORS[DRIFT_CHANNELS.indexOf(c)]!, symbol: SYMBOLS[DRIFT_CHANNELS.indexOf(c)]! })), 120, 70, 270, perRow));
  y = 70 + Math.ceil(present.length / perRow) * 18 + 4;
  const place = (el: SVGElement, px: number, py: number) => {
    el.setAttribute('x', String(px));
    el.setAttribute('y', String(py));
    return (el as unknown as { outerHTML: string }).outerHTML;
  };
  parts.push(place(deviationPanel(document, input.rows, 'firstLayerDeviation', 'first-layer relative deviation ‖A(x′ − x)‖ / ‖Ax + b‖', pw, ph, zero), 5, y));
  parts.push(place(deviationPanel(document, input.rows, 'outputDeviation', 'output relative deviation ‖f(x′) − f(x)‖ / ‖f(x)‖', pw, ph, zero), 5 + pw + 10, y));
  parts.push(`<text x="${5 + pw / 2}" y="${y + ph + 14}" text-anchor="middle" font-size="13" font-weight="bold" font-family="${FONT}">A. First trainable layer</text>`);
  parts.push(`<text x="${15 + pw * 1.5}" y="${y + ph + 14}" text-anchor="middle" font-size="13" font-weight="bold" font-family="${FONT}">B. Model output</text>`);
  y += ph + 30;
  if (input.profile && input.profile.layers.length > 0) {
    const lh = 300;
    parts.push(`<text x="${W / 2}" y="${y + 14}" text-anchor="middle" font-size="13" font-weight="bold" font-family="${FONT}">${escapeXml(`C. Layer-by-layer difference between x and x′ at α = ${input.profile.alpha.toPrecision(3)} (channels a and b)`)}</text>`);
    parts.push(legend([{ label: 'float32 forward', color: '#D55E00', symbol: 'square' }, { label: 'float64 forward', color: '#0072B2', symbol: 'circle' }], 340, y + 36, 180, 2));
    parts.push(place(profilePanel(document, input.profile, W - 10, lh, zero), 5, y + 44));
    y += lh + 56;
  }
  const hasZero = all.some((v) => v === 0);
  const raw = [...(input.notes ?? [])];
  if (hasZero) raw.push(`Differences that are exactly zero are drawn at ${powerOfTen(zero)}.`);
  const notes = raw.flatMap((n) => wrap(n, 150));
  notes.forEach((n, i) => parts.push(`<text x="20" y="${y + 16 + i * 16}" font-size="11" font-family="${FONT}" fill="#333">${escapeXml(n)}</text>`));
  y += 16 + notes.length * 16 + 6;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

/** Renders an SVG to PNG bytes at `scale` × its size (2 = print resolution for a 1000 px figure). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
  return r.render().asPng();
}
