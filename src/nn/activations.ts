// Activation functions by name (as they appear in architecture specs), each an op of the engine so
// both autodiff modes go through it.
import type { Tensor } from '../tensor/tensor.js';
import { scaledTanh, tanh, relu, sigmoid, gelu, mul, minimum, addScalar, scale } from '../ops/elementwise.js';

/** min(max(x, 0), 6) (torch.nn.ReLU6), as relu and a minimum with a constant: exact, and differentiable both ways. */
export const relu6 = (x: Tensor) => minimum(relu(x), 6);
/** x · sigmoid(x) (torch.nn.SiLU, EfficientNet's activation). */
export const silu = (x: Tensor) => mul(x, sigmoid(x));
/** relu6(x + 3) / 6 (torch.nn.Hardsigmoid). */
export const hardsigmoid = (x: Tensor) => scale(relu6(addScalar(x, 3)), 1 / 6);
/** x · relu6(x + 3) / 6 (torch.nn.Hardswish, MobileNet V3). */
export const hardswish = (x: Tensor) => mul(x, hardsigmoid(x));
import { CritError } from '../util/errors.js';

export const activations = {
  /** LeCun's g(x) = 1.7159 tanh(0.6666 x) (the paper's MNIST MLP). */
  'scaled-tanh': scaledTanh,
  tanh,
  relu,
  sigmoid,
  gelu,
  relu6,
  silu,
  hardswish,
  hardsigmoid,
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
