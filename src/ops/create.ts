// Tensor constructors: host data and constants.
import { Tensor } from '../tensor/tensor.js';
import { type Shape } from '../tensor/shape.js';
import { fillInPlace } from './layout.js';
import { CritError } from '../util/errors.js';

/** f32 tensor from host numbers. */
export function tensor(data: ArrayLike<number>, shape?: Shape): Tensor {
  return Tensor.from(data, shape ?? [data.length], 'f32');
}
/** i32 tensor (labels, indices); values must be integers. */
export function intTensor(data: ArrayLike<number>, shape?: Shape): Tensor {
  for (let i = 0; i < data.length; i++) if (!Number.isInteger(data[i])) throw new CritError(`intTensor: element ${i} is ${data[i]}, not an integer`);
  return Tensor.from(data, shape ?? [data.length], 'i32');
}
export function full(shape: Shape, value: number): Tensor {
  if (Number.isNaN(value)) throw new CritError('full: value is NaN');
  return fillInPlace(Tensor.empty(shape), value);
}
export const zeros = (shape: Shape) => full(shape, 0);
export const ones = (shape: Shape) => full(shape, 1);
export const zerosLike = (t: Tensor) => zeros(t.shape);
