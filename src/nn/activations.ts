// Activation functions by name (as they appear in architecture specs), each an op of the engine so
// both autodiff modes go through it.
import type { Tensor } from '../tensor/tensor.js';
import { scaledTanh, tanh, relu, sigmoid, gelu } from '../ops/elementwise.js';
import { CritError } from '../util/errors.js';

export const activations = {
  /** LeCun's g(x) = 1.7159 tanh(0.6666 x) (the paper's MNIST MLP). */
  'scaled-tanh': scaledTanh,
  tanh,
  relu,
  sigmoid,
  gelu,
  identity: (x: Tensor) => x,
} satisfies Record<string, (x: Tensor) => Tensor>;

export type ActivationName = keyof typeof activations;

export function activation(name: string): (x: Tensor) => Tensor {
  const f = (activations as Record<string, (x: Tensor) => Tensor>)[name];
  if (!f) throw new CritError(`unknown activation '${name}' (known: ${Object.keys(activations).join(', ')})`);
  return f;
}

export function isActivation(name: string): name is ActivationName {
  return Object.prototype.hasOwnProperty.call(activations, name);
}
