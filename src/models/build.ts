// Any classifier crit knows from its spec string: `mlp:...` (nn/mlp.ts) or `cnn:...` (models/cnn.ts).
import { MLP } from '../nn/mlp.js';
import { CNN, DOHARE_CONVNET } from './cnn.js';
import { CritError } from '../util/errors.js';

export type Network = MLP | CNN;

export function buildNetwork(spec: string): Network {
  const kind = spec.trim().split(':')[0];
  if (kind === 'mlp') return new MLP(spec);
  if (kind === 'cnn') return new CNN(spec);
  throw new CritError(`architecture '${spec}': unknown kind '${kind}' (known: mlp, e.g. mlp:784-1000-500-10:scaled-tanh; cnn, e.g. ${DOHARE_CONVNET})`);
}
