// The shape of a derivative rule (one per op type, tables in rules.ts). A rule sees the primal
// node, the context, and the derivatives of the inputs (tangent mode) or of the outputs (adjoint
// mode), each [B, ...S] or undefined where the tensor does not depend on the image. It returns
// derivatives of the same layout: every output's tangent, or every active input's cotangent
// contribution (the builder sums contributions).
import type { NodeLike } from '../onnx/edit.js';
import type { GradContext } from './context.js';

export type Mode = 'tangent' | 'adjoint';

export interface Rule {
  /** why this node has no derivative here (undefined: it has); `active` flags the inputs that depend on the image */
  refuse?(node: NodeLike, cx: GradContext, active: readonly boolean[], mode: Mode): string | undefined;
  /** edits the primal node before it is emitted (e.g. MaxPool gains its Indices output) */
  prepare?(node: NodeLike, cx: GradContext): void;
  tangent(node: NodeLike, cx: GradContext, d: readonly (string | undefined)[]): (string | undefined)[];
  adjoint(node: NodeLike, cx: GradContext, g: readonly (string | undefined)[], active: readonly boolean[]): (string | undefined)[];
}
