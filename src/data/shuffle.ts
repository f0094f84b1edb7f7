// Seeded permutations from the engine's counter-based generator (pcg4d): the same seed and stream give
// the same order in Node, in browsers and in the tests, independent of how many numbers were drawn before.
import { rngBits } from '../ops/random.js';
import { CritError } from '../util/errors.js';

/** Fisher-Yates shuffle of 0..n-1; draw i uses counter i of (seed, stream). */
export function permutation(n: number, seed: number, stream = 0): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new CritError(`permutation: n must be a non-negative integer, got ${n}`);
  for (const [k, v] of [['seed', seed], ['stream', stream]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new CritError(`permutation: ${k} must be an integer in [0, 2^32), got ${v}`);
  }
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // 32 random bits scaled to [0, i]: the bias is below (i+1)/2^32, negligible for datasets.
    const j = Math.floor((rngBits(seed, stream, i)[0] * (i + 1)) / 4294967296);
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}
