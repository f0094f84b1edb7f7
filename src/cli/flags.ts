// Parsing of command-line flags shared by the crit commands: option errors and bad numbers become
// UsageErrors that name the flag and what it takes.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';

/** What a numeric flag accepts: integers only, at least `min`, or strictly above `above`. */
export interface NumberRule { int?: boolean; min?: number; above?: number }

function describe(rule: NumberRule, plural: boolean): string {
  const noun = rule.int ? (plural ? 'integers' : 'integer') : plural ? 'numbers' : 'number';
  const sign = rule.above === 0 ? 'positive' : plural && rule.min === 0 && rule.above === undefined ? 'non-negative' : '';
  if (sign) return plural ? `${sign} ${noun}` : `a ${sign} ${noun}`;
  const bound = rule.above !== undefined ? ` > ${rule.above}` : rule.min !== undefined ? ` >= ${rule.min}` : '';
  return (plural ? noun : rule.int ? `an ${noun}` : `a ${noun}`) + bound;
}
function ok(x: number, rule: NumberRule): boolean {
  return Number.isFinite(x) && (!rule.int || Number.isInteger(x)) && (rule.min === undefined || x >= rule.min) && (rule.above === undefined || x > rule.above);
}

/** A number flag; undefined when the flag is absent. */
export function numberFlag(flag: string, text: string | undefined, rule: NumberRule = {}): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (text.trim() === '' || !ok(x, rule)) throw new UsageError(`${flag} takes ${describe(rule, false)}, got '${text}'`);
  return x;
}

/** A comma-separated list of numbers (at least one). */
export function numberList(flag: string, text: string, rule: NumberRule = {}): number[] {
  const xs = text.split(',').filter((s) => s.trim() !== '').map(Number);
  if (!xs.length || xs.some((x) => !ok(x, rule))) throw new UsageError(`${flag} takes ${describe(rule, true)} separated by commas, got '${text}'`);
  return xs;
}

/**
 * `--lambda-targets -0.2,0.2`: node's parseArgs takes a value that starts with '-' for an option and refuses
 * it; a negative number (or a list starting with one) after a string option is joined as `--flag=value`.
 */
export function joinNegativeValues(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') && !args[i].includes('=') ? args[i].slice(2) : null;
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

/** util.parseArgs whose errors (unknown or malformed options) are UsageErrors followed by the usage. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

/** --shard K/N: shard K of N (0 <= K < N), or undefined without the flag. */
export function shardFlag(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard takes K/N with integers 0 <= K < N (e.g. 0/4), got '${text}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}
