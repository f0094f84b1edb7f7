// Ranks with ties averaged (SciPy `rankdata(method='average')`) and tie-group sizes.

/** Average ranks (1-based) of `a`; tied values share the mean of their ranks. NaN inputs give NaN ranks. */
export function rankAverage(a: ArrayLike<number>): number[] {
  const n = a.length;
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(a[i])) return new Array<number>(n).fill(NaN);
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((i, j) => a[i] - a[j] || i - j);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && a[idx[j + 1]] === a[idx[i]]) j++;
    const r = (i + j + 2) / 2; // mean of the 1-based ranks i+1..j+1
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Sizes of the groups of equal values that occur more than once (SciPy `find_repeats(...).counts`), in ascending value order. */
export function tieCounts(a: ArrayLike<number>): number[] {
  const s = Array.from(a).sort((x, y) => x - y);
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[i]) j++;
    if (j > i) out.push(j - i + 1);
    i = j + 1;
  }
  return out;
}

/** Σ (t³ - t) over the tie groups of `a` (the tie term of rank tests). */
export function tieTerm(a: ArrayLike<number>): number {
  let s = 0;
  for (const t of tieCounts(a)) s += t * t * t - t;
  return s;
}

/** True if some value occurs more than once. */
export function hasTies(a: ArrayLike<number>): boolean {
  return tieCounts(a).length > 0;
}
