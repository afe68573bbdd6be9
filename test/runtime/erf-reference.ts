// A high-precision reference for erf, independent of any floating-point library: the Maclaurin
// series 2/√π·Σ(−1)ⁿx²ⁿ⁺¹/(n!(2n+1)) in BigInt fixed point with ≥ 400 bits below the leading bit
// of x, π by Machin's formula, √π by integer Newton, and one correctly rounded conversion back.
// Slow and obvious on purpose; used by test/runtime/lower-erf.test.ts.

/** x = m·2^e exactly (x finite, > 0). */
function decompose(x: number): { m: bigint; e: number } {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  const hi = v.getUint32(0), lo = v.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bexp) m |= 1n << 52n;
  return { m, e: (bexp || 1) - 1075 };
}

function atanInv(k: bigint, s: bigint): bigint {
  // atan(1/k)·2^s = Σ (−1)ⁿ 2^s/((2n+1)k²ⁿ⁺¹)
  let p = (1n << s) / k, sum = p, n = 1n;
  const k2 = k * k;
  while (p) {
    p /= k2;
    sum += (n & 1n ? -p : p) / (2n * n + 1n);
    n++;
  }
  return sum;
}

function isqrt(a: bigint): bigint {
  if (a < 2n) return a;
  let x = 1n << BigInt(Math.ceil(a.toString(2).length / 2));
  for (;;) {
    const y = (x + a / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const twoOverSqrtPiCache = new Map<number, bigint>();
/** (2/√π)·2^s */
function twoOverSqrtPi(s: number): bigint {
  let c = twoOverSqrtPiCache.get(s);
  if (c === undefined) {
    const g = BigInt(s + 32); // guard bits
    const pi = 16n * atanInv(5n, g) - 4n * atanInv(239n, g);
    const root = isqrt(pi << g); // √π·2^g
    c = ((2n << (2n * g)) / root) >> 32n;
    twoOverSqrtPiCache.set(s, c);
  }
  return c;
}

/** r·2^−s rounded to nearest double (r > 0). */
function toDouble(r: bigint, s: number): number {
  const bits = r.toString(2).length;
  let v: number;
  let shift = 0;
  if (bits > 64) {
    shift = bits - 64;
    const sticky = r & ((1n << BigInt(shift)) - 1n) ? 1n : 0n;
    v = Number((r >> BigInt(shift)) | sticky); // sticky bit below the rounding position: one correct rounding
  } else v = Number(r);
  let k = s - shift;
  while (k > 1000) { v *= 2 ** -1000; k -= 1000; }
  return v * 2 ** -k;
}

/** erf(x) correctly rounded (up to the reference's ~2^−400 relative error), for finite |x| ≤ 8. */
export function erfReference(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (x < 0) return -erfReference(-x);
  if (x > 8) throw new RangeError('erfReference: |x| ≤ 8 only (erf rounds to 1 beyond 6)');
  const { m, e } = decompose(x);
  const s = 400 + Math.max(0, 53 - Math.floor(Math.log2(x))) + 64; // fixed-point bits; +64 for the largest terms near 8
  const S = BigInt(s);
  const X = e + s >= 0 ? m << BigInt(e + s) : m >> BigInt(-(e + s));
  const X2 = (X * X) >> S;
  let term = X, sum = X, n = 1n;
  while (term) {
    term = ((term * X2) >> S) / n;
    const c = term / (2n * n + 1n);
    sum += n & 1n ? -c : c;
    n++;
  }
  return toDouble((sum * twoOverSqrtPi(s)) >> S, s);
}

/** The spacing of doubles at |v| (the ulp of v). */
export function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}
