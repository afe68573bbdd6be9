// Text renderings of census reports: a fixed-width table per model, the same as Markdown, and
// one comparison table for several models (like the paper's Table 1). grid and num are shared
// with the filters tables.
import type { ModelReport } from './report.js';

/** A number in 4 significant digits, or in exponent form outside [1e-3, 1e4). */
export function num(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(4);
}

/** A fixed-width (or Markdown) table; `right` right-aligns columns. */
export function grid(head: string[], rows: string[][], markdown: boolean, right: boolean[]): string {
  if (markdown) {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    return [`| ${head.map(esc).join(' | ')} |`, `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
  }
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One line on the first layer and its operator. */
export function firstLayerLine(r: ModelReport): string {
  const f = r.firstLayer;
  if (!f) return 'first layer: none found on the path from the input';
  let s = `first layer: ${f.op} ${f.node} (weight ${f.weight}), window nullity ${f.windowNullity}`;
  if (f.between.length) s += `, after ${f.between.join(' → ')}`;
  const o = f.operator;
  if (!o) return `${s}\n  operator: unknown${f.note ? ` (${f.note})` : ''}`;
  return `${s}\n  operator at ${o.inputShape.join('×')}: ${o.inDim} → ${o.outDim}, windows ${o.overlapping ? 'overlap' : 'disjoint'}, ` +
    `nullity ${o.nullityIsExact ? '' : '≥ '}${o.nullity}${o.nullityIsExact ? ' (exact)' : ' (lower bound)'}\n  method: ${o.method}`;
}

/** The per-weight table and the summary of one model. */
export function modelTable(r: ModelReport, markdown = false): string {
  const head = ['weight', 'op', 'shape', 'dtype', 'g', 'in', 'out', 'rank', 'rankF64', 'nullity', 'wide', 'rank-def', 'σmax', 'σmin', 'tol', 'uses', 'path'];
  const right = [false, false, false, false, true, true, true, true, true, true, false, false, true, true, true, true, false];
  const rows = r.weights.map((w) => [w.name, w.op, w.shape.join('×'), w.dtype, String(w.groups), String(w.inDim), String(w.outDim), String(w.rank), String(w.rankF64),
    String(w.nullity), w.wide ? 'yes' : '', w.rankDeficient ? 'yes' : '', num(w.sigmaMax), num(w.sigmaMin), num(w.tolerance), String(w.consumers), w.path]);
  const s = r.summary;
  const title = markdown ? `### ${r.path}` : `${r.path}`;
  return [
    `${title}\nsha256 ${r.sha256}; input ${r.input.name} ${JSON.stringify(r.input.shape)}; tolerance ${r.tolerance}`, '',
    grid(head, rows, markdown, right), '',
    `${s.weights} weights: ${s.rankDeficient} rank-deficient (${s.rankDeficientPct}%), ${s.wide} wide (${s.widePct}%)`,
    firstLayerLine(r).split('\n').join(markdown ? '  \n' : '\n'),
  ].join('\n');
}

/** One row per model, like the paper's Table 1 plus the first-layer operator. */
export function comparisonTable(rs: ModelReport[], markdown = false): string {
  const head = ['model', 'weights', 'rank-deficient', 'wide', 'first layer', 'window nullity', 'operator', 'operator nullity'];
  const right = [false, true, true, true, false, true, false, true];
  const rows = rs.map((r) => {
    const f = r.firstLayer;
    const o = f?.operator;
    return [r.path.split(/[\\/]/).pop()!, String(r.summary.weights), `${r.summary.rankDeficient} (${r.summary.rankDeficientPct}%)`, `${r.summary.wide} (${r.summary.widePct}%)`,
      f ? `${f.op} ${f.weight}` : '-', f ? String(f.windowNullity) : '-', o ? `${o.inDim}→${o.outDim}${o.overlapping ? ' overlap' : ' disjoint'}` : '-',
      o ? `${o.nullityIsExact ? '' : '≥'}${o.nullity}` : '-'];
  });
  return grid(head, rows, markdown, right);
}
