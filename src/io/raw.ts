// Raw little-endian f32 files (what `array.astype('<f4').tofile(path)` writes): no header, so the
// caller gives the size of one row (e.g. 784 for MNIST inputs) and the row count follows.
import { CritError } from '../util/errors.js';
import { type HostArray, f32FromLE } from './host.js';

export function readRawF32(bytes: Uint8Array, rowSize: number, source = 'raw f32 data'): HostArray {
  if (!Number.isInteger(rowSize) || rowSize < 1) throw new CritError(`${source}: row size must be a positive integer, got ${rowSize}`);
  if (bytes.length % 4 !== 0) throw new CritError(`${source}: ${bytes.length} bytes is not a whole number of f32 values (4 bytes each): truncated or not raw f32`);
  const n = bytes.length / 4;
  if (n % rowSize !== 0) throw new CritError(`${source}: ${n} f32 values are not a whole number of rows of ${rowSize}`);
  return { shape: [n / rowSize, rowSize], data: f32FromLE(bytes) };
}
