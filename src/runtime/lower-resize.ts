// Float64 lowering of nearest-neighbour Resize / Upsample: Reshape + Expand when every pixel is
// replicated into a whole block, otherwise a Gather along each resized axis with indices computed
// from the coordinate_transformation_mode and nearest_mode (ONNX Resize-11/13 semantics).
import { InputError } from '../core/errors.js';
import { attrInts, attrString, type NodeLike } from '../onnx/edit.js';
import { reshape, where, type Lowering } from './lower-emit.js';

/** Source index of each output position along one axis for nearest-neighbour resizing. */
function nearestIndex(node: NodeLike, nIn: number, nOut: number, scale: number, upsample: boolean): BigInt64Array {
  const mode = upsample ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  const round = upsample ? 'floor' : attrString(node, 'nearest_mode', 'round_prefer_floor');
  const idx = new BigInt64Array(nOut);
  for (let i = 0; i < nOut; i++) {
    let s: number;
    switch (mode) {
      case 'asymmetric': s = i / scale; break;
      case 'half_pixel': s = (i + 0.5) / scale - 0.5; break;
      case 'pytorch_half_pixel': s = nOut > 1 ? (i + 0.5) / scale - 0.5 : 0; break;
      case 'align_corners': s = nOut > 1 ? (i * (nIn - 1)) / (nOut - 1) : 0; break;
      case 'tf_half_pixel_for_nearest': s = (i + 0.5) / scale; break;
      default: throw new InputError(`${where(node)}: Resize coordinate_transformation_mode=${mode} is not supported in float64`);
    }
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

export function resizeWith(upsample: boolean): Lowering {
  return (node, cx) => {
    const x = node.input![0]!;
    const xd = cx.dims(x), yd = cx.dims(node.output![0]!);
    const mode = attrString(node, 'mode', 'nearest');
    if (mode !== 'nearest') throw new InputError(`${where(node)}: ${node.opType} mode=${mode} is not supported in float64 (nearest is)`);
    const scalesName = upsample ? (cx.opset >= 9 ? node.input![1] : undefined) : node.input![cx.opset >= 11 ? 2 : 1];
    const given = scalesName ? cx.constant(scalesName) : undefined;
    const legacy = upsample && cx.opset < 9 ? attrInts(node, 'scales', []) : undefined;
    // integer upscaling that replicates each pixel (s×s blocks): Reshape + Expand, no Gather
    const factors = xd.map((d, k) => yd[k]! / d);
    const replicate = factors.every((f, k) => {
      if (!Number.isInteger(f) || f < 1) return false;
      const scale = given && given.length === xd.length ? given[k]! : legacy?.[k] ?? f;
      return nearestIndex(node, xd[k]!, yd[k]!, scale, upsample).every((v, i) => Number(v) === Math.floor(i / f));
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
      const idx = nearestIndex(node, xd[axis]!, yd[axis]!, scale, upsample);
      cx.emit({ op: 'Gather', inputs: [cur, cx.i64('nearest', idx, [idx.length])], outputs: [y], attrs: { axis } });
      cur = y;
    }
    if (cur === x) cx.emit({ op: 'Identity', inputs: [x], outputs: [node.output![0]!] });
  };
}

