import t from 'tap';
import { checkToleranceRule, EPS32, EPS64, rankByRule } from '../../src/linalg/tolerance.js';

t.test('checkToleranceRule: defaults, pass-through, errors named for the caller', (t) => {
  t.same(checkToleranceRule('op', {}), { rtol: undefined, atol: undefined, eps: EPS32 }, 'eps defaults to float32');
  t.same(checkToleranceRule('op', { rtol: 1e-3, atol: 0, eps: EPS64 }), { rtol: 1e-3, atol: 0, eps: EPS64 }, 'zero is allowed');
  t.throws(() => checkToleranceRule('op', { rtol: -1 }), { name: 'RangeError', message: /for op rtol but received -1/ });
  t.throws(() => checkToleranceRule('op', { atol: Infinity }), { name: 'RangeError', message: /for op atol/ });
  t.throws(() => checkToleranceRule('op', { eps: NaN }), { name: 'TypeError', message: /for op eps/ });
  // the first bad field in the order rtol, atol, eps is the one reported
  t.throws(() => checkToleranceRule('op', { rtol: -1, atol: NaN, eps: -1 }), { message: /op rtol/ });
  t.throws(() => checkToleranceRule('op', { atol: NaN, eps: -1 }), { message: /op atol/ });
  t.end();
});

t.test('rankByRule: atol wins, then rtol, then σmax·max(m, n)·eps; a value equal to tol does not count', (t) => {
  const s = [4, 2, 1, 0.5, 0];
  t.same(rankByRule(s, 5, 7, { atol: 1, rtol: 0.01 }), { rank: 2, tol: 1 }, 'σ = tol is not above it');
  t.same(rankByRule(s, 5, 7, { rtol: 0.2 }), { rank: 3, tol: 0.8 });
  t.same(rankByRule(s, 5, 7, { eps: 1 / 56 }), { rank: 3, tol: 0.5 }, '4·7/56');
  t.same(rankByRule(s, 5, 7, {}), { rank: 4, tol: 4 * 7 * EPS32 }, 'default eps is float32');
  t.same(rankByRule([], 0, 3, {}), { rank: 0, tol: 0 }, 'no singular values: σmax taken as 0');
  t.same(rankByRule([0, 0], 2, 2, { rtol: 0.1 }), { rank: 0, tol: 0 });
  t.end();
});
