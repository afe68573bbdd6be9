// The filters figure: each torchconvquality metric against relative depth, one line per model,
// in a 3 × 2 grid of panels drawn with Observable Plot into linkedom's DOM (as the drift figure).
// svgToPng (resvg) comes from verify/plot.ts. Internal: metricPanel.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { FilterReport } from './report.js';

const COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9'];
const SYMBOLS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star'];
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** The panels drawn, in order, with their labels. */
export const PLOTTED = Object.freeze([
  { key: 'sparsity', label: 'sparsity' },
  { key: 'orthogonality', label: 'orthogonality' },
  { key: 'varianceEntropy', label: 'variance entropy' },
  { key: 'varianceEntropyNorm', label: 'variance entropy (normalised)' },
  { key: 'varianceEntropyClean', label: 'variance entropy, clean' },
  { key: 'varianceEntropyCleanNorm', label: 'variance entropy, clean (normalised)' },
] as const);

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function metricPanel(document: Document, data: { depth: number; value: number; model: string }[], models: string[], label: string, width: number, height: number): string {
  const el = Plot.plot({
    document, width, height, marginLeft: 56, marginBottom: 40, marginTop: 28, marginRight: 14,
    style: { fontSize: '11px', fontFamily: FONT, background: 'white', color: 'black' },
    x: { domain: [0, 1], label: 'relative depth (first 3×3 layer = 0, last = 1) →', labelAnchor: 'center', labelOffset: 34, grid: true },
    y: { label: `↑ ${label}`, labelAnchor: 'top', grid: true, nice: true },
    color: { domain: models, range: COLORS },
    symbol: { domain: models, range: SYMBOLS },
    marks: [
      Plot.line(data, { x: 'depth', y: 'value', stroke: 'model', z: 'model', strokeWidth: 1.6 }),
      Plot.dot(data, { x: 'depth', y: 'value', stroke: 'model', symbol: 'model', r: 3, fill: 'white', strokeWidth: 1.3 }),
      Plot.frame({ stroke: '#999' }),
    ],
  }) as unknown as SVGElement;
  return (el as unknown as { outerHTML: string }).outerHTML;
}

/** The figure as a standalone SVG document (one panel per metric, one line per model). */
export function filtersSvg(reports: FilterReport[]): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const models = reports.map((r) => r.path.split(/[\\/]/).pop()!);
  const W = 1000, pw = 490, ph = 300;
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold" font-family="${FONT}">Filter quality against depth (torchconvquality's metrics)</text>`);
  parts.push(`<text x="${W / 2}" y="46" text-anchor="middle" font-size="12" font-family="${FONT}" fill="#333">${escapeXml(`kernels ${reports[0]?.settings.kernels ?? '3x3'}, sparsity eps ${reports[0]?.settings.eps ?? 0.01}`)}</text>`);
  models.forEach((m, i) => {
    const cx = 40 + (i % 3) * 320, cy = 70 + Math.floor(i / 3) * 18;
    parts.push(`<g transform="translate(${cx},${cy})"><line x1="0" x2="22" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.6"/><text x="28" y="4" font-size="12" font-family="${FONT}">${escapeXml(m)}</text></g>`);
  });
  let y = 70 + Math.ceil(models.length / 3) * 18 + 4;
  for (let p = 0; p < PLOTTED.length; p += 2) {
    for (let q = 0; q < 2 && p + q < PLOTTED.length; q++) {
      const { key, label } = PLOTTED[p + q]!;
      const data = reports.flatMap((r, i) => r.layers.filter((l) => Number.isFinite(l[key])).map((l) => ({ depth: l.depth, value: l[key], model: models[i]! })));
      const svg = metricPanel(document, data, models, label, pw, ph).replace('<svg', `<svg x="${5 + q * (pw + 10)}" y="${y}"`);
      parts.push(svg);
    }
    y += ph + 6;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}
