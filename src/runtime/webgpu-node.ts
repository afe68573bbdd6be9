// WebGPU where the platform has none built in (Node): the optional `webgpu` package (Google's Dawn
// bindings) provides navigator.gpu. Without a GPU, Dawn needs a Vulkan driver: Mesa's lavapipe is
// refused (missing dynamic-indexing features), the SwiftShader ICD inside Debian's chromium package
// works (DESIGN.md §3), so it is chosen when no GPU device node exists and VK_ICD_FILENAMES is unset.
// dawn.node's GPUQueue.writeBuffer rejects views on a SharedArrayBuffer, which is what onnxruntime's
// threaded heap is: such data is copied to a plain buffer first. Internal: everything.
import { env } from '../env.js';
import { BackendUnavailable } from './backends.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What the page or process runs WebGPU on, for reports. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** true when the adapter is SwiftShader, a CPU emulation of a GPU */
  software: boolean;
  /** optional features relevant here (shader-f16) */
  shaderF16: boolean;
}

interface Gpu { requestAdapter(o?: unknown): Promise<GpuAdapter | null> }
interface GpuAdapter { info?: Record<string, string>; features: { has(f: string): boolean } }
type Nav = { gpu?: Gpu };

let installed: Promise<Gpu> | undefined;

async function chooseDriver(): Promise<void> {
  const fs = await import('node:fs');
  if (process.env.VK_ICD_FILENAMES) return;
  const gpuNodes = fs.existsSync('/dev/dri') && fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  if (gpuNodes || !fs.existsSync(SWIFTSHADER_ICD)) return;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  if (!process.env.XDG_RUNTIME_DIR) {
    const { mkdtempSync } = fs;
    const { tmpdir } = await import('node:os');
    // Vulkan's loader wants a private runtime directory; mkdtemp creates it with mode 0700
    process.env.XDG_RUNTIME_DIR = mkdtempSync(`${tmpdir()}/nullspace-xdg-`);
  }
}

async function installDawn(): Promise<Gpu> {
  await chooseDriver();
  let dawn: { create(flags: string[]): Gpu; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (e) {
    throw new BackendUnavailable(`the webgpu backend needs the optional dependency webgpu (Dawn for Node), which is not installed or cannot load here (${(e as Error).message.split('\n')[0]}); install it with: npm install webgpu`);
  }
  Object.assign(globalThis, dawn.globals);
  const queue = (dawn.globals.GPUQueue as { prototype: { writeBuffer(...a: unknown[]): unknown } }).prototype;
  const write = queue.writeBuffer;
  queue.writeBuffer = function (this: unknown, buffer: unknown, offset: unknown, data: ArrayBufferView, ...rest: unknown[]) {
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      const copy = new (data.constructor as new (n: number) => ArrayBufferView & { set(a: ArrayBufferView): void })((data as unknown as { length: number }).length);
      copy.set(data);
      data = copy;
    }
    return write.call(this, buffer, offset, data, ...rest);
  };
  const gpu = dawn.create([]);
  const g = globalThis as { navigator?: Nav };
  // Node 20 has no navigator global; Node 21+ has one without gpu
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true, writable: true });
  return gpu;
}

/** navigator.gpu, installing Dawn in Node on first use. @throws BackendUnavailable */
export function webGpu(): Promise<Gpu> {
  const nav = (globalThis as { navigator?: Nav }).navigator;
  if (nav?.gpu) return Promise.resolve(nav.gpu);
  if (!env.isNode) return Promise.reject(new BackendUnavailable('the webgpu backend needs a browser with WebGPU (navigator.gpu is missing; in Chromium try --enable-unsafe-webgpu)'));
  installed ??= installDawn();
  installed.catch(() => { installed = undefined; });
  return installed;
}

/** Requests an adapter and describes it. @throws BackendUnavailable when there is none */
export async function webGpuAdapter(): Promise<GpuAdapterInfo> {
  const gpu = await webGpu();
  const a = await gpu.requestAdapter();
  if (!a) {
    const hint = env.isNode
      ? `no GPU driver found; without a GPU, install Debian's chromium and libvulkan1 (apt-get install chromium libvulkan1) for the SwiftShader Vulkan driver at ${SWIFTSHADER_ICD}, or point VK_ICD_FILENAMES at a Vulkan driver`
      : 'the browser offers none (in Chromium try --enable-unsafe-webgpu)';
    throw new BackendUnavailable(`the webgpu backend has no WebGPU adapter: ${hint}`);
  }
  const info = a.info ?? {};
  const description = info.description || info.device || '';
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${description}`;
  return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', description, software: /swiftshader/i.test(text), shaderF16: a.features.has('shader-f16') };
}

/** Drops Node's navigator.gpu so that Dawn's instance can go and the process can exit. */
export function releaseWebGpu(): void {
  if (!env.isNode || !installed) return;
  installed = undefined;
  const nav = (globalThis as { navigator?: Nav }).navigator;
  if (nav) delete nav.gpu;
}
