// Loads the WASM core and owns its memory. The only module that sees the instance.
// Memory is a host-managed arena: alloc() bumps, release(mark) frees everything after mark.
// Views over memory.buffer are made fresh on every request because growth detaches them.
import { env } from '../env.js';
import { bindKernels, type Kernels } from './kernels.js';

const MAX_BYTES = 1024 ** 3; // one buffer, 1 GiB
const PAGE = 65536;

export class Core {
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
  readonly base: number;
  private top: number;
  private live = 0;

  constructor(instance: WebAssembly.Instance) {
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.kernels = bindKernels(instance.exports);
    this.base = this.kernels.heapBase();
    this.top = this.base;
  }

  /** Bytes held in the arena above its base (0 when no call leaks). */
  get used(): number { return this.top - this.base; }
  /** Number of allocations not yet released. */
  get allocations(): number { return this.live; }

  /** Reserves `bytes` (16-aligned) and returns the byte offset. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`alloc: expected a non-negative integer byte count but received ${bytes}`);
    if (bytes > MAX_BYTES) throw new RangeError(`alloc: ${bytes} bytes exceeds the 1 GiB limit of one WASM buffer`);
    const ptr = this.top;
    const end = ptr + ((bytes + 15) & ~15);
    if (end > 4 * MAX_BYTES - PAGE) throw new RangeError(`alloc: WASM memory would exceed 4 GiB (${end} bytes)`);
    const have = this.memory.buffer.byteLength;
    // geometric growth: many small allocations (a preconditioner's tile factors) would otherwise
    // grow, and so copy, the whole memory once each
    if (end > have) {
      const need = Math.ceil((end - have) / PAGE);
      const room = Math.floor((4 * MAX_BYTES - have) / PAGE) - 1;
      this.memory.grow(Math.max(need, Math.min(room, Math.floor(have / PAGE / 8))));
    }
    this.top = end;
    this.live++;
    return ptr;
  }

  mark(): { top: number; live: number } { return { top: this.top, live: this.live }; }
  release(m: { top: number; live: number }): void { this.top = m.top; this.live = m.live; }

  /** Runs fn with an arena scope: everything allocated inside is freed afterwards, also on throw. */
  scoped<T>(fn: () => T): T {
    const m = this.mark();
    try { return fn(); } finally { this.release(m); }
  }

  f64(ptr: number, length: number): Float64Array { return new Float64Array(this.memory.buffer, ptr, length); }
  f32(ptr: number, length: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, length); }
  i32(ptr: number, length: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, length); }

  /** Allocates and copies a typed array in; returns its pointer. */
  put(a: Float64Array | Float32Array | Int32Array): number {
    const ptr = this.alloc(a.byteLength);
    new Uint8Array(this.memory.buffer, ptr, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return ptr;
  }
}

async function wasmBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL('../../build/release.wasm', import.meta.url);
  if (env.isNode) {
    const fs = await import('node:fs/promises');
    return new Uint8Array(await fs.readFile(url));
  }
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

let modulePromise: Promise<WebAssembly.Module> | undefined;

/** The compiled module, shared by every instance (workers get it by message). */
export function wasmModule(): Promise<WebAssembly.Module> {
  modulePromise ??= wasmBytes().then((b) => WebAssembly.compile(b)).catch((e: Error) => {
    modulePromise = undefined;
    throw new Error(`cannot load the WASM core (build/release.wasm): ${e.message}; run "npm run build"`);
  });
  return modulePromise;
}

const imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number) { throw new Error(`WASM abort at ${line}:${col}`); },
    seed() { return 0; },
  },
};

/** A new core on its own memory. */
export async function createCore(module?: WebAssembly.Module): Promise<Core> {
  return new Core(await WebAssembly.instantiate(module ?? (await wasmModule()), imports));
}

const mainModule = await wasmModule();

/** The process-wide core, created at first import. */
export const core: Core = await createCore(mainModule);

/**
 * A new core on its own memory, made synchronously from the module of the process-wide core: for
 * data that must outlive arena scopes (a factor kept for a whole stream) and be freed with its owner.
 */
export function createCoreSync(): Core {
  return new Core(new WebAssembly.Instance(mainModule, imports));
}
