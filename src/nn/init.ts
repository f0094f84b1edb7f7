// Weight initialisation schemes of the paper (init0..init3) and PyTorch's nn.Linear default. All are
// uniform U[-bound, bound] drawn by the engine's counter-based generator, so a (seed, layer) pair gives
// bit-identical weights on every device and in uniformHost() on the CPU.
import { CritError } from '../util/errors.js';

export interface InitScheme {
  /** Bound of the weight distribution U[-b, b] for a layer with these fan-in/fan-out. */
  weightBound(fanIn: number, fanOut: number): number;
  /** Bound of the bias distribution; 0 = biases start at zero. */
  biasBound(fanIn: number, fanOut: number): number;
  description: string;
}

export const initSchemes = {
  /** Ciresan et al. (2010): U[-0.05, 0.05]. */
  init0: { weightBound: () => 0.05, biasBound: () => 0, description: 'U[-0.05, 0.05] (Ciresan et al.), biases zero' },
  /** Glorot & Bengio (2010), gain 1 = torch.nn.init.xavier_uniform_: sqrt(6 / (fan_in + fan_out)). */
  init1: { weightBound: (i: number, o: number) => Math.sqrt(6 / (i + o)), biasBound: () => 0, description: 'Xavier uniform: U[±sqrt(6/(fan_in+fan_out))], biases zero' },
  /** He et al. (2015) = torch.nn.init.kaiming_uniform_ defaults (a = 0, fan_in, gain sqrt 2): sqrt(6 / fan_in). */
  init2: { weightBound: (i: number) => Math.sqrt(6 / i), biasBound: () => 0, description: 'Kaiming uniform: U[±sqrt(6/fan_in)], biases zero' },
  /** LeCun et al. (1998): U[-2.4 / fan_in, 2.4 / fan_in]. */
  init3: { weightBound: (i: number) => 2.4 / i, biasBound: () => 0, description: 'LeCun U[±2.4/fan_in], biases zero' },
  /** torch.nn.Linear's reset_parameters: kaiming_uniform_(a = sqrt 5) = U[±1/sqrt(fan_in)], bias U[±1/sqrt(fan_in)]. */
  torch: { weightBound: (i: number) => 1 / Math.sqrt(i), biasBound: (i: number) => 1 / Math.sqrt(i), description: 'PyTorch nn.Linear default: weights and biases U[±1/sqrt(fan_in)]' },
} satisfies Record<string, InitScheme>;

export type InitName = keyof typeof initSchemes;
const aliases: Record<string, InitName> = { ciresan: 'init0', xavier: 'init1', glorot: 'init1', kaiming: 'init2', he: 'init2', lecun: 'init3', pytorch: 'torch' };

export function initScheme(s: InitName | string | InitScheme): InitScheme {
  if (typeof s !== 'string') return s;
  const name = aliases[s] ?? s;
  const scheme = (initSchemes as Record<string, InitScheme>)[name];
  if (!scheme) throw new CritError(`unknown init scheme '${s}' (known: ${[...Object.keys(initSchemes), ...Object.keys(aliases)].join(', ')})`);
  return scheme;
}
