// describeBackend: the line commands print about where a run went, with onnxruntime's placement.
import t from 'tap';
import { describeBackend } from '../../src/cli/backend-resolve.js';
import type { SessionBackend } from '../../src/runtime/session.js';

t.test('describeBackend(b) names the provider, the adapter and the nodes that fell back to the CPU', async (t) => {
  const one: SessionBackend = { name: 'wasm', executionProvider: 'wasm', placement: { source: 'single provider', providers: [{ provider: 'CPUExecutionProvider', count: null }], cpuFallback: [] } };
  t.equal(describeBackend(one), 'wasm (wasm execution provider)');
  const adapter = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader', software: true, shaderF16: false };
  const split: SessionBackend = {
    name: 'webgpu', executionProvider: 'webgpu', adapter,
    placement: { source: 'onnxruntime log', providers: [{ provider: 'WebGpuExecutionProvider', count: 40 }, { provider: 'CPUExecutionProvider', count: 3 }], cpuFallback: [{ op: 'Clip', name: 'a' }, { op: 'Shape', name: 'b' }, { op: 'Clip', name: 'c' }] },
  };
  t.equal(describeBackend(split), 'webgpu (webgpu execution provider on google swiftshader SwiftShader, a CPU emulation; 3 node(s) fell back to the CPU: Clip ×2, Shape ×1)');
  t.match(describeBackend({ ...split, placement: { source: 'onnxruntime log', providers: [{ provider: 'WebGpuExecutionProvider', count: 9 }], cpuFallback: [] } }), /; every node on WebGpuExecutionProvider\)$/);
  t.match(describeBackend({ ...split, placement: { source: 'not observed', providers: [], cpuFallback: null } }), /; node placement not observed\)$/);
});
