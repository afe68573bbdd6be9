import t from 'tap';
import { cpuFallback, parsePlacements } from '../../src/runtime/placement.js';

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
