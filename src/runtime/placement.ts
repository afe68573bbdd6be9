// Which execution provider onnxruntime placed each node on, read from its verbose session log
// ("Node placements" in session_state.cc's VerifyEachNodeIsAssignedToAnEp). A WebGPU session puts
// nodes the provider lacks (Paddle's HardSwish Clip nodes, shape arithmetic) on the CPU; this is
// the only place onnxruntime states it. In a browser the log reaches console.error, so the page
// can collect it; in Node onnxruntime-web writes it past JavaScript, so Node reports cannot.
// Browser-safe; pure.

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
