// Text and Markdown renderings of filter reports: one table per model (a row per layer), the
// depth thirds and the first layer beside its nullity, and a comparison table for several models.
import { grid, num } from '../census/format.js';
import type { FilterReport } from './report.js';

const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : num(x));

/** The per-layer table of one model. */
export function filterTable(r: FilterReport, markdown = false): string {
  const head = ['weight', 'shape', 'depth', 'n', 'sparsity', 'var.entropy', 'norm', 'clean', 'clean norm', 'orthogonality'];
  const right = [false, false, true, true, true, true, true, true, true, true];
  const rows = r.layers.map((l) => [l.name, l.shape.join('×'), l.depth.toFixed(2), String(l.n), f(l.sparsity), f(l.varianceEntropy), f(l.varianceEntropyNorm),
    f(l.varianceEntropyClean), f(l.varianceEntropyCleanNorm), f(l.orthogonality)]);
  const b = r.summary.byDepth;
  const thirds = (['early', 'middle', 'late'] as const).map((k) => `${k} (${b[k].layers}): sparsity ${f(b[k].sparsity)}, var.entropy ${f(b[k].varianceEntropy)}, orthogonality ${f(b[k].orthogonality)}`);
  const fl = r.firstLayer;
  const first = !fl ? 'first layer: none found on the path from the input'
    : `first layer ${fl.op} ${fl.name} (${fl.kernel.join('×')}): window nullity ${fl.windowNullity} of ${fl.inDim} (rank ${fl.rank})` +
      (fl.metrics ? `; sparsity ${f(fl.metrics.sparsity)}, var.entropy ${f(fl.metrics.varianceEntropy)} (norm ${f(fl.metrics.varianceEntropyNorm)}), orthogonality ${f(fl.metrics.orthogonality)}` : '');
  const title = markdown ? `### ${r.path}` : r.path;
  const br = markdown ? '  \n' : '\n';
  return [
    `${title}\nsha256 ${r.sha256}; kernels ${r.settings.kernels}; sparsity eps ${r.settings.eps}`, '',
    r.layers.length ? grid(head, rows, markdown, right) : `no Conv layer with kernels ${r.settings.kernels}`, '',
    [`mean by relative depth:`, ...thirds.map((t) => `  ${t}`)].join(br),
    first,
  ].join('\n');
}

/** One row per model: layer count, means, and the first layer beside its window nullity. */
export function filterComparison(rs: FilterReport[], markdown = false): string {
  const head = ['model', 'layers', 'sparsity', 'var.entropy', 'orthogonality', 'first layer', 'first: var.entropy', 'first: orthogonality', 'first: window nullity'];
  const right = [false, true, true, true, true, false, true, true, true];
  const rows = rs.map((r) => {
    const m = r.summary.mean, fl = r.firstLayer;
    return [r.path.split(/[\\/]/).pop()!, String(r.summary.layers), f(m.sparsity), f(m.varianceEntropy), f(m.orthogonality),
      fl ? fl.name : '-', f(fl?.metrics?.varianceEntropy), f(fl?.metrics?.orthogonality), fl ? String(fl.windowNullity) : '-'];
  });
  return grid(head, rows, markdown, right);
}
