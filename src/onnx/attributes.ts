// Reading a node's attributes, with the ONNX default when the attribute is absent. One reader for
// every consumer: the weight and first-layer readers, the census, collide and the graph rewrites
// of src/runtime (through edit.ts) all take int64 values through toInt, so an out-of-range int64
// is NaN everywhere rather than a silently rounded number in some places.
import type onnxProto from 'onnx-proto';
import { toInt } from './tensor-data.js';

type NodeLike = onnxProto.onnx.INodeProto;
type Attr = onnxProto.onnx.IAttributeProto;

function findAttr(node: NodeLike, name: string): Attr | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** An INT attribute, or `fallback` when absent. */
export function attrInt(node: NodeLike, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? toInt(a.i ?? 0) : fallback;
}

/** A FLOAT attribute, or `fallback` when absent. */
export function attrFloat(node: NodeLike, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? (a.f ?? 0) : fallback;
}

/** An INTS attribute, or `fallback` (undefined when not given) when absent. */
export function attrInts(node: NodeLike, name: string): number[] | undefined;
export function attrInts(node: NodeLike, name: string, fallback: number[]): number[];
export function attrInts(node: NodeLike, name: string, fallback?: number[]): number[] | undefined {
  const a = findAttr(node, name);
  return a ? (a.ints ?? []).map(toInt) : fallback;
}

/** A STRING attribute decoded as UTF-8, or `fallback` when absent (or empty). */
export function attrString(node: NodeLike, name: string, fallback: string): string {
  const a = findAttr(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

/** True when the node carries the attribute at all. */
export function hasAttr(node: NodeLike, name: string): boolean {
  return findAttr(node, name) !== undefined;
}
