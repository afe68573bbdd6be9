// Float64 Erf and Gelu (lower-erf.ts): Cody's approximations as lowered graphs, run by onnxruntime
// in double, against a BigInt reference (erf-reference.ts) over the whole real line, in ulps.
import t from 'tap';
import { buildModel } from '../../src/onnx/writer.js';
import { createSession } from '../../src/runtime/session.js';
import { erfReference, ulp } from './erf-reference.js';

async function run(op: string, opset: number, xs: Float64Array, attrs: Record<string, string> = {}): Promise<Float64Array> {
  const bytes = buildModel({ opset, inputs: [{ name: 'x', shape: [xs.length] }], outputs: [{ name: 'y' }], nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }] });
  const s = await createSession(bytes, { precision: 'f64' });
  try {
    const y = (await s.run({ x: { data: xs, dims: [xs.length] } })).y!;
    t.equal(y.type, 'float64');
    return y.data as Float64Array;
  } finally {
    await s.release();
  }
}

/** Points over [0, 6.5]: a uniform grid, log-spaced small values, the region edges and their neighbours. */
function points(): number[] {
  const xs: number[] = [];
  for (let i = 1; i <= 1300; i++) xs.push(i * 0.005 + 1e-4 * Math.sin(i));
  for (let k = -300; k <= 0; k += 3) xs.push(1.2345 * 10 ** k);
  for (const edge of [0.46875, 4, 0.5, 1, 2, 6]) for (const d of [-2, -1, 0, 1, 2]) xs.push(edge + d * ulp(edge));
  xs.push(5e-324, 2 ** -1022);
  return xs;
}

t.test('createSession(f64) lowers Erf to Cody\'s approximation, within 3 ulp of a 400-bit reference on the real line', async (t) => {
  const pos = points();
  const xs = Float64Array.from([...pos, ...pos.map((v) => -v), 0, 7, 10, 27, 1e10, 1e300, Infinity, -7, -1e300, -Infinity]);
  const y = await run('Erf', 13, xs);
  let worst = 0, at = 0;
  for (let i = 0; i < 2 * pos.length; i++) {
    const ref = erfReference(xs[i]!);
    const err = Math.abs(y[i]! - ref) / ulp(ref);
    if (err > worst) { worst = err; at = xs[i]!; }
  }
  t.ok(worst <= 3, `max error ${worst.toFixed(2)} ulp (at x = ${at})`);
  t.ok(worst > 0, 'the comparison is not vacuous: some points are not correctly rounded');
  const tail = Array.from(y.subarray(2 * pos.length));
  t.same(tail, [0, 1, 1, 1, 1, 1, 1, -1, -1, -1], 'erf(0) = 0, erf(x) = ±1 for |x| ≥ 7 and at ±∞');
  let odd = true;
  for (let i = 0; i < pos.length; i++) odd &&= y[i] === -y[pos.length + i]!;
  t.ok(odd, 'erf(−x) = −erf(x) exactly');
});

t.test('createSession(f64) lowers Gelu (opset 20, approximate none and tanh) to 0.5·x·(1 + erf(x/√2)) and its tanh form', async (t) => {
  const xs = Float64Array.from({ length: 201 }, (_, i) => (i - 100) * 0.07 + 0.003);
  const exact = await run('Gelu', 20, xs);
  const tanh = await run('Gelu', 20, xs, { approximate: 'tanh' });
  let eErr = 0, tErr = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const refE = 0.5 * x * (1 + erfReference(x * Math.SQRT1_2));
    const refT = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    // relative to |x|: for x ≪ 0 the formula itself cancels (1 + erf(x/√2) → 0), in both
    eErr = Math.max(eErr, Math.abs(exact[i]! - refE) / Math.abs(x));
    tErr = Math.max(tErr, Math.abs(tanh[i]! - refT) / Math.abs(x));
  }
  t.ok(eErr <= 4 * 2 ** -52, `exact Gelu error / |x| ${eErr.toExponential(1)}`);
  t.ok(tErr <= 8 * 2 ** -52, `tanh Gelu error / |x| ${tErr.toExponential(1)}`);
  t.ok(Math.abs(exact[150]! - tanh[150]!) > 1e-6, 'the two forms differ (the attribute is read)');
});
