// The CLI: registers one module per command and maps errors to exit codes. Each command module
// is light (flags only) and imports its body when it runs, so start-up loads no command's
// dependencies (test/cli/startup.test.ts checks it). A bare `--version` is answered before yargs
// loads (yargs and its helpers are ≈ 80 ms of a 200 ms start).
import { EXIT, EXIT_CODES_HELP, UsageError, reportError } from './errors.js';
import { version } from './version.js';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const debug = argv.includes('--debug');
  // An EPIPE on stdout (`| head`) ends the process quietly; any other write failure (a full disk) is one line
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    if (debug) throw e;
    process.stderr.write(`nullspace: cannot write standard output: ${e.code ?? e.message}\n`);
    process.exit(EXIT.failure);
  });
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${version}\n`);
    return;
  }
  const [{ default: yargs }, { commands }] = await Promise.all([import('yargs'), import('./commands.js')]);
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
  // yargs renders the whole help text right after it starts a command's handler, to keep for a later
  // showHelp(); nothing here shows help once a handler runs (usage errors come from .fail() above,
  // before), and the rendering (cliui, string-width) put ≈ 30 ms on every command's path
  const usage = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  try {
    await y.parseAsync();
  } catch (err) {
    process.exitCode = reportError(err, debug);
  }
}
