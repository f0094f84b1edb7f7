import type { CliCommand } from '../command.js';
import { info } from './info.js';

/** Every `crit` subcommand, in the order `crit --help` lists them. */
export const commands: CliCommand[] = [info];
