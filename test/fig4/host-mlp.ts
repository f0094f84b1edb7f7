// f64 references for the fig4 tests: the input-output Jacobian of a scaled-tanh MLP built explicitly on the
// host (chain rule through the layers) and its largest singular value by one-sided Jacobi (host-linalg).
import { singularValues } from '../../src/criticality/host-linalg.js';

const A = 1.7159, B = 0.6666;

export interface HostLayer { weight: string; bias: string | null; inFeatures: number; outFeatures: number; activation: string }
export type HostParams = Record<string, Float64Array | number[]>;

/** Output and J(x) (rows: outputs, columns: inputs) in f64. */
export function hostJacobian(layers: readonly HostLayer[], p: HostParams, x: ArrayLike<number>): { y: Float64Array; J: Float64Array; m: number; n: number } {
  const n0 = x.length;
  let h = Float64Array.from(x);
  let J: Float64Array | null = null;
  for (const l of layers) {
    const W = p[l.weight], b = l.bias ? p[l.bias] : null;
    const z = new Float64Array(l.outFeatures);
    for (let o = 0; o < l.outFeatures; o++) { let s = b ? b[o] : 0; for (let i = 0; i < l.inFeatures; i++) s += W[o * l.inFeatures + i] * h[i]; z[o] = s; }
    if (l.activation !== 'identity' && l.activation !== 'scaled-tanh') throw new Error(`hostJacobian: activation ${l.activation}`);
    const slope = l.activation === 'identity' ? z.map(() => 1) : z.map((v) => A * B / Math.cosh(B * v) ** 2);
    const next = new Float64Array(l.outFeatures * n0);
    for (let o = 0; o < l.outFeatures; o++) for (let c = 0; c < n0; c++) {
      let s = 0;
      for (let i = 0; i < l.inFeatures; i++) s += W[o * l.inFeatures + i] * (J ? J[i * n0 + c] : i === c ? 1 : 0);
      next[o * n0 + c] = slope[o] * s;
    }
    J = next;
    h = l.activation === 'identity' ? z : z.map((v) => A * Math.tanh(B * v));
  }
  return { y: h, J: J!, m: layers[layers.length - 1].outFeatures, n: n0 };
}

/** log σ_max(J(x)) in f64. */
export function hostLogSigmaMax(layers: readonly HostLayer[], p: HostParams, x: ArrayLike<number>): number {
  const { J, m, n } = hostJacobian(layers, p, x);
  return Math.log(singularValues(J, m, n)[0]);
}
