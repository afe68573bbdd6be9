// The CLI from source, for the fuzzer's CLI sample: node --import tsx fuzz/cli-entry.ts ARGS…
import { main } from '../src/cli/main.js';

await main(process.argv.slice(2));
