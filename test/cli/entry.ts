// The CLI from source, for tests that need a real process (pipes, exit codes).
import { main } from '../../src/cli/main.js';

await main(process.argv.slice(2));
