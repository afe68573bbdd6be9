// Weight dumps for independent checks (bench/compare_census.py): each weight as a float64 .npy
// file in its stored shape (dequantized), with a manifest of how it is read as matrices.
import type { WeightUse } from './collect.js';
import type { WeightReport } from './report.js';

/** NumPy .npy (format 1.0) bytes of a float64 C-order array. */
export function npyBytes(data: Float64Array, shape: number[]): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export interface DumpEntry {
  file: string;
  name: string;
  shape: number[];
  groups: number;
  /** each group is the contiguous (rows × cols) block g of the flattened array */
  rows: number;
  cols: number;
}

/** The files of a weight dump: name → bytes, including manifest.json. */
export function weightDump(uses: WeightUse[], records: WeightReport[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const manifest: DumpEntry[] = uses.map((u, i) => {
    const file = `${String(i).padStart(4, '0')}_${records[i]!.name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80)}.npy`;
    files.set(file, npyBytes(u.operand.weight.data, u.operand.weight.dims));
    return { file, name: records[i]!.name, shape: u.operand.weight.dims, groups: u.layout.groups, rows: u.layout.rows, cols: u.layout.cols };
  });
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
  return files;
}
