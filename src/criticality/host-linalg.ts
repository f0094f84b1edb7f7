// Small dense f64 linear algebra on the host: the thin QR of block power iteration (k columns, k small) and
// the singular values of explicitly built Jacobians in tests. Matrices are row-major Float64Arrays.

/**
 * Thin QR of an m x k matrix (m >= k) by Householder reflections: Q (m x k, orthonormal columns) and
 * R (k x k, upper triangular) with a non-negative diagonal, so the factorisation is unique.
 */
export function thinQR(a: ArrayLike<number>, m: number, k: number): { q: Float64Array; r: Float64Array } {
  if (m < k) throw new RangeError(`thinQR: need at least as many rows as columns, got ${m} x ${k}`);
  const A = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += A[i * k + j] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = A[j * k + j] >= 0 ? -norm : norm;
    for (let i = j; i < m; i++) v[i] = A[i * k + j];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < m; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let c = j; c < k; c++) {
        let dot = 0;
        for (let i = j; i < m; i++) dot += v[i] * A[i * k + c];
        const f = (2 * dot) / vn;
        for (let i = j; i < m; i++) A[i * k + c] -= f * v[i];
      }
    }
    vs.push(v);
  }
  const r = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) r[i * k + j] = A[i * k + j];
  // Q = H_0 ... H_{k-1} applied to the first k columns of the identity.
  const q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) q[j * k + j] = 1;
  for (let h = k - 1; h >= 0; h--) {
    const v = vs[h];
    let vn = 0;
    for (let i = h; i < m; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = h; i < m; i++) dot += v[i] * q[i * k + c];
      const f = (2 * dot) / vn;
      for (let i = h; i < m; i++) q[i * k + c] -= f * v[i];
    }
  }
  for (let j = 0; j < k; j++) if (r[j * k + j] < 0) {
    for (let c = j; c < k; c++) r[j * k + c] = -r[j * k + c];
    for (let i = 0; i < m; i++) q[i * k + j] = -q[i * k + j];
  }
  return { q, r };
}

/** Singular values (descending) of an m x n matrix by one-sided Jacobi rotations, to f64 accuracy. */
export function singularValues(a: ArrayLike<number>, m: number, n: number): Float64Array {
  // Work on the matrix with more rows than columns so that the columns become orthogonal.
  const tall = m >= n;
  const rows = tall ? m : n, cols = tall ? n : m;
  const U = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    if (tall) U[i * cols + j] = a[i * n + j]; else U[j * cols + i] = a[i * n + j];
  }
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < cols - 1; p++) for (let q = p + 1; q < cols; q++) {
      let alpha = 0, beta = 0, gamma = 0;
      for (let i = 0; i < rows; i++) {
        const up = U[i * cols + p], uq = U[i * cols + q];
        alpha += up * up; beta += uq * uq; gamma += up * uq;
      }
      if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
      off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
      const zeta = (beta - alpha) / (2 * gamma);
      const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const c = 1 / Math.sqrt(1 + t * t), s = c * t;
      for (let i = 0; i < rows; i++) {
        const up = U[i * cols + p], uq = U[i * cols + q];
        U[i * cols + p] = c * up - s * uq;
        U[i * cols + q] = s * up + c * uq;
      }
    }
    if (off < 1e-15) break;
  }
  const sv = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += U[i * cols + j] ** 2;
    sv[j] = Math.sqrt(s);
  }
  return sv.sort().reverse();
}

/** Row-major product of an m x k and a k x n matrix. */
export function matmulHost(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const v = a[i * k + p];
    if (v === 0) continue;
    for (let j = 0; j < n; j++) out[i * n + j] += v * b[p * n + j];
  }
  return out;
}
