// The first byte the host may use for its arena: everything below holds static data.
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
