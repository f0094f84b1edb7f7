// Every op of the table (and the composites of test/ops/cases.ts) three ways:
//  1. VJP (reverse mode) against central finite differences of the f64 CPU reference;
//  2. JVP (forward mode) against a directional finite difference of the reference;
//  3. the dot-product test <u, J v> = <J^T u, v>, which ties each JVP rule to its VJP rule.
// Finite differences run in f64 on the references, never on f32 GPU values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import type { Tensor } from '../../src/index.node.js';
import { subjects, gradCases, GRAD_TOL, type Subject } from '../ops/cases.js';
import { Rng, f32, upload, host, download, compare, fdGradient, fdDirectional, dot, maxAbs, ErrorTable, seedOf, type Case } from '../ops/harness.js';

const vjpTable = new ErrorTable(), jvpTable = new ErrorTable(), dotTable = new ErrorTable();
let list: Subject[] = [];
let coverage = '';
try { list = subjects(); } catch (e) { coverage = (e as Error).message; }

/** Finite differences of f64 references carry ~1e-10 of noise where the true derivative is 0. */
const FD_NOISE = 1e-9;

test.before(async () => { await crit.init(); });

test('every op of the table has derivative cases (or says why it has none)', () => {
  assert.is(coverage, '', coverage);
  for (const s of list) {
    if (typeof s.spec.grad === 'string') { assert.ok(s.spec.grad.length > 0); continue; }
    const cases = s.spec.grad(new Rng(1));
    assert.ok(cases.length > 0, `${s.name}: no derivative cases`);
    for (const c of cases) assert.ok(s.diff(c).length > 0, `${s.name} ${c.label}: no differentiable input`);
  }
});

/** The op as a function of its differentiable inputs only (integer labels/indices stay fixed). */
function asFunction(s: Subject, c: Case, ts: Tensor[], diff: number[]) {
  return (...xs: Tensor[]) => s.gpu(ts.map((t, i) => (diff.includes(i) ? xs[diff.indexOf(i)] : t)), c.attrs);
}

for (const s of list) {
  if (typeof s.spec.grad === 'string') continue;
  const tol = s.spec.gradTol ?? GRAD_TOL;
  test(`${s.name}: VJP and JVP match finite differences; <u, Jv> = <J^T u, v>; the tape's replay is the JVP`, async () => {
    const r = new Rng(seedOf(s.name) ^ 0x5eed);
    for (const c of gradCases(s.spec, r)) {
      await crit.scopeAsync(async () => {
        const diff = s.diff(c);
        const hs = c.inputs.map(host);
        const ref = (xs: typeof hs) => s.ref(xs, c.attrs);
        const y = ref(hs);
        const u = f32(r, y.shape, -1, 1);
        const v = diff.map((i) => f32(r, c.inputs[i].shape, -1, 1));
        const ts = c.inputs.map(upload);
        const f = asFunction(s, c, ts, diff);
        const primals = diff.map((i) => ts[i]);

        // 1. reverse mode
        const { backward, forward } = crit.vjp(f, primals);
        const grads = await Promise.all(backward(upload(u)).map(download));
        const fd = fdGradient(ref, hs, u.data, diff);
        diff.forEach((i, k) => {
          const scale = maxAbs(fd[k]);
          const e = compare(grads[k], fd[k], new Float64Array(fd[k].length).fill(scale), tol, FD_NOISE);
          vjpTable.add(s.name, { maxAbs: e.maxAbs, maxRel: scale > 0 ? e.maxAbs / scale : 0 });
          if (e.bad) assert.unreachable(`${s.name} ${c.label}: VJP of input ${i} off at ${e.bad} of ${e.n} entries (tolerance ${tol} x max ${scale.toExponential(2)}); worst #${e.worst}: got ${grads[k][e.worst]}, finite differences ${fd[k][e.worst]}`);
        });

        // 2. forward mode
        const { tangent } = crit.jvp(f, primals, v.map(upload));
        const jv = await download(tangent);
        const fdv = fdDirectional(ref, hs, v.map((x) => x.data), diff);
        const jscale = maxAbs(fdv);
        const ej = compare(jv, fdv, new Float64Array(fdv.length).fill(jscale), tol, FD_NOISE);
        jvpTable.add(s.name, { maxAbs: ej.maxAbs, maxRel: jscale > 0 ? ej.maxAbs / jscale : 0 });
        if (ej.bad) assert.unreachable(`${s.name} ${c.label}: JVP off at ${ej.bad} of ${ej.n} entries; worst #${ej.worst}: got ${jv[ej.worst]}, finite differences ${fdv[ej.worst]}`);
        // The tape's replay (vjp's forward: the JVP rules on the recorded values, no primal) is jvp's result bit for bit.
        const replay = await download(forward(v.map(upload)));
        for (let i = 0; i < jv.length; i++) if (!Object.is(replay[i], jv[i])) assert.unreachable(`${s.name} ${c.label}: replayed tangent #${i} ${replay[i]} vs jvp ${jv[i]}`);

        // 3. dot-product test: both sides in f64 from the f32 results; each side's entries are within
        // tol of their largest entry, so the sums differ by at most tol * (|u|_1 |Jv|_inf + sum |v|_1 |J^T u|_inf).
        const lhs = dot(u.data, jv);
        const rhs = diff.reduce((acc, _i, k) => acc + dot(grads[k], v[k].data), 0);
        const bound = tol * (maxAbs(jv) * u.data.reduce((a, b) => a + Math.abs(b), 0) + diff.reduce((acc, _i, k) => acc + maxAbs(grads[k]) * v[k].data.reduce((a, b) => a + Math.abs(b), 0), 0)) + FD_NOISE;
        dotTable.add(s.name, { maxAbs: Math.abs(lhs - rhs), maxRel: Math.abs(lhs - rhs) / bound });
        assert.ok(Math.abs(lhs - rhs) <= bound, `${s.name} ${c.label}: <u, Jv> = ${lhs} but <J^T u, v> = ${rhs} (bound ${bound.toExponential(2)})`);
      });
    }
  });
}

test.after(() => {
  vjpTable.print('VJP vs finite differences: max |err| and max |err| / max |derivative|', 'relative');
  jvpTable.print('JVP vs finite differences: max |err| and max |err| / max |derivative|', 'relative');
  dotTable.print('dot-product test: |<u, Jv> - <J^T u, v>| and its ratio to the bound', 'err/bound');
});
test.run();
