// The interactions figure: per perturbation (columns) a heat map of each unit's summed interaction
// Σ_j I(i, j) and one of its Shapley value, laid out as the image (cells keep the image's aspect),
// with one diverging colour scale per row shared by the columns so that strengths compare; drawn
// with Observable Plot into linkedom's DOM. Internal: heat.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { wrap } from '../verify/plot.js';
import type { InteractionReport } from './analyse.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function heat(document: Document, values: Float64Array, grid: number, max: number, width: number, height: number): string {
  const data = Array.from(values, (v, i) => ({ col: i % grid, row: Math.floor(i / grid), v }));
  const el = Plot.plot({
    document, width, height, marginLeft: 8, marginRight: 8, marginTop: 4, marginBottom: 4,
    style: { fontSize: '10px', fontFamily: FONT, background: 'white', color: 'black' },
    x: { axis: null, domain: Array.from({ length: grid }, (_, i) => i), padding: 0 },
    y: { axis: null, domain: Array.from({ length: grid }, (_, i) => i), padding: 0 },
    color: { type: 'linear', scheme: 'RdBu', domain: [max, -max] },
    marks: [Plot.cell(data, { x: 'col', y: 'row', fill: 'v', inset: 0 }), Plot.frame({ stroke: '#999' })],
  }) as unknown as { outerHTML: string };
  return el.outerHTML;
}

const absMax = (arrs: Float64Array[]) => Math.max(1e-300, ...arrs.flatMap((a) => Array.from(a, Math.abs)));

/**
 * The figure as a standalone SVG document.
 * @param panels one column per perturbation: its label and report
 * @param aspect the image's H/W (cells are drawn with it)
 */
export function interactionsSvg(panels: { label: string; report: InteractionReport }[], aspect: number, title: string, notes: string[] = []): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const W = 1000, cols = panels.length, pw = Math.floor((W - 10) / cols) - 10;
  const ph = Math.max(80, Math.min(400, Math.round((pw - 16) * aspect) + 8));
  const rows = [
    { key: 'summedInteraction' as const, name: 'summed interaction Σⱼ I(i, j)' },
    { key: 'shapley' as const, name: 'Shapley value φ(i)' },
  ];
  const parts: string[] = [`<text x="${W / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold" font-family="${FONT}">${escapeXml(title)}</text>`];
  let y = 44;
  for (const r of rows) {
    const max = absMax(panels.map((p) => p.report[r.key]));
    parts.push(`<text x="${W / 2}" y="${y + 14}" text-anchor="middle" font-size="13" font-weight="bold" font-family="${FONT}">${escapeXml(`${r.name} per unit — blue > 0, red < 0, full colour at |value| = ${max.toPrecision(3)} (shared by the columns)`)}</text>`);
    y += 22;
    panels.forEach((p, i) => {
      const x0 = 5 + i * (pw + 10);
      const rep = p.report;
      const stat = r.key === 'shapley' ? `mean |φ| = ${rep.meanAbsShapley.toPrecision(3)}, Σφ = v(Ω) − v(∅) = ${rep.shapleySum.toPrecision(3)}`
        : `mean |I| = ${rep.meanAbsInteraction.toPrecision(3)} (mean SE ${rep.meanInteractionSE.toPrecision(2)})`;
      parts.push(`<text x="${x0 + pw / 2}" y="${y + 12}" text-anchor="middle" font-size="12" font-family="${FONT}">${escapeXml(`${p.label}: ${stat}`)}</text>`);
      parts.push(heat(document, rep[r.key], rep.grid, max, pw, ph).replace('<svg', `<svg x="${x0}" y="${y + 18}"`));
    });
    y += ph + 26;
  }
  const lines = notes.flatMap((n) => wrap(n, 150));
  lines.forEach((n, i) => parts.push(`<text x="20" y="${y + 14 + i * 16}" font-size="11" font-family="${FONT}" fill="#333">${escapeXml(n)}</text>`));
  y += 14 + lines.length * 16 + 6;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}
