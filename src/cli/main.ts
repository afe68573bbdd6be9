// The CLI: registers one module per command and maps errors to exit codes. Each command module
// is light (flags only) and imports its body when it runs, so start-up loads no command's
// dependencies (test/cli/startup.test.ts checks it).
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_CODES_HELP, UsageError, reportError } from './errors.js';
import { version } from './version.js';
import { commands } from './commands.js';

export async function main(argv = hideBin(process.argv)): Promise<void> {
  const debug = argv.includes('--debug');
  // An EPIPE on stdout (`| head`) ends the process quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  let y = yargs(argv)
    .scriptName('nullspace')
    .usage('$0 <command> [options]\n\nFind, build and verify exact feature collisions in neural networks.')
    .option('debug', { type: 'boolean', describe: 'print stack traces on errors', global: true })
    .version(version)
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .epilogue(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err, yy) => {
      if (err) throw err;
      // printed by reportError below, which lets the process end by itself (no process.exit
      // right after a write: see errors.ts)
      throw new UsageError(msg, String(yy.help()));
    });
  for (const c of commands) y = y.command(c as never);
  try {
    await y.parseAsync();
  } catch (err) {
    process.exitCode = reportError(err, debug);
  }
}
