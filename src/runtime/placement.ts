// Which execution provider onnxruntime placed each node on, read from its verbose session log
// ("Node placements" in session_state.cc's VerifyEachNodeIsAssignedToAnEp). A WebGPU session puts
// nodes the provider lacks (Paddle's HardSwish Clip nodes, shape arithmetic) on the CPU; this is
// the only place onnxruntime states it. In a browser the log reaches console.error, so the page
// can collect it; in Node onnxruntime-web writes it with fs.writeSync, which ort-log.ts taps at
// session creation. placementReport turns it into the record reports carry. Browser-safe; pure.

export interface Placement {
  /** execution provider, e.g. 'CPUExecutionProvider', 'WebGpuExecutionProvider' */
  provider: string;
  count: number;
  /** the nodes listed (empty when the log says "All nodes placed on") */
  nodes: { op: string; name: string }[];
}

const ALL = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const SOME = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const NODE = /\]\s{2,}(\S+) \((.*)\)\s*$/;

/** Parses the placement block out of onnxruntime log lines (other lines are ignored). */
export function parsePlacements(lines: readonly string[]): Placement[] {
  const out: Placement[] = [];
  let current: Placement | undefined;
  for (const raw of lines) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    let m = ALL.exec(line);
    if (m) { out.push({ provider: m[1]!, count: Number(m[2]), nodes: [] }); current = undefined; continue; }
    m = SOME.exec(line);
    if (m) { current = { provider: m[1]!, count: Number(m[2]), nodes: [] }; out.push(current); continue; }
    m = current ? NODE.exec(line) : null;
    if (m && current && current.nodes.length < current.count) current.nodes.push({ op: m[1]!, name: m[2]! });
    else if (!/VerifyEachNodeIsAssignedToAnEp/.test(line)) current = undefined;
  }
  return out;
}

/** The nodes placed on the CPU when a session asked for another provider. */
export function cpuFallback(placements: readonly Placement[]): Placement | undefined {
  if (placements.length < 2) return undefined;
  return placements.find((p) => p.provider === 'CPUExecutionProvider');
}

/** Where onnxruntime ran a session's nodes, for reports. */
export interface PlacementReport {
  /**
   * 'onnxruntime log': read from onnxruntime's verbose log at session creation (webgpu in Node by
   * default; the browser page collects it itself); 'single provider': wasm and native builds have
   * the CPU provider only, so every node runs on it (see placementReport); 'not observed': webgpu
   * where the log was not visible or held no placement block (then nothing is claimed)
   */
  source: 'onnxruntime log' | 'single provider' | 'not observed';
  /** nodes per execution provider after onnxruntime's graph optimisations, as its log states (count null: not stated) */
  providers: { provider: string; count: number | null }[];
  /** nodes placed on the CPU provider although another was asked for: [] none, null unknown */
  cpuFallback: { op: string; name: string }[] | null;
}

/**
 * The report for a backend from the placements a log gave, if any. Without a log, wasm and native
 * are single-provider builds (onnxruntime-web's wasm backend is its CPU provider compiled to
 * WebAssembly, onnxruntime-node's npm build has the CPU provider only): every node is on
 * CPUExecutionProvider and nothing can fall back. test/runtime/placement.test.ts checks both
 * claims (wasm from the log, native from its profiler's per-node provider).
 */
export function placementReport(backend: string, placements: readonly Placement[] | undefined): PlacementReport {
  if (placements?.length) {
    return {
      source: 'onnxruntime log',
      providers: placements.map((p) => ({ provider: p.provider, count: p.count })),
      cpuFallback: cpuFallback(placements)?.nodes ?? [],
    };
  }
  if (backend === 'wasm' || backend === 'native') return { source: 'single provider', providers: [{ provider: 'CPUExecutionProvider', count: null }], cpuFallback: [] };
  return { source: 'not observed', providers: [], cpuFallback: null };
}
