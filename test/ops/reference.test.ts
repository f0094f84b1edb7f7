// Every op of the table (and a few composites of the public API) against its f64 CPU reference, on the
// cases of test/ops/cases.ts: odd sizes, broadcasting, every axis, rank up to 4, both matmul variants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { subjects, tolOf, type Subject } from './cases.js';
import { Rng, upload, host, download, compare, absInputs, ErrorTable, seedOf } from './harness.js';

const table = new ErrorTable();
let list: Subject[] = [];
let coverage = '';
try { list = subjects(); } catch (e) { coverage = (e as Error).message; }

test.before(async () => { await crit.init(); });

test('every op of the table has forward and derivative cases', () => {
  assert.is(coverage, '', coverage);
  for (const s of list) assert.ok(s.spec.forward(new Rng(1)).length > 0, `${s.name}: no forward cases`);
  // Each primitive carries its whole definition: forward, f64 reference, VJP and JVP rules.
  for (const [name, rule] of crit.opTable) {
    assert.ok(rule.reference, `${name}: no f64 reference`);
    assert.ok(rule.vjp && rule.jvp, `${name}: needs both a VJP and a JVP rule`);
  }
});

for (const s of list) {
  test(`${s.name}: GPU forward matches the f64 reference`, async () => {
    const cases = s.spec.forward(new Rng(seedOf(s.name)));
    for (const c of cases) {
      await crit.scopeAsync(async () => {
        const tol = tolOf(s.spec, c);
        const hs = c.inputs.map(host);
        const want = s.ref(hs, c.attrs);
        const got = s.gpu(c.inputs.map(upload), c.attrs);
        assert.equal([...got.shape], [...want.shape], `${s.name} ${c.label}: shape`);
        const data = await download(got);
        const scale = tol.scale === 'abs' ? s.ref(absInputs(hs), c.attrs).data : want.data;
        const e = compare(data, want.data, scale, tol.rtol, tol.atol);
        table.add(s.name, e);
        if (e.bad > 0) {
          assert.unreachable(`${s.name} ${c.label}: ${e.bad} of ${e.n} elements outside the tolerance (${tol.why}); worst #${e.worst}: got ${data[e.worst]}, want ${want.data[e.worst]}`);
        }
      });
    }
  });
}

test.after(() => table.print('forward vs f64 reference: max |err| and max err / allowed (allowed = atol + rtol * scale)'));
test.run();
