// The list of commands; each lives in its own file and exports command/describe/builder/handler.
import type { CommandModule } from 'yargs';

export const commands: CommandModule<any, any>[] = [];
