// Gradients of tangents (reverse over forward): for G(x) = <w, J(x) v>, the VJP of the JVP must equal the
// finite-difference gradient of G, where J(x) v itself is a finite difference of the f64 reference. This is
// what the criticality loss needs (its gradient flows through Jacobian-vector products). Checked for every
// op of the table on its first derivative case, and on all cases of scaled_tanh, matmul and mul.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import type { Tensor } from '../../src/index.node.js';
import { subjects, gradCases, GRAD_TOL, type Subject } from '../ops/cases.js';
import { Rng, f32, upload, host, download, compare, fdDirectional, fdGradientOf, dot, maxAbs, ErrorTable, seedOf } from '../ops/harness.js';

const table = new ErrorTable();
const FULL = new Set(['scaled_tanh', 'matmul', 'mul']);
/**
 * Nested central differences in f64 (inner step 1e-4 along v, outer 1e-4 per element): truncation ~1e-8
 * and cancellation ~1e-16 |f| / (1e-4 * 1e-4) = 1e-8 |f|, so 1e-7 absolute is their noise floor.
 */
const FD2_NOISE = 1e-7;
const fd2Step = (x: number) => 1e-4 * Math.max(1, Math.abs(x));

let list: Subject[] = [];
let coverage = '';
try { list = subjects(); } catch (e) { coverage = (e as Error).message; }

test.before(async () => { await crit.init(); });

test('every op of the table has cases; the named ops are among them', () => {
  assert.is(coverage, '', coverage);
  for (const name of FULL) assert.ok(list.some((s) => s.name === name), `${name} missing`);
});

for (const s of list) {
  if (typeof s.spec.grad === 'string') continue;
  test(`${s.name}: VJP of the JVP matches finite differences of finite differences`, async () => {
    const r = new Rng(seedOf(s.name) ^ 0x2d);
    const cases = gradCases(s.spec, r);
    for (const c of FULL.has(s.name) ? cases : cases.slice(0, 1)) {
      await crit.scopeAsync(async () => {
        const diff = s.diff(c);
        const hs = c.inputs.map(host);
        const ref = (xs: typeof hs) => s.ref(xs, c.attrs);
        const w = f32(r, ref(hs).shape, -1, 1);
        const v = diff.map((i) => f32(r, c.inputs[i].shape, -1, 1));
        const ts = c.inputs.map(upload);
        const f = (...xs: Tensor[]) => s.gpu(ts.map((t, i) => (diff.includes(i) ? xs[diff.indexOf(i)] : t)), c.attrs);
        const vt = v.map(upload);
        const { backward } = crit.vjp((...xs: Tensor[]) => crit.jvp(f, xs, vt).tangent, diff.map((i) => ts[i]));
        const grads = await Promise.all(backward(upload(w)).map(download));

        const G = (xs: typeof hs) => dot(w.data, fdDirectional(ref, xs, v.map((x) => x.data), diff, 1e-4));
        const fd = fdGradientOf(G, hs, diff, fd2Step);
        diff.forEach((i, k) => {
          const scale = maxAbs(fd[k]);
          const e = compare(grads[k], fd[k], new Float64Array(fd[k].length).fill(scale), GRAD_TOL, FD2_NOISE);
          table.add(s.name, { maxAbs: e.maxAbs, maxRel: scale > FD2_NOISE ? e.maxAbs / scale : 0 });
          if (e.bad) assert.unreachable(`${s.name} ${c.label}: d<w, Jv>/dx of input ${i} off at ${e.bad} of ${e.n} entries (max ${scale.toExponential(2)}); worst #${e.worst}: got ${grads[k][e.worst]}, finite differences ${fd[k][e.worst]}`);
        });
      });
    }
  });
}

test.after(() => table.print('vjp over jvp vs nested finite differences: max |err| and max |err| / max |derivative|', 'relative'));
test.run();
