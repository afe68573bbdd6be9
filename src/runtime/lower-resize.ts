// Float64 lowering of Resize / Upsample. Nearest: Reshape + Expand when every pixel is replicated
// into a whole block, otherwise a Gather along each resized axis with indices computed from the
// coordinate_transformation_mode and nearest_mode (ONNX Resize-11/13 semantics). Linear: per
// resized axis, two Gathers (left and right neighbours) weighted by precomputed fractions.
// Upsample (opsets 7-9) and Resize-10 use asymmetric coordinates and floor.
import { InputError } from '../core/errors.js';
import { attrInt, attrInts, attrString, type NodeLike } from '../onnx/edit.js';
import { binary, reshape, where, type LowerContext, type Lowering } from './lower-emit.js';

/** Source coordinate of output position i along an axis (ONNX coordinate_transformation_mode). */
function sourceCoordinate(node: NodeLike, mode: string, i: number, nIn: number, nOut: number, scale: number): number {
  switch (mode) {
    case 'asymmetric': return i / scale;
    case 'half_pixel': return (i + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return nOut > 1 ? (i + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return nOut > 1 ? (i * (nIn - 1)) / (nOut - 1) : 0;
    case 'tf_half_pixel_for_nearest': return (i + 0.5) / scale;
    default: throw new InputError(`${where(node)}: ${node.opType} coordinate_transformation_mode=${mode} is not supported in float64`);
  }
}

function coordinateMode(node: NodeLike, legacy: boolean): string {
  return legacy ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel');
}

/** Source index of each output position along one axis for nearest-neighbour resizing. */
function nearestIndex(node: NodeLike, nIn: number, nOut: number, scale: number, legacy: boolean): BigInt64Array {
  const mode = coordinateMode(node, legacy);
  // Upsample and Resize-10 ("simple" rounding in onnxruntime): floor when enlarging, ceil when shrinking
  const round = legacy ? (scale < 1 ? 'ceil' : 'floor') : attrString(node, 'nearest_mode', 'round_prefer_floor');
  const idx = new BigInt64Array(nOut);
  for (let i = 0; i < nOut; i++) {
    const s = sourceCoordinate(node, mode, i, nIn, nOut, scale);
    let r: number;
    switch (round) {
      case 'floor': r = Math.floor(s); break;
      case 'ceil': r = Math.ceil(s); break;
      case 'round_prefer_ceil': r = Math.round(s); break;
      default: r = Number.isInteger(s - 0.5) ? Math.floor(s) : Math.round(s); break; // round_prefer_floor
    }
    idx[i] = BigInt(Math.min(Math.max(r, 0), nIn - 1));
  }
  return idx;
}

/** Linear interpolation along one axis: out = x[i0]·(1 − f) + x[i1]·f, weights shaped to broadcast. */
function linearAxis(node: NodeLike, cx: LowerContext, x: string, axis: number, rank: number, nIn: number, nOut: number, scale: number, legacy: boolean, out: string): void {
  const mode = coordinateMode(node, legacy);
  const i0 = new BigInt64Array(nOut), i1 = new BigInt64Array(nOut);
  const w0 = new Float64Array(nOut), w1 = new Float64Array(nOut);
  for (let i = 0; i < nOut; i++) {
    const s = Math.min(Math.max(sourceCoordinate(node, mode, i, nIn, nOut, scale), 0), nIn - 1);
    const lo = Math.floor(s);
    i0[i] = BigInt(lo);
    i1[i] = BigInt(Math.min(lo + 1, nIn - 1));
    w1[i] = s - lo;
    w0[i] = 1 - w1[i]!;
  }
  const wDims = [nOut, ...Array.from({ length: rank - 1 - axis }, () => 1)];
  const gather = (idx: BigInt64Array) => {
    const y = cx.fresh(`${x}_lin`);
    cx.emit({ op: 'Gather', inputs: [x, cx.i64('linear', idx, [nOut])], outputs: [y], attrs: { axis } });
    return y;
  };
  const a = binary(cx, 'Mul', gather(i0), cx.f64('w0', w0, wDims));
  const b = binary(cx, 'Mul', gather(i1), cx.f64('w1', w1, wDims));
  binary(cx, 'Add', a, b, out);
}

/**
 * The dense interpolation matrix (nOut × nIn, row-major) of every axis a Resize/Upsample node
 * changes, y = R·x along that axis (the derivative rules of src/grad apply R and Rᵀ).
 * @param given the node's constant scales, when it has them
 * @throws InputError for modes the float64 lowering does not support either
 */
export function resizeMatrices(node: NodeLike, opset: number, upsample: boolean, xd: number[], yd: number[], given?: Float64Array): { axis: number; nIn: number; nOut: number; matrix: Float64Array }[] {
  const legacyCoords = upsample || opset < 11;
  const mode = attrString(node, 'mode', 'nearest');
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') throw new InputError(`${where(node)}: ${node.opType} mode=${mode} is not supported (nearest and linear are)`);
  if (attrInt(node, 'antialias', 0)) throw new InputError(`${where(node)}: ${node.opType} with antialias is not supported`);
  const legacy = upsample && opset < 9 ? attrInts(node, 'scales', []) : undefined;
  const out: { axis: number; nIn: number; nOut: number; matrix: Float64Array }[] = [];
  for (let axis = 0; axis < xd.length; axis++) {
    const nIn = xd[axis]!, nOut = yd[axis]!;
    const scale = given && given.length === xd.length ? given[axis]! : legacy?.[axis] ?? nOut / nIn;
    if (nIn === nOut && scale === 1) continue;
    const m = new Float64Array(nOut * nIn);
    if (mode === 'nearest') {
      nearestIndex(node, nIn, nOut, scale, legacyCoords).forEach((j, i) => { m[i * nIn + Number(j)] = 1; });
    } else {
      const cm = coordinateMode(node, legacyCoords);
      for (let i = 0; i < nOut; i++) {
        const s = Math.min(Math.max(sourceCoordinate(node, cm, i, nIn, nOut, scale), 0), nIn - 1);
        const lo = Math.floor(s);
        m[i * nIn + lo]! += 1 - (s - lo);
        m[i * nIn + Math.min(lo + 1, nIn - 1)]! += s - lo;
      }
    }
    out.push({ axis, nIn, nOut, matrix: m });
  }
  return out;
}

/** The lowering of Resize (upsample = false) or Upsample (true). */
export function resizeWith(upsample: boolean): Lowering {
  return (node, cx) => {
    const legacyCoords = upsample || cx.opset < 11;
    const x = node.input![0]!;
    const xd = cx.dims(x), yd = cx.dims(node.output![0]!);
    const mode = attrString(node, 'mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') throw new InputError(`${where(node)}: ${node.opType} mode=${mode} is not supported in float64 (nearest and linear are)`);
    if (attrInt(node, 'antialias', 0)) throw new InputError(`${where(node)}: ${node.opType} with antialias is not supported in float64`);
    const scalesName = upsample ? (cx.opset >= 9 ? node.input![1] : undefined) : node.input![cx.opset >= 11 ? 2 : 1];
    const given = scalesName ? cx.constant(scalesName) : undefined;
    const legacy = upsample && cx.opset < 9 ? attrInts(node, 'scales', []) : undefined;
    if (mode !== 'nearest') {
      let cur = x;
      const changed = xd.map((d, k) => d !== yd[k]).lastIndexOf(true);
      for (let axis = 0; axis <= changed; axis++) {
        if (xd[axis] === yd[axis]) continue;
        const scale = given && given.length === xd.length ? given[axis]! : legacy?.[axis] ?? yd[axis]! / xd[axis]!;
        const y = axis === changed ? node.output![0]! : cx.fresh(`${x}_rs${axis}`);
        linearAxis(node, cx, cur, axis, xd.length, xd[axis]!, yd[axis]!, scale, legacyCoords, y);
        cur = y;
      }
      if (cur === x) cx.emit({ op: 'Identity', inputs: [x], outputs: [node.output![0]!] });
      return;
    }
    // integer upscaling that replicates each pixel (s×s blocks): Reshape + Expand, no Gather
    const factors = xd.map((d, k) => yd[k]! / d);
    const replicate = factors.every((f, k) => {
      if (!Number.isInteger(f) || f < 1) return false;
      const scale = given && given.length === xd.length ? given[k]! : legacy?.[k] ?? f;
      return nearestIndex(node, xd[k]!, yd[k]!, scale, legacyCoords).every((v, i) => Number(v) === Math.floor(i / f));
    });
    if (replicate) {
      const split = xd.flatMap((d) => [d, 1]);
      const expanded = cx.fresh(`${x}_rep`);
      cx.emit({ op: 'Expand', inputs: [reshape(cx, x, split), cx.i64('shape', xd.flatMap((d, k) => [d, factors[k]!]), [split.length])], outputs: [expanded] });
      reshape(cx, expanded, yd, node.output![0]!);
      return;
    }
    let cur = x;
    for (let axis = 0; axis < xd.length; axis++) {
      const scale = given && given.length === xd.length ? given[axis]! : legacy?.[axis] ?? yd[axis]! / xd[axis]!;
      if (xd[axis] === yd[axis] && scale === 1) continue;
      const last = axis === xd.length - 1 || xd.slice(axis + 1).every((d, k) => d === yd[axis + 1 + k]);
      const y = last ? node.output![0]! : cx.fresh(`${x}_rs${axis}`);
      const idx = nearestIndex(node, xd[axis]!, yd[axis]!, scale, legacyCoords);
      cx.emit({ op: 'Gather', inputs: [cur, cx.i64('nearest', idx, [idx.length])], outputs: [y], attrs: { axis } });
      cur = y;
    }
    if (cur === x) cx.emit({ op: 'Identity', inputs: [x], outputs: [node.output![0]!] });
  };
}

