// Summation in NumPy's order (pairwise, 8 accumulators, blocks of 128), so that results that SciPy
// derives from sums of large offsets (e.g. f_oneway on values near 1e9) agree bit for bit or nearly.

const PW_BLOCKSIZE = 128;

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = -0; // NumPy starts from -0.0 so that a sum of -0.0 stays -0.0
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k] += a[start + i + k];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** Sum of a numeric array in NumPy's pairwise order (`np.sum` on a contiguous float64 array). */
export function npSum(a: ArrayLike<number>): number {
  return pairwise(a, 0, a.length);
}

/** Mean in NumPy's order (`np.mean`: pairwise sum divided by n). NaN for an empty array. */
export function npMean(a: ArrayLike<number>): number {
  return a.length === 0 ? NaN : npSum(a) / a.length;
}

/** Sample variance with n-1 denominator (R `var`), two-pass. NaN for n < 2. */
export function sampleVariance(a: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2) return NaN;
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < n; i++) { const d = a[i] - m; s += d * d; }
  return s / (n - 1);
}

/** Arithmetic mean with one refinement pass (as R's `mean`: m + Σ(x - m)/n). */
export function mean(a: ArrayLike<number>): number {
  const n = a.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += a[i];
  m /= n;
  if (!Number.isFinite(m)) return m;
  let c = 0;
  for (let i = 0; i < n; i++) c += a[i] - m;
  return m + c / n;
}

/** z-scores with the sample sd (n-1), as R's `scale()`. Throws if the sd is 0 or not finite. */
export function zScore(a: ArrayLike<number>): { z: number[]; center: number; scale: number } {
  const n = a.length;
  const center = mean(a);
  const scale = Math.sqrt(sampleVariance(a));
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError('cannot z-score a constant column (sd = 0)');
  const z = new Array<number>(n);
  for (let i = 0; i < n; i++) z[i] = (a[i] - center) / scale;
  return { z, center, scale };
}
