// Seeded random numbers: every random choice in the tool goes through here so that --seed
// reproduces it. xoshiro128** for uniforms, Box–Muller for normals.

export interface Rng {
  /** uniform in [0, 1) */
  uniform(): number;
  /** standard normal */
  normal(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for `seed` (any integer). */
export function rng(seed = 0): Rng {
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = init();
  const next = () => {
    const r = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = (d << 11) | (d >>> 21);
    return r;
  };
  let spare: number | undefined;
  return {
    uniform: () => (next() * 2 ** -32 + (next() >>> 11) * 2 ** -53) % 1,
    normal() {
      if (spare !== undefined) { const v = spare; spare = undefined; return v; }
      let u = 0;
      while (u === 0) u = (next() + 0.5) * 2 ** -32;
      const v = (next() + 0.5) * 2 ** -32;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** n standard normals. */
export function randn(n: number, seed = 0): Float64Array {
  const g = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = g.normal();
  return out;
}
