// assembly/tile.ts's primal active-set kernel (activeSetTileF64) and its blocked triangular solves against
// independent references: the blocked solves give the plain ones' results bit for bit and solve the system; on
// random tiles (orthonormal basis built here by Gram–Schmidt) with many entries at zero room on either side, the
// kernel's point is in the box and meets the KKT conditions of min ‖c − c₀‖ s.t. lo ≤ B c ≤ up, its multipliers
// found here by least squares on the active rows (normal equations, dense), and its objective meets the bound of
// the dual, solved here by accelerated projected gradient (no duality gap: optimal).
import t from 'tap';
import { core } from '../../src/core/wasm.js';
import { rng } from '../../src/linalg/random.js';

t.test('trsvLowerFromF64 and trsvLowerTBlockF64 give trsvLowerF64 / trsvLowerTF64 bit for bit and solve L x = b, Lᵀ x = b', async (t) => {
  const r = rng(5);
  const K = core.kernels;
  for (const [a, ld] of [[0, 4], [1, 3], [3, 5], [4, 4], [7, 9], [13, 16], [64, 70], [101, 101]] as const) {
    const mark = core.mark();
    const L = new Float64Array(ld * ld);
    for (let i = 0; i < a; i++) { for (let j = 0; j < i; j++) L[i * ld + j] = r.normal() / (2 * Math.sqrt(i + 1)); L[i * ld + i] = 1 + r.uniform(); }
    const b = Float64Array.from({ length: a }, () => r.normal());
    const pL = core.put(L); const p1 = core.put(b); const p2 = core.put(b); const p3 = core.put(b); const p4 = core.put(b);
    const from = a >> 1;
    K.trsvLowerF64(a, pL, ld, p1);
    // the first half from the plain solve, then the rest
    K.trsvLowerF64(from, pL, ld, p2); K.trsvLowerFromF64(from, a, pL, ld, p2);
    K.trsvLowerTF64(a, pL, ld, p3); K.trsvLowerTBlockF64(a, pL, ld, p4);
    const x1 = core.f64(p1, a).slice(), x2 = core.f64(p2, a).slice(), x3 = core.f64(p3, a).slice(), x4 = core.f64(p4, a).slice();
    core.release(mark);
    const same = (u: Float64Array, v: Float64Array) => u.every((x, i) => Object.is(x, v[i]));
    let res = 0; let resT = 0; let scale = 1;
    for (let i = 0; i < a; i++) {
      let s = 0; let sT = 0;
      for (let j = 0; j <= i; j++) s += L[i * ld + j]! * x2[j]!;
      for (let j = i; j < a; j++) sT += L[j * ld + i]! * x4[j]!;
      res = Math.max(res, Math.abs(s - b[i]!)); resT = Math.max(resT, Math.abs(sT - b[i]!)); scale = Math.max(scale, Math.abs(x2[i]!), Math.abs(x4[i]!));
    }
    t.ok(same(x1, x2) && same(x3, x4) && res <= 1e-14 * scale * (a + 1) && resT <= 1e-14 * scale * (a + 1),
      `a = ${a}: forward bit for bit ${same(x1, x2)}, back bit for bit ${same(x3, x4)}, residuals ${res.toExponential(1)}, ${resT.toExponential(1)}`);
  }
});

/** n×k with orthonormal columns (modified Gram–Schmidt twice on random columns), row-major */
function orthonormal(n: number, k: number, seed: number): Float64Array {
  const r = rng(seed);
  const cols = Array.from({ length: k }, () => Float64Array.from({ length: n }, () => r.normal()));
  for (let pass = 0; pass < 2; pass++) for (let c = 0; c < k; c++) {
    for (let d = 0; d < c; d++) { let s = 0; for (let i = 0; i < n; i++) s += cols[c]![i]! * cols[d]![i]!; for (let i = 0; i < n; i++) cols[c]![i]! -= s * cols[d]![i]!; }
    let s = 0; for (let i = 0; i < n; i++) s += cols[c]![i]! ** 2; s = Math.sqrt(s); for (let i = 0; i < n; i++) cols[c]![i]! /= s;
  }
  const bt = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) bt[i * k + c] = cols[c]![i]!;
  return bt;
}

/** Solves the symmetric positive definite m×m system by Cholesky (dense, here); null when not positive definite. */
function spdSolve(m: number, A: Float64Array, b: Float64Array): Float64Array | null {
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) {
    let s = A[i * m + j]!; for (let q = 0; q < j; q++) s -= L[i * m + q]! * L[j * m + q]!;
    if (i === j) { if (!(s > 1e-12)) return null; L[i * m + i] = Math.sqrt(s); } else L[i * m + j] = s / L[j * m + j]!;
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) { let s = b[i]!; for (let q = 0; q < i; q++) s -= L[i * m + q]! * y[q]!; y[i] = s / L[i * m + i]!; }
  for (let i = m - 1; i >= 0; i--) { let s = y[i]!; for (let q = i + 1; q < m; q++) s -= L[q * m + i]! * y[q]!; y[i] = s / L[i * m + i]!; }
  return y;
}

t.test('activeSetTileF64 on random tiles with many entries at zero room: in the box, KKT conditions met (multipliers by least squares here, right signs), no duality gap against an accelerated projected-gradient solve of the dual', async (t) => {
  const K = core.kernels;
  for (const [n, k, zeroUp, zeroLo, seed] of [[48, 20, 8, 6, 1], [64, 24, 10, 10, 2], [40, 16, 7, 0, 3], [96, 30, 12, 14, 4]] as const) {
    const bt = orthonormal(n, k, 100 + seed);
    const r = rng(seed);
    const c0 = Float64Array.from({ length: k }, () => r.normal());
    const v0 = new Float64Array(n); for (let i = 0; i < n; i++) { let s = 0; for (let c = 0; c < k; c++) s += bt[i * k + c]! * c0[c]!; v0[i] = s; }
    const P = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let c = 0; c < k; c++) s += bt[i * k + c]! * bt[j * k + c]!; P[i * n + j] = s; }
    // rooms: entries picked at random with none upwards / none downwards, the rest a random share of |v0|'s scale
    const vmax = v0.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const up = Float64Array.from({ length: n }, () => 0.3 * vmax * r.uniform());
    const lo = Float64Array.from({ length: n }, () => -0.3 * vmax * r.uniform());
    const order = Array.from({ length: n }, (_, i) => i).sort(() => r.uniform() - 0.5);
    for (let q = 0; q < zeroUp; q++) up[order[q]!] = 0;
    for (let q = zeroUp; q < zeroUp + zeroLo; q++) lo[order[q]!] = 0;
    const tau = 1e-13 * vmax;
    const mark = core.mark();
    const pP = core.put(P), pBt = core.put(bt), pV0 = core.put(v0), pUp = core.put(up), pLo = core.put(lo);
    const pL = core.alloc(k * k * 8), pH = core.alloc(k * 4), pBeta = core.alloc(k * 8), pSide = core.alloc(k * 4), pLam = core.alloc(k * 8);
    const pv = core.alloc(n * 8), pBlock = core.alloc(n * 8), pFlags = core.alloc(n * 4), pCc = core.alloc(k * 8), pVc = core.alloc(n * 8), pY = core.alloc(k * 8);
    const it = K.activeSetTileF64(n, k, pP, pBt, pV0, pUp, pLo, tau, 4 * k + 64, 4, pL, pH, pBeta, pSide, pLam, pv, pBlock, pFlags, pCc, pVc, pY);
    const cc = core.f64(pCc, k).slice();
    core.release(mark);
    const v = new Float64Array(n); for (let i = 0; i < n; i++) { let s = 0; for (let c = 0; c < k; c++) s += bt[i * k + c]! * cc[c]!; v[i] = s; }
    // in the box to round-off
    let viol = 0; for (let i = 0; i < n; i++) viol = Math.max(viol, v[i]! - up[i]!, lo[i]! - v[i]!);
    // active rows (on a bound to 1e-9 of the scale), multipliers by least squares: B_Aᵀ m ≈ c0 − cc
    const act: number[] = []; const side: number[] = [];
    for (let i = 0; i < n; i++) { if (v[i]! >= up[i]! - 1e-9 * vmax) { act.push(i); side.push(1); } else if (v[i]! <= lo[i]! + 1e-9 * vmax) { act.push(i); side.push(-1); } }
    const m = act.length;
    const G = new Float64Array(m * m); const rhs = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) G[a * m + b] = P[act[a]! * n + act[b]!]!;
      let s = 0; for (let c = 0; c < k; c++) s += bt[act[a]! * k + c]! * (c0[c]! - cc[c]!); rhs[a] = s;
    }
    const mu = m > 0 ? spdSolve(m, G, rhs) : new Float64Array(0);
    let stat = Infinity; let wrong = 0;
    if (mu) {
      stat = 0;
      for (let c = 0; c < k; c++) { let s = c0[c]! - cc[c]!; for (let a = 0; a < m; a++) s -= bt[act[a]! * k + c]! * mu[a]!; stat = Math.max(stat, Math.abs(s)); }
      for (let a = 0; a < m; a++) if (side[a]! * mu[a]! < -1e-9) wrong++;
    }
    // the reference: the dual, max g(μ⁺, μ⁻) = dᵀv₀ − ½‖Bᵀd‖² − up·μ⁺ + lo·μ⁻ (d = μ⁺ − μ⁻) over μ± ≥ 0, by accelerated projected
    // gradient (step ½: the gradient's Lipschitz constant is 2, B's columns orthonormal); 2g ≤ ‖c − c₀‖² for every feasible c
    const mp = new Float64Array(n), mn = new Float64Array(n), yp = new Float64Array(n), yn = new Float64Array(n); const c = new Float64Array(k);
    let tk = 1;
    for (let s = 0; s < 6000; s++) {
      for (let q = 0; q < k; q++) c[q] = c0[q]!;
      for (let i = 0; i < n; i++) { const d = yp[i]! - yn[i]!; if (d !== 0) for (let q = 0; q < k; q++) c[q] -= bt[i * k + q]! * d; }
      const t1 = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2; const w = (tk - 1) / t1; tk = t1;
      for (let i = 0; i < n; i++) {
        let bi = 0; for (let q = 0; q < k; q++) bi += bt[i * k + q]! * c[q]!;
        const p1 = Math.max(0, yp[i]! + 0.5 * (bi - up[i]!)); const n1 = Math.max(0, yn[i]! + 0.5 * (lo[i]! - bi));
        yp[i] = p1 + w * (p1 - mp[i]!); yn[i] = n1 + w * (n1 - mn[i]!); mp[i] = p1; mn[i] = n1;
      }
    }
    for (let q = 0; q < k; q++) c[q] = c0[q]!;
    let g2 = 0;
    for (let i = 0; i < n; i++) { const d = mp[i]! - mn[i]!; for (let q = 0; q < k; q++) c[q] -= bt[i * k + q]! * d; g2 += 2 * (d * v0[i]! - up[i]! * mp[i]! + lo[i]! * mn[i]!); }
    let fK = 0, bt2 = 0;
    for (let q = 0; q < k; q++) { fK += (cc[q]! - c0[q]!) ** 2; bt2 += (c[q]! - c0[q]!) ** 2; }
    const dual = g2 - bt2; // 2g
    const ok = it < 4 * k + 64 && viol <= tau * 10 && mu !== null && stat <= 1e-8 && wrong === 0 && fK - dual <= 1e-7 * fK + 1e-12 && fK >= dual - 1e-9 * fK;
    t.ok(ok, `n ${n}, k ${k}, ${zeroUp}/${zeroLo} entries without room up/down: ${it} iterations, bound violation ${viol.toExponential(1)} (tau ${tau.toExponential(1)}), ${m} active, ` +
      `stationarity residual ${stat.toExponential(1)}, ${wrong} multipliers of the wrong sign, ‖c − c₀‖² ${fK.toFixed(8)}, the dual's bound ${dual.toFixed(8)} (gap ${(fK - dual).toExponential(1)})`);
  }
});
