// parsePlacements / placementReport on onnxruntime's log format; then, on real sessions, that the
// log is read in Node without reaching stderr, and the two "single provider" claims of
// placementReport checked against onnxruntime itself: wasm from its placement log, native from its
// profiler's per-node provider.
import fs, { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ppocrModelPath } from '../helpers/ppocr.js';
import { cpuFallback, parsePlacements, placementReport } from '../../src/runtime/placement.js';
import { createSession } from '../../src/runtime/session.js';

// the shape of onnxruntime 1.30's verbose placement log (session_state.cc), colour codes included
const log = (s: string) => `\x1b[0;37m2026-12-07 02:04:24.682690 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp] ${s}\x1b[m`;

t.test('parsePlacements(lines) reads every provider block and the nodes listed under it', async (t) => {
  const lines = [
    '2026-12-07 [I:onnxruntime:, inference_session.cc:2610 Initialize] Initializing session.',
    log('Node placements'),
    log(' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2'),
    log('  Conv (p2o.Conv.0)'),
    log('  Mul (p2o.Mul.1)'),
    log(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3'),
    log('  Clip (p2o.Clip.0)'),
    log('  Clip (p2o.Clip.2)'),
    log('  Shape (shape of x)'),
    '2026-12-07 [I:onnxruntime:, allocation_planner.cc:2653 CreateGraphPartitioner] Use DeviceBasedPartition as default',
  ];
  const p = parsePlacements(lines);
  t.same(p.map((b) => [b.provider, b.count, b.nodes.length]), [['WebGpuExecutionProvider', 2, 2], ['CPUExecutionProvider', 3, 3]]);
  t.same(cpuFallback(p)?.nodes, [{ op: 'Clip', name: 'p2o.Clip.0' }, { op: 'Clip', name: 'p2o.Clip.2' }, { op: 'Shape', name: 'shape of x' }]);
});

t.test('parsePlacements(lines) reads "All nodes placed on", and a single provider is no fallback', async (t) => {
  const p = parsePlacements([log('Node placements'), log(' All nodes placed on [CPUExecutionProvider]. Number of nodes: 155')]);
  t.same(p, [{ provider: 'CPUExecutionProvider', count: 155, nodes: [] }]);
  t.equal(cpuFallback(p), undefined);
  t.same(parsePlacements(['unrelated', 'lines']), []);
});

t.test('placementReport(backend, placements) names the fallback nodes, or says how placement is known', async (t) => {
  const split = parsePlacements([log('Node placements'), log(' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 1'), log('  Conv (c0)'),
    log(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1'), log('  Clip (clip0)')]);
  t.same(placementReport('webgpu', split), { source: 'onnxruntime log', providers: [{ provider: 'WebGpuExecutionProvider', count: 1 }, { provider: 'CPUExecutionProvider', count: 1 }], cpuFallback: [{ op: 'Clip', name: 'clip0' }] });
  const all = parsePlacements([log(' All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 7')]);
  t.same(placementReport('webgpu', all).cpuFallback, [], 'all on the GPU: no fallback');
  t.same(placementReport('webgpu', undefined), { source: 'not observed', providers: [], cpuFallback: null }, 'webgpu without a log claims nothing');
  for (const b of ['wasm', 'native']) t.same(placementReport(b, []), { source: 'single provider', providers: [{ provider: 'CPUExecutionProvider', count: null }], cpuFallback: [] }, `${b}: one provider`);
});

const cls = ppocrModelPath('ch_ppocr_mobile_v2.0_cls_infer.onnx');
const feed = { x: { data: new Float32Array(3 * 48 * 192), dims: [1, 3, 48, 192] } };

t.test('createSession(wasm, placement: true) reads onnxruntime\'s log in Node: every node on CPUExecutionProvider, nothing on stderr', { skip: !cls && 'PP-OCR models not installed' }, async (t) => {
  const bytes = readFileSync(cls!);
  // watch stderr writes underneath the capture: onnxruntime-web's verbose lines must not reach it
  const seen: string[] = [];
  const original = fs.writeSync;
  const watch = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd === 2) seen.push(String(data));
    return (original as (...a: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  fs.writeSync = watch;
  try {
    for (const precision of ['f32', 'f64'] as const) {
      const s = await createSession(bytes, { precision, placement: true, source: 'classifier' });
      await s.run(feed);
      const p = s.backend.placement;
      t.equal(p.source, 'onnxruntime log', `${precision}: read from the log`);
      t.equal(p.providers.length, 1, `${precision}: one provider`);
      t.equal(p.providers[0]?.provider, 'CPUExecutionProvider');
      t.ok((p.providers[0]?.count ?? 0) > (precision === 'f32' ? 50 : 500), `${precision}: ${p.providers[0]?.count} nodes (float64: the lowered graph)`);
      t.same(p.cpuFallback, []);
      await s.release();
    }
    const quiet = await createSession(bytes, { source: 'classifier' });
    t.equal(quiet.backend.placement.source, 'single provider', 'by default wasm sessions do not turn on the verbose log');
    await quiet.release();
  } finally {
    fs.writeSync = original;
  }
  t.equal(fs.writeSync, original, 'fs.writeSync is restored');
  t.same(seen.filter((l) => /\[[VI]:onnxruntime/.test(l)), [], 'no verbose or info line reached stderr');
});

const require = createRequire(import.meta.url);
const noNative = (() => { try { require.resolve('onnxruntime-node'); return false; } catch { return 'onnxruntime-node (optional dependency) is not installed'; } })();

t.test('createSession(native) reports a single provider, and onnxruntime-node\'s profiler agrees node by node', { skip: (!cls && 'PP-OCR models not installed') || noNative }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-profile-'));
  const s = await createSession(readFileSync(cls!), { backend: 'native', source: 'classifier', session: { enableProfiling: true, profileFilePrefix: join(dir, 'p') } });
  await s.run(feed);
  t.same(s.backend.placement, { source: 'single provider', providers: [{ provider: 'CPUExecutionProvider', count: null }], cpuFallback: [] });
  await s.release(); // onnxruntime writes the profile when the session ends
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  t.equal(files.length, 1, 'one profile file');
  const events = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { cat: string; args?: { provider?: string } }[];
  const nodes = events.filter((e) => e.cat === 'Node');
  t.ok(nodes.length > 50, `${nodes.length} node events`);
  t.same([...new Set(nodes.map((e) => e.args?.provider))], ['CPUExecutionProvider'], 'every node ran on CPUExecutionProvider');
});
