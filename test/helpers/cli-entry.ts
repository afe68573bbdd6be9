// Runs the CLI from src through tsx (tests need no build): node --import tsx test/helpers/cli-entry.ts ARGS…
import { main } from '../../src/cli/main.js';

await main(process.argv.slice(2));
