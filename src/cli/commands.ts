// The list of commands; each lives in its own file and exports command/describe/builder/handler.
import type { CommandModule } from 'yargs';
import * as verify from './verify.js';
import * as drift from './drift.js';
import * as collide from './collide.js';
import * as demo from './demo.js';
import * as inspect from './inspect.js';
import * as basis from './basis.js';
import * as filters from './filters.js';
import * as interactions from './interactions.js';
import * as serve from './serve.js';
import * as grad from './grad.js';
import * as attack from './attack.js';

export const commands: CommandModule<any, any>[] = [verify, drift, collide, demo, inspect, basis, filters, interactions, serve, grad, attack];
