// Float64 lowerings of Erf and Gelu (opset 20), which onnxruntime-web lacks in double (its Gelu
// function body expands to Erf). Erf becomes W. J. Cody's rational Chebyshev approximations
// (Math. Comp. 23, 1969; the CALERF coefficients) in Mul/Add/Div/Exp/Floor/Where: x·R₁(x²) for
// |x| ≤ 0.46875, 1 − e^(−x²)·R₂(|x|) up to 4, 1 − e^(−x²)/|x|·(1/√π − R₃(1/x²)/x²) beyond, with
// e^(−x²) split as e^(−s²)·e^(−(|x|−s)(|x|+s)), s = ⌊16|x|⌋/16, so the rounding of x² is not
// amplified. Accurate to a few ulp over the whole real line (test/runtime/lower-erf.test.ts).
import { InputError } from '../core/errors.js';
import { attrString } from '../onnx/edit.js';
import { binary, scalar, where, type LowerContext, type Lowering } from './lower-emit.js';

const A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const C = [5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2,
  1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8];
const D = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3,
  4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3];
const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
const SQRPI = 5.6418958354775628695e-1;
const THRESH = 0.46875;
/** erfc(8) ≈ 1e-29: erf rounds to 1 well before; clamping keeps e^(−x²) and 1/x finite at ±∞ */
const CLAMP = 8;

/**
 * Cody's Horner scheme: numerator lead·tᵏ + c₀tᵏ⁻¹ + … + c_{k−1} (`lead` the last coefficient, as
 * CALERF stores it), denominator monic tᵏ + d₀tᵏ⁻¹ + … + d_{k−1}; returns num/den.
 */
function ratio(cx: LowerContext, t: string, num: number[], den: number[]): string {
  const k = den.length;
  let n = binary(cx, 'Mul', t, scalar(cx, num[k]!));
  let d = t;
  for (let i = 0; i < k - 1; i++) {
    n = binary(cx, 'Mul', binary(cx, 'Add', n, scalar(cx, num[i]!)), t);
    d = binary(cx, 'Mul', binary(cx, 'Add', d, scalar(cx, den[i]!)), t);
  }
  return binary(cx, 'Div', binary(cx, 'Add', n, scalar(cx, num[k - 1]!)), binary(cx, 'Add', d, scalar(cx, den[k - 1]!)));
}

/** Emits erf(x) elementwise in float64; writes `out` (or a fresh name) and returns it. */
export function erfInto(cx: LowerContext, x: string, out?: string): string {
  const y = cx.fresh('erf_abs');
  cx.emit({ op: 'Abs', inputs: [x], outputs: [y] });
  // |x| ≤ 0.46875: erf = x·R₁(x²); built on |x| and signed at the end
  const small = binary(cx, 'Mul', y, ratio(cx, binary(cx, 'Mul', y, y), A, B));
  const yc = binary(cx, 'Min', y, scalar(cx, CLAMP));
  // e^(−yc²) with yc² split so the rounding of yc² is not amplified (Cody)
  const s16 = cx.fresh('erf_floor');
  cx.emit({ op: 'Floor', inputs: [binary(cx, 'Mul', yc, scalar(cx, 16))], outputs: [s16] });
  const s = binary(cx, 'Mul', s16, scalar(cx, 1 / 16));
  const del = binary(cx, 'Mul', binary(cx, 'Sub', yc, s), binary(cx, 'Add', yc, s));
  const e1 = cx.fresh('erf_exp'), e2 = cx.fresh('erf_exp');
  cx.emit({ op: 'Exp', inputs: [binary(cx, 'Mul', binary(cx, 'Mul', s, s), scalar(cx, -1))], outputs: [e1] });
  cx.emit({ op: 'Exp', inputs: [binary(cx, 'Mul', del, scalar(cx, -1))], outputs: [e2] });
  const gauss = binary(cx, 'Mul', e1, e2);
  // 0.46875 < |x| ≤ 4: erfc = e^(−x²)·R₂(|x|)
  const mid = ratio(cx, yc, C, D);
  // |x| > 4: erfc = e^(−x²)/|x|·(1/√π − t·R₃(t)), t = 1/x²
  const t = binary(cx, 'Div', scalar(cx, 1), binary(cx, 'Mul', yc, yc));
  const big = binary(cx, 'Div', binary(cx, 'Sub', scalar(cx, SQRPI), binary(cx, 'Mul', t, ratio(cx, t, P, Q))), yc);
  const isBig = cx.fresh('erf_big');
  cx.emit({ op: 'Greater', inputs: [y, scalar(cx, 4)], outputs: [isBig] });
  const r = cx.fresh('erf_r');
  cx.emit({ op: 'Where', inputs: [isBig, big, mid], outputs: [r] });
  const erfc = binary(cx, 'Mul', gauss, r);
  const large = binary(cx, 'Add', binary(cx, 'Sub', scalar(cx, 0.5), erfc), scalar(cx, 0.5));
  const isSmall = cx.fresh('erf_small');
  cx.emit({ op: 'Greater', inputs: [y, scalar(cx, THRESH)], outputs: [isSmall] });
  const pos = cx.fresh('erf_pos');
  cx.emit({ op: 'Where', inputs: [isSmall, large, small], outputs: [pos] });
  const sign = cx.fresh('erf_sign');
  cx.emit({ op: 'Sign', inputs: [x], outputs: [sign] });
  return binary(cx, 'Mul', sign, pos, out);
}

export const erf: Lowering = (node, cx) => {
  erfInto(cx, node.input![0]!, node.output![0]!);
};

/** Gelu (opset 20): 0.5·x·(1 + erf(x/√2)), or with approximate="tanh" 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))). */
export const gelu: Lowering = (node, cx) => {
  const x = node.input![0]!;
  const approx = attrString(node, 'approximate', 'none');
  let inner: string;
  if (approx === 'none') inner = erfInto(cx, binary(cx, 'Mul', x, scalar(cx, Math.SQRT1_2)));
  else if (approx === 'tanh') {
    const cube = binary(cx, 'Mul', binary(cx, 'Mul', x, x), x);
    const arg = binary(cx, 'Mul', binary(cx, 'Add', x, binary(cx, 'Mul', cube, scalar(cx, 0.044715))), scalar(cx, Math.sqrt(2 / Math.PI)));
    inner = cx.fresh('gelu_tanh');
    cx.emit({ op: 'Tanh', inputs: [arg], outputs: [inner] });
  } else throw new InputError(`${where(node)}: Gelu approximate=${approx} is not supported in float64 (none and tanh are)`);
  const half = binary(cx, 'Mul', x, scalar(cx, 0.5));
  binary(cx, 'Mul', half, binary(cx, 'Add', inner, scalar(cx, 1)), node.output![0]!);
};
