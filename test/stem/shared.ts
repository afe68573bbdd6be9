// What the stem tests share: the tool stamp, the identity preprocessing, and the relative L2
// difference they measure tensors with.
export const tool = { name: 'nullspace', version: 'test' };
export const none = { mean: 0, std: 1 };

/** ‖a − b‖ / ‖a‖ (or ‖a − b‖ when a is 0). */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0; let s = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; s += a[i]! ** 2; }
  return Math.sqrt(d) / (Math.sqrt(s) || 1);
}
