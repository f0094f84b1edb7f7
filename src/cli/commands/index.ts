import type { CliCommand } from '../command.js';
import { info } from './info.js';
import { serve } from './serve.js';
import { profile } from './profile.js';
import { stats } from './stats.js';
import { bench } from './bench.js';
import { fig1 } from './fig1.js';
import { lyapunov } from './lyapunov.js';
import { measure } from './measure.js';
import { fig4 } from './fig4.js';
import { fig5 } from './fig5.js';
import { zoo } from './zoo.js';

/** Every `crit` subcommand, in the order `crit --help` lists them. */
export const commands: CliCommand[] = [info, serve, profile, stats, bench, fig1, lyapunov, measure, fig4, fig5, zoo];
