// The body of `nullspace basis` (see basis.ts for its flags): the first layer's window null-space
// basis written as basis.png (contact sheet), basis.f64 (raw vectors) and basis.json (header).
import { PNG } from 'pngjs';
import { InputError } from '../core/errors.js';
import { contactSheet } from '../census/contact-sheet.js';
import { windowBasis } from '../census/window-basis.js';
import { toleranceRule } from '../census/census.js';
import { indexGraph } from '../onnx/graph.js';
import { weightReader } from '../onnx/weights.js';
import { firstLayer } from '../onnx/first-layer.js';
import type { GraphProto } from '../onnx/proto.js';
import { readModelFile } from './model-file.js';
import { parseSize, writeFilesAtomic } from './inspect.js';
import type { BasisArgs } from './basis.js';
import { tool } from './version.js';

/** The command's body; basis.ts's handler has checked the flags, then loads this module. */
export async function run(args: BasisArgs): Promise<void> {
  const f = readModelFile(args.model);
  const idx = indexGraph(f.model.graph as GraphProto, f.label);
  const reader = weightReader(idx, { where: f.label, external: f.external, maxBytes: args.maxBytes });
  const fl = firstLayer(idx, reader, f.label, parseSize(args.size));
  const tol = { rtol: args.rtol, atol: args.atol };
  const b = windowBasis(fl, `${f.label}:node ${fl.ref.label}`, tol);
  const total = b.perGroup.reduce((a, g) => a + g.k, 0);
  if (total === 0) throw new InputError(`${f.label}: the first layer's window matrix (${fl.ref.label}) has a trivial null space (rank ${b.perGroup[0]!.rank} = in ${b.inDim}); nothing to draw`);
  const all = new Float64Array(total * b.inDim);
  let at = 0;
  for (const g of b.perGroup) { all.set(g.vectors, at); at += g.vectors.length; }
  const sheet = contactSheet(all, total, b.patch, args.zoom);
  const png = new PNG({ width: sheet.width, height: sheet.height });
  png.data = Buffer.from(sheet.rgba.buffer, sheet.rgba.byteOffset, sheet.rgba.byteLength);
  const header = {
    tool, model: args.model, sha256: f.sha256,
    layer: { node: fl.ref.label, op: fl.ref.node.opType, weight: fl.operand.weight.source, shape: fl.operand.weight.dims },
    groups: b.groups, inDim: b.inDim, outDim: b.outDim, patch: { shape: b.patch, order: 'channel, row, column' },
    tolerance: toleranceRule(tol),
    perGroup: b.perGroup.map((g) => ({ rank: g.rank, nullity: g.k, tol: g.tol })),
    data: { file: 'basis.f64', dtype: 'float64', byteOrder: 'little', shape: [total, b.inDim], layout: 'row-major; rows are orthonormal basis vectors, group 0 first' },
    png: { file: 'basis.png', width: sheet.width, height: sheet.height, scaling: 'per vector: 0 → 128, ±max|v| → 0/255; RGB when the patch has 3 channels' },
  };
  writeFilesAtomic(args.out, new Map<string, Uint8Array>([
    ['basis.f64', new Uint8Array(all.buffer)],
    ['basis.png', PNG.sync.write(png)],
    ['basis.json', new TextEncoder().encode(JSON.stringify(header, null, 2) + '\n')],
  ]));
  process.stdout.write(`${args.out}: ${total} basis vectors of ${fl.ref.label} (${b.patch.join('×')} patches, ${b.groups} group${b.groups > 1 ? 's' : ''}) → basis.png, basis.f64, basis.json\n`);
}
