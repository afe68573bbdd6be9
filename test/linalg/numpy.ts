// Runs a numpy snippet on float64 arrays passed as raw bytes; tests skip when numpy is missing.
import { spawnSync } from 'node:child_process';
import { PYTHON } from '../helpers/python.js';

export { hasNumpy, noNumpy } from '../helpers/python.js';

/**
 * Calls the Python that has numpy (test/helpers/python.ts) with `code`, which sees `arrays` (list of 1-D float64 numpy arrays) and must set
 * `out` (a float64 array); returns out.
 */
export function numpy(code: string, arrays: Float64Array[]): Float64Array {
  const header = JSON.stringify(arrays.map((a) => a.length));
  const body = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  const script = `
import sys, json, numpy as np
raw = sys.stdin.buffer.read()
nl = raw.index(b'\\n')
lens = json.loads(raw[:nl]); data = raw[nl + 1:]
arrays = []; off = 0
for n in lens:
    arrays.append(np.frombuffer(data[off:off + 8 * n], dtype=np.float64).copy()); off += 8 * n
${code}
sys.stdout.buffer.write(np.ascontiguousarray(out, dtype=np.float64).tobytes())
`;
  const r = spawnSync(PYTHON ?? 'python3', ['-c', script], {
    input: Buffer.concat([Buffer.from(header + '\n'), body]),
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${PYTHON ?? 'python3'} failed: ${r.stderr.toString()}`);
  const b = r.stdout;
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
