// The tile problem of the tile fit solved to optimality by the dual active-set method of Goldfarb and
// Idnani (Math. Programming 27, 1983): min ½‖c − c₀‖² subject to lo ≤ B c ≤ up, B (n×k) with
// orthonormal columns. The primal method (tile.ts activeSetTileF64) walks from the feasible c = 0 and
// stalls where many bounds pass through that point (white paper: hundreds of entries with no room
// upwards, more than the k free dimensions): a degenerate vertex it can only leave by pivots that
// change nothing. The dual method starts at the unconstrained minimiser c₀ and adds the most violated
// constraint, dropping a member when its multiplier would turn negative; its iterates are dual feasible,
// so degenerate primal vertices do not stall it, and it ends at the optimum. With G = I the method's
// J = L⁻ᵀQ is just Q: an orthonormal basis (kept as rows of Jᵀ) whose first a vectors span the active
// normals (N = Q₁R, R upper triangular) and whose rest spans the directions that keep them.
// Its iterates are infeasible until the end: a capped run gives no usable point (the caller then keeps
// the tile where it is).
import { dot, axpy, rot } from "./vec";
import { gemvNF64, gemvNF32 } from "./blas1";

/**
 * One tile problem by the dual active-set method. Arguments: Bt (n×k row-major, the basis by entry), Bt32 its float32
 * copy (0: none; the choice of the entering constraint then scans v in float64 throughout), c0 (k),
 * up, lo (n) the room of each entry (lo ≤ 0 ≤ up, so the problem is feasible); tol the violation allowed;
 * maxIter the constraint additions and drops at most. Work (caller-owned): jt (k×k), r (k×k), act (k i32:
 * 2·entry + 1 for an upper bound), u (k), flags (n i32), d (k), z (k: c in float32), rr (k), w (n: v in float32), v (n).
 * Out: c (k). Returns the iterations run (additions and drops), or −1 when capped: c is then not feasible. A bound
 * whose normal depends on the active ones and that no drop can make room for is left out of the scan. */
export function dualTileF64(n: i32, k: i32, btPtr: usize, bt32Ptr: usize, c0Ptr: usize, upPtr: usize, loPtr: usize, tol: f64, maxIter: i32,
  jtPtr: usize, rPtr: usize, actPtr: usize, uPtr: usize, flagsPtr: usize, dPtr: usize, zPtr: usize, rrPtr: usize,
  wPtr: usize, vPtr: usize, cPtr: usize): i32 {
  const ldk = <usize>k << 3;
  memory.copy(cPtr, c0Ptr, ldk);
  memory.fill(jtPtr, 0, <usize>k * ldk);
  for (let i = 0; i < k; i++) store<f64>(jtPtr + <usize>i * ldk + (<usize>i << 3), 1);
  memory.fill(flagsPtr, 0, <usize>n << 2);
  let a: i32 = 0;
  let it: i32 = 0;
  // the constraint to add is chosen from v in float32 (B·c at twice the speed) while that finds violations
  // well above its own rounding; the entering slack is then computed in float64, so only the choice is
  // approximate, and the last rounds scan v in float64 against tol, as the method's end requires
  let fast = bt32Ptr != 0;
  for (;;) {
    let p: i32 = -1;
    let upper = false;
    let sp: f64 = 0;
    if (fast) {
      let cn: f64 = 0;
      for (let i = 0; i < k; i++) { const x = load<f64>(cPtr + (<usize>i << 3)); store<f32>(zPtr + (<usize>i << 2), <f32>x); cn += x * x; }
      gemvNF32(n, k, 1, bt32Ptr, k, zPtr, 0, wPtr);
      let worst: f64 = -max<f64>(tol, 1e-5 * Math.sqrt(cn));
      for (let j = 0; j < n; j++) {
        if (load<i32>(flagsPtr + (<usize>j << 2))) continue;
        const vj = <f64>load<f32>(wPtr + (<usize>j << 2));
        const su = load<f64>(upPtr + (<usize>j << 3)) - vj;
        const sl = vj - load<f64>(loPtr + (<usize>j << 3));
        if (su < worst) { worst = su; p = j; upper = true; }
        if (sl < worst) { worst = sl; p = j; upper = false; }
      }
      if (p >= 0) {
        const vp = dot<f64>(btPtr + <usize>p * ldk, cPtr, k);
        sp = upper ? load<f64>(upPtr + (<usize>p << 3)) - vp : vp - load<f64>(loPtr + (<usize>p << 3));
        if (!(sp < -tol)) p = -1;
      }
      if (p < 0) { fast = false; continue; }
    } else {
      // v = B c afresh once per added constraint (the inner steps track only c and the entering slack)
      gemvNF64(n, k, 1, btPtr, k, cPtr, 0, vPtr);
      // the most violated constraint (slack up − v or v − lo below −tol)
      let worst: f64 = -tol;
      for (let j = 0; j < n; j++) {
        if (load<i32>(flagsPtr + (<usize>j << 2))) continue;
        const o = <usize>j << 3;
        const vj = load<f64>(vPtr + o);
        const su = load<f64>(upPtr + o) - vj;
        const sl = vj - load<f64>(loPtr + o);
        if (su < worst) { worst = su; p = j; upper = true; }
        if (sl < worst) { worst = sl; p = j; upper = false; }
      }
      if (p < 0) return it;
      sp = worst;
    }
    // the ≥ form: upper: −b·c ≥ −up; lower: b·c ≥ lo; slack sp = n·c − bound < 0
    const sgn: f64 = upper ? -1 : 1;
    let uplus: f64 = 0;
    // d = Jᵀ n_p (kept up to date through the rotations below, so computed once per entering constraint)
    const bp = btPtr + <usize>p * ldk;
    for (let col = 0; col < k; col++) store<f64>(dPtr + (<usize>col << 3), sgn * dot<f64>(jtPtr + <usize>col * ldk, bp, k));
    const nrm = dot<f64>(bp, bp, k);
    for (;;) {
      if (it >= maxIter) return -1;
      it++;
      // rotate d[a:] onto e_a (Givens from the bottom, the same on the rows of Jᵀ): any orthonormal basis of the
      // directions that keep the active constraints will do, and in this one the primal step is z = d[a]·J[:, a]
      for (let col = k - 1; col > a; col--) {
        const y = load<f64>(dPtr + (<usize>col << 3));
        if (y == 0) continue;
        const x = load<f64>(dPtr + (<usize>(col - 1) << 3));
        const h = Math.sqrt(x * x + y * y); // entries of unit vectors and of R: no overflow to guard against
        store<f64>(dPtr + (<usize>(col - 1) << 3), h);
        store<f64>(dPtr + (<usize>col << 3), 0);
        rot<f64>(jtPtr + <usize>(col - 1) * ldk, jtPtr + <usize>col * ldk, k, x / h, -y / h);
      }
      const da: f64 = a < k ? load<f64>(dPtr + (<usize>a << 3)) : 0;
      const zn = da * da; // zᵀ n_p
      // the dual step rr = R⁻¹ d[0:a]
      for (let i = a - 1; i >= 0; i--) {
        const row = rPtr + <usize>i * ldk;
        const si = load<f64>(dPtr + (<usize>i << 3)) - dot<f64>(row + (<usize>(i + 1) << 3), rrPtr + (<usize>(i + 1) << 3), a - 1 - i);
        store<f64>(rrPtr + (<usize>i << 3), si / load<f64>(row + (<usize>i << 3)));
      }
      // the partial (dual) step: the first active multiplier to reach 0
      let t1: f64 = Infinity;
      let l: i32 = -1;
      for (let i = 0; i < a; i++) {
        const ri = load<f64>(rrPtr + (<usize>i << 3));
        if (ri > 0) { const q = load<f64>(uPtr + (<usize>i << 3)) / ri; if (q < t1) { t1 = q; l = i; } }
      }
      // the full step: constraint p satisfied (zn at round-off: n_p depends on the active normals)
      const t2: f64 = zn > 1e-13 * nrm ? -sp / zn : Infinity;
      const t = min<f64>(t1, t2);
      if (t == Infinity) {
        // n_p depends on the active normals and no multiplier limits the step: with c = 0 feasible this is
        // round-off (a dependent bound violated by ~tol at a degenerate vertex); p is left out of the scan and
        // the caller's cut judges what it leaves
        store<i32>(flagsPtr + (<usize>p << 2), 2);
        break;
      }
      if (t2 < Infinity) {
        axpy<f64>(jtPtr + <usize>a * ldk, cPtr, k, t * da);
        sp += t * zn;
      }
      for (let i = 0; i < a; i++) {
        const o = uPtr + (<usize>i << 3);
        store<f64>(o, load<f64>(o) - t * load<f64>(rrPtr + (<usize>i << 3)));
      }
      uplus += t;
      if (t == t2) {
        // add p: R gains the column d[0:a+1]
        for (let i = 0; i <= a; i++) store<f64>(rPtr + <usize>i * ldk + (<usize>a << 3), load<f64>(dPtr + (<usize>i << 3)));
        store<i32>(actPtr + (<usize>a << 2), (p << 1) | (upper ? 1 : 0));
        store<f64>(uPtr + (<usize>a << 3), uplus);
        store<i32>(flagsPtr + (<usize>p << 2), 1);
        a++;
        break;
      }
      // drop member l: delete column l of R, back to upper triangular by Givens on rows l.., the same on the rows
      // of Jᵀ and on d
      const e = load<i32>(actPtr + (<usize>l << 2));
      store<i32>(flagsPtr + (<usize>(e >> 1) << 2), 0);
      for (let i = l; i < a - 1; i++) {
        store<i32>(actPtr + (<usize>i << 2), load<i32>(actPtr + (<usize>(i + 1) << 2)));
        store<f64>(uPtr + (<usize>i << 3), load<f64>(uPtr + (<usize>(i + 1) << 3)));
      }
      for (let i = 0; i < a; i++) {
        const row = rPtr + <usize>i * ldk;
        for (let col = l; col < a - 1; col++) store<f64>(row + (<usize>col << 3), load<f64>(row + (<usize>(col + 1) << 3)));
        store<f64>(row + (<usize>(a - 1) << 3), 0);
      }
      a--;
      for (let i = l; i < a; i++) {
        const ri = rPtr + <usize>i * ldk;
        const ri1 = rPtr + <usize>(i + 1) * ldk;
        const x = load<f64>(ri + (<usize>i << 3));
        const y = load<f64>(ri1 + (<usize>i << 3));
        if (y == 0) continue;
        const h = Math.sqrt(x * x + y * y); // entries of unit vectors and of R: no overflow to guard against
        const cs = x / h, sn = y / h;
        for (let col = i; col < a; col++) {
          const o = <usize>col << 3;
          const r1 = load<f64>(ri + o), r2 = load<f64>(ri1 + o);
          store<f64>(ri + o, cs * r1 + sn * r2);
          store<f64>(ri1 + o, -sn * r1 + cs * r2);
        }
        store<f64>(ri1 + (<usize>i << 3), 0);
        rot<f64>(jtPtr + <usize>i * ldk, jtPtr + <usize>(i + 1) * ldk, k, cs, -sn);
        const d1 = load<f64>(dPtr + (<usize>i << 3)), d2 = load<f64>(dPtr + (<usize>(i + 1) << 3));
        store<f64>(dPtr + (<usize>i << 3), cs * d1 + sn * d2);
        store<f64>(dPtr + (<usize>(i + 1) << 3), -sn * d1 + cs * d2);
      }
    }
  }
  return it; // not reached: the loop returns
}
