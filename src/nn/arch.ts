// Architecture specs as strings, e.g. `mlp:784-1000-500-10:scaled-tanh` (the paper's MNIST MLP):
// kind, layer sizes from input to output, the hidden units' activation, and optional flags (`nobias`).
import { CritError } from '../util/errors.js';
import { isActivation, activations } from './activations.js';

export interface MlpSpec {
  kind: 'mlp';
  sizes: number[];
  activation: string;
  bias: boolean;
}

export function parseArch(spec: string): MlpSpec {
  const parts = spec.trim().split(':');
  const usage = `expected mlp:<in>-<hidden>-...-<out>:<activation>[:nobias], e.g. mlp:784-1000-500-10:scaled-tanh`;
  if (parts[0] !== 'mlp') throw new CritError(`architecture '${spec}': unknown kind '${parts[0]}' (${usage})`);
  if (parts.length < 3 || parts.length > 4) throw new CritError(`architecture '${spec}': ${usage}`);
  const sizes = parts[1].split('-').map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new CritError(`architecture '${spec}': layer sizes '${parts[1]}' must be two or more positive integers joined by '-'`);
  if (!isActivation(parts[2])) throw new CritError(`architecture '${spec}': unknown activation '${parts[2]}' (known: ${Object.keys(activations).join(', ')})`);
  let bias = true;
  if (parts[3] !== undefined) {
    if (parts[3] !== 'nobias') throw new CritError(`architecture '${spec}': unknown flag '${parts[3]}' (known: nobias)`);
    bias = false;
  }
  return { kind: 'mlp', sizes, activation: parts[2], bias };
}

export function formatArch(s: MlpSpec): string {
  return `mlp:${s.sizes.join('-')}:${s.activation}${s.bias ? '' : ':nobias'}`;
}
