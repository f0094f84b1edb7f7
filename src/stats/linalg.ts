// Small dense linear algebra for the statistics module (matrices of a few dozen rows at most):
// Cholesky factorisation and solves, inverses, and the symmetric eigen-decomposition (cyclic Jacobi).

export type Matrix = number[][];

export function zeros(r: number, c: number): Matrix {
  return Array.from({ length: r }, () => new Array<number>(c).fill(0));
}

export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m[i][i] = 1;
  return m;
}

export function transpose(a: Matrix): Matrix {
  const r = a.length, c = r ? a[0].length : 0;
  const t = zeros(c, r);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j][i] = a[i][j];
  return t;
}

export function matMul(a: Matrix, b: Matrix): Matrix {
  const n = a.length, m = b[0].length, k = b.length;
  const out = zeros(n, m);
  for (let i = 0; i < n; i++) for (let l = 0; l < k; l++) {
    const ail = a[i][l];
    if (ail === 0) continue;
    for (let j = 0; j < m; j++) out[i][j] += ail * b[l][j];
  }
  return out;
}

export function matVec(a: Matrix, x: ArrayLike<number>): number[] {
  return a.map((row) => { let s = 0; for (let j = 0; j < row.length; j++) s += row[j] * x[j]; return s; });
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Lower Cholesky factor L with A = L Lᵀ, or null if A is not (numerically) positive definite. */
export function cholesky(a: Matrix): Matrix | null {
  const n = a.length;
  const L = zeros(n, n);
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= L[j][k] * L[j][k];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    L[j][j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = s / ljj;
    }
  }
  return L;
}

/** Solves (L Lᵀ) x = b. */
export function cholSolve(L: Matrix, b: ArrayLike<number>): number[] {
  const n = L.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

/** (L Lᵀ)⁻¹, symmetric. */
export function cholInverse(L: Matrix): Matrix {
  const n = L.length;
  const inv = zeros(n, n);
  for (let j = 0; j < n; j++) {
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    const col = cholSolve(L, e);
    for (let i = 0; i < n; i++) inv[i][j] = col[i];
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const m = 0.5 * (inv[i][j] + inv[j][i]); inv[i][j] = m; inv[j][i] = m; }
  return inv;
}

/** log det (L Lᵀ) = 2 Σ log L_ii. */
export function cholLogDet(L: Matrix): number {
  let s = 0;
  for (let i = 0; i < L.length; i++) s += Math.log(L[i][i]);
  return 2 * s;
}

/** Inverse of a symmetric positive definite matrix; throws if it is not positive definite. */
export function spdInverse(a: Matrix): Matrix {
  const L = cholesky(a);
  if (!L) throw new RangeError('matrix is not positive definite');
  return cholInverse(L);
}

/** tr(A B) for square matrices. */
export function traceProduct(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a.length; j++) s += a[i][j] * b[j][i];
  return s;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: values in decreasing order (as R's
 * `eigen(symmetric = TRUE)`), vectors as the columns of `vectors`.
 */
export function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const A = a.map((r) => r.slice());
  const V = identity(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += A[i][j] * A[i][j];
    if (off === 0) break;
    let diag = 0;
    for (let i = 0; i < n; i++) diag += A[i][i] * A[i][i];
    if (off < 1e-32 * diag) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = A[p][q];
      if (apq === 0) continue;
      const theta = (A[q][q] - A[p][p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < n; k++) {
        const akp = A[k][p], akq = A[k][q];
        A[k][p] = c * akp - s * akq;
        A[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = A[p][k], aqk = A[q][k];
        A[p][k] = c * apk - s * aqk;
        A[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < n; k++) {
        const vkp = V[k][p], vkq = V[k][q];
        V[k][p] = c * vkp - s * vkq;
        V[k][q] = s * vkp + c * vkq;
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j][j] - A[i][i]);
  return { values: order.map((i) => A[i][i]), vectors: V.map((row) => order.map((i) => row[i])) };
}
