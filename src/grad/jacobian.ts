// Jacobian products of a model at one input size, at float32 (onnxruntime) or float64 (the
// lowered graph): J·V for a batch of directions and Jᵀ·U for a batch of cotangents, for the model's
// outputs or any named intermediate tensors. The tangent and adjoint graphs are built on first
// use and their sessions reused for every later call (a stream of images of one size).
import { invalidParameter } from '../core/errors.js';
import { decodeModel } from '../onnx/model.js';
import { onnx, type ModelProto } from '../onnx/proto.js';
import { createSession, type Precision, type Session, type SessionBackend, type SessionOptions } from '../runtime/session.js';
import { buildGradModel, cotangentInput, GRADIENT_OUTPUT, TANGENT_INPUT, tangentOutput, type GradModel } from './build.js';
import { probeTensors, type TensorInfo } from './probe.js';

export interface JacobianOptions extends Omit<SessionOptions, 'expose' | 'precision'> {
  precision?: Precision;
  /** tensors to differentiate: graph outputs or intermediate names (default: the graph outputs) */
  outputs?: readonly string[];
  /** the image input (default: the first graph input that is not an initializer) */
  input?: string;
}

type Floats = Float32Array | Float64Array;

export interface Jacobian {
  readonly precision: Precision;
  readonly input: string;
  readonly inputDims: readonly number[];
  readonly outputs: readonly string[];
  readonly outputDims: readonly (readonly number[])[];
  /**
   * J·V. `v` holds `batch` directions, each of the input's size, row-major ([batch, ...inputDims]).
   * @returns the chosen tensors at x and their tangents ([batch, ...dims] each)
   */
  jvp(x: ArrayLike<number>, v: ArrayLike<number>, batch: number): Promise<{ values: Record<string, Floats>; tangents: Record<string, Floats> }>;
  /**
   * Jᵀ·U. `u` holds, per chosen tensor, `batch` cotangents of its size ([batch, ...dims]); summed over tensors.
   * @returns the chosen tensors at x and the gradient [batch, ...inputDims]
   */
  vjp(x: ArrayLike<number>, u: Record<string, ArrayLike<number>>, batch: number): Promise<{ values: Record<string, Floats>; gradient: Floats }>;
  /** where the product graphs ran (backend, provider, node placement); a mode appears once used */
  backends(): Promise<{ tangent?: SessionBackend; adjoint?: SessionBackend }>;
  release(): Promise<void>;
}

const count = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/**
 * Creates the Jacobian products of `model` at input dims `inputDims` (e.g. [1, 3, H, W]).
 * @throws InputError for a model with other inputs, unknown output names, or ops without a rule (all named at once)
 *
 * Notes: the graphs are built from per-op rules (src/grad/rules-*.ts) and run as ONNX models;
 * non-smooth points take the side documented in rules-elementwise.ts and rules-pool.ts, the same
 * in both modes, so ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ holds to round-off.
 */
export async function createJacobian(model: Uint8Array | ModelProto, inputDims: readonly number[], opts: JacobianOptions = {}): Promise<Jacobian> {
  const source = opts.source ?? 'model';
  const proto = model instanceof Uint8Array ? decodeModel(model, source) : model;
  const precision = opts.precision ?? 'f32';
  if (precision !== 'f32' && precision !== 'f64') throw invalidParameter('precision', 'one of f32, f64', precision);
  const inits = new Set((proto.graph?.initializer ?? []).map((t) => t.name));
  const input = opts.input ?? (proto.graph?.input ?? []).map((v) => v.name ?? '').find((n) => !inits.has(n)) ?? '';
  const { precision: _p, outputs: _o, input: _i, ...sessionOpts } = opts;
  const probe: Map<string, TensorInfo> = await probeTensors(proto, input, inputDims, sessionOpts);
  // build both graphs now, so a missing rule is reported before any work
  const tangent: GradModel = buildGradModel(proto, probe, input, 'tangent', opts.outputs, source);
  const adjoint: GradModel = buildGradModel(proto, probe, input, 'adjoint', opts.outputs, source);
  const sessions: { tangent?: Promise<Session>; adjoint?: Promise<Session> } = {};
  const session = (g: GradModel) => (sessions[g.mode] ??= createSession(onnx.ModelProto.encode(g.model).finish(), { ...sessionOpts, precision, source: `${source} (${g.mode})` }));
  const conv = (a: ArrayLike<number>): Floats => (precision === 'f64' ? (a instanceof Float64Array ? a : Float64Array.from(a)) : a instanceof Float32Array ? a : Float32Array.from(a));
  const checkLength = (name: string, a: ArrayLike<number>, n: number) => {
    if (a.length !== n) throw invalidParameter(name, `${n} values`, `${a.length} values`, RangeError);
  };
  const xDims = [...inputDims];
  const outputs = tangent.outputs;
  const values = (r: Record<string, { data: unknown }>) => Object.fromEntries(outputs.map((o) => [o, r[o]!.data as Floats]));

  return {
    precision, input, inputDims: xDims, outputs, outputDims: tangent.outputDims,
    async jvp(x, v, batch) {
      checkLength('x', x, count(xDims));
      checkLength('v', v, batch * count(xDims));
      const s = await session(tangent);
      const r = await s.run({ [input]: { data: conv(x), dims: xDims }, [TANGENT_INPUT]: { data: conv(v), dims: [batch, ...xDims] } });
      return { values: values(r), tangents: Object.fromEntries(outputs.map((o) => [o, r[tangentOutput(o)]!.data as Floats])) };
    },
    async vjp(x, u, batch) {
      checkLength('x', x, count(xDims));
      const feeds: Record<string, { data: Floats; dims: number[] }> = { [input]: { data: conv(x), dims: xDims } };
      outputs.forEach((o, k) => {
        const dims = adjoint.outputDims[k]!;
        const given = u[o];
        if (given) checkLength(`u[${o}]`, given, batch * count(dims));
        feeds[cotangentInput(o)] = { data: given ? conv(given) : conv(new Float64Array(batch * count(dims))), dims: [batch, ...dims] };
      });
      const s = await session(adjoint);
      const r = await s.run(feeds);
      return { values: values(r), gradient: r[GRADIENT_OUTPUT]!.data as Floats };
    },
    async backends() {
      const of = async (p?: Promise<Session>) => (p ? p.then((s) => s.backend, () => undefined) : undefined);
      const [tangent, adjoint] = [await of(sessions.tangent), await of(sessions.adjoint)];
      return { ...(tangent ? { tangent } : {}), ...(adjoint ? { adjoint } : {}) };
    },
    async release() {
      for (const p of [sessions.tangent, sessions.adjoint]) if (p) await p.then((s) => s.release(), () => undefined);
    },
  };
}
