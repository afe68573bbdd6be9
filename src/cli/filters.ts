// `nullspace filters MODEL…`: torchconvquality's filter-quality metrics per 2-D Conv layer
// (Gavrikov & Keuper), the distribution over depth, the first layer beside its window nullity;
// --plot draws each metric against relative depth. Thin: read, call src/filters, format. The
// library and the plotting stack load inside the handler.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { invalidParameter } from '../core/errors.js';
import { DEFAULT_MAX_BYTES } from '../onnx/limits.js';
import { tool } from './version.js';

export interface FiltersArgs {
  models: string[];
  json?: boolean;
  markdown?: boolean;
  eps: number;
  kernels: string;
  plot?: string;
  maxBytes: number;
}

export const command = 'filters <models..>';
export const describe = 'filter quality of each 3×3 Conv layer (torchconvquality: sparsity, variance entropy, orthogonality) against depth';

export function builder(y: Argv): Argv<FiltersArgs> {
  return y
    .positional('models', { type: 'string', array: true, describe: 'ONNX model files', demandOption: true })
    .option('json', { type: 'boolean', describe: 'print the JSON report (one object per model, each with a layers array)' })
    .option('markdown', { type: 'boolean', describe: 'print Markdown tables' })
    .conflicts('json', 'markdown')
    .option('eps', { type: 'number', default: 0.01, describe: 'sparsity threshold relative to the layer\'s max |w| (torchconvquality\'s sparsity_eps), default 0.01' })
    .option('kernels', { type: 'string', default: '3x3', describe: 'kernel sizes to report: 3x3 (torchconvquality\'s choice), a list like 3x3,5x5, or all; default 3x3' })
    .option('plot', { type: 'string', describe: 'write filters.svg and filters.png (each metric against relative depth, one line per model) into DIR' })
    .option('max-bytes', { type: 'number', default: DEFAULT_MAX_BYTES, describe: 'largest tensor in bytes (stored or decoded to float64), default 4 GiB' })
    .example('$0 filters cls.onnx det.onnx rec.onnx --markdown', 'the three PP-OCR models side by side')
    .example('$0 filters model.onnx --json | jq ".models[0].layers[].orthogonality"', 'one metric per layer') as unknown as Argv<FiltersArgs>;
}

export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const args = argv as unknown as FiltersArgs;
  if (!(Number.isFinite(args.eps) && args.eps >= 0)) throw invalidParameter('--eps', 'a finite non-negative number', args.eps, RangeError);
  if (!(args.maxBytes > 0)) throw invalidParameter('--max-bytes', 'a positive number of bytes', args.maxBytes, RangeError);
  const { filterReport, kernelFilter } = await import('../filters/report.js');
  const { filterTable, filterComparison } = await import('../filters/format.js');
  const { readModelFile } = await import('./model-file.js');
  kernelFilter(args.kernels);
  const reports = [];
  for (const path of args.models) {
    const f = readModelFile(path);
    const r = await filterReport(f.model, { path: f.label, sha256: f.sha256, eps: args.eps, kernels: args.kernels, maxBytes: args.maxBytes, external: f.external });
    r.path = path;
    reports.push(r);
  }
  if (args.plot) {
    const { filtersSvg } = await import('../filters/plot.js');
    const { svgToPng } = await import('../verify/plot.js');
    const { writeFilesAtomic } = await import('./inspect.js');
    const svg = filtersSvg(reports);
    writeFilesAtomic(args.plot, new Map([['filters.svg', new TextEncoder().encode(svg)], ['filters.png', svgToPng(svg)]]));
  }
  let out: string;
  if (args.json) out = JSON.stringify({ tool, models: reports }, null, 2);
  else {
    const parts = reports.map((r) => filterTable(r, args.markdown));
    if (reports.length > 1) parts.push(`${args.markdown ? '### Comparison' : 'Comparison'}\n\n${filterComparison(reports, args.markdown)}`);
    if (args.plot) parts.push(`wrote ${args.plot}/filters.svg, ${args.plot}/filters.png`);
    out = parts.join('\n\n');
  }
  process.stdout.write(`${out}\n`);
}
