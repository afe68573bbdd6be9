// Text and CSV forms of the drift results: the CSV for spreadsheets and papers, the aligned text
// table for the terminal. JSON is the report record itself (records.ts).
import { channelInfo } from './channels.js';
import type { DriftRow, LayerProfile } from './records.js';

const CSV_HEADER = ['alpha', 'channel', 'letter', 'first_layer_rel_dev', 'output_rel_dev', 'prediction_agreement', 'input_rms'];

/** Full-precision numbers (round-trip exact), empty for NaN. */
function num(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** drift.csv: one line per α and channel, a header line first. */
export function driftCsv(rows: readonly DriftRow[]): string {
  // a backend column only when channel (b) ran on several backends (drift --backends)
  const withBackend = rows.some((r) => r.backend !== undefined);
  const lines = [[...CSV_HEADER, ...(withBackend ? ['backend'] : [])].join(',')];
  for (const r of rows) {
    lines.push([num(r.alpha), r.channel, channelInfo(r.channel).letter, num(r.firstLayerDeviation), num(r.outputDeviation), num(r.predictionAgreement), num(r.inputRms), ...(withBackend ? [r.backend ?? ''] : [])].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** The layer profile as CSV: index, name, op, f32, f64. */
export function profileCsv(p: LayerProfile): string {
  return ['index,name,op,f32_rel_dev,f64_rel_dev', ...p.layers.map((l) => [l.index, csvField(l.name), l.op, num(l.f32), num(l.f64)].join(','))].join('\n') + '\n';
}

/** Short scientific form for tables: 1.23e-7, 0 for exact zeros. */
export function sci(v: number, digits = 2): string {
  if (Number.isNaN(v)) return 'n/a';
  if (v === 0) return '0';
  return v.toExponential(digits);
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd()).join('\n');
}

/** The drift table for the terminal: one line per α and channel. */
export function driftText(rows: readonly DriftRow[]): string {
  const out = [['alpha', 'channel', 'first-layer', 'output', 'agree', 'input RMS']];
  let last: number | undefined;
  for (const r of rows) {
    out.push([last === r.alpha ? '' : sci(r.alpha, 1), channelInfo(r.channel).label + (r.backend ? ` [${r.backend}]` : ''), sci(r.firstLayerDeviation), sci(r.outputDeviation), `${(r.predictionAgreement * 100).toFixed(1)}%`, sci(r.inputRms)]);
    last = r.alpha;
  }
  return pad(out);
}

/** The layer profile for the terminal. */
export function profileText(p: LayerProfile): string {
  const out = [['#', 'layer', 'op', 'float32', 'float64']];
  for (const l of p.layers) out.push([String(l.index), l.name, l.op, sci(l.f32), sci(l.f64)]);
  // op column is left-aligned too
  const widths = out[0]!.map((_, j) => Math.max(...out.map((r) => r[j]!.length)));
  return out.map((r) => r.map((c, j) => (j < 3 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd()).join('\n');
}
