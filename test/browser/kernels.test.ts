// Issue 2, item 7: the browser bundle runs the same kernel checks in headless Chromium (SwiftShader through
// Chrome's WebGPU) as Node runs here (Dawn on lavapipe), on the same seeded inputs, and the results agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { runKernelChecks, compareChecks, type CheckResult } from './kernel-checks.js';
import { startSession, browserBundle, chromiumAvailable, CHROMIUM } from './chromium.js';

// Same WGSL, different compilers and drivers: differences come from FMA contraction, the order an
// adapter's compiler keeps in vec4 dot products, and the accuracy of exp/log/tanh (WGSL allows several
// ulp). Measured worst case (see docs/web.md): 5e-7 of a check's largest magnitude (softmax); 1e-5 leaves
// margin without hiding a wrong index or a missing term, which shows up at O(1) of the scale.
const RTOL = 1e-5, ATOL = 0;

const HARNESS = (lib: string) => `<!doctype html><meta charset="utf-8"><title>crit kernel checks</title>
<script type="module" src="/test-browser/browser/kernels.browser.js?lib=${encodeURIComponent(lib)}"></script>`;

test('browser bundle kernels agree with Node', async () => {
  assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM} (Debian package 'chromium'; or set CRIT_CHROMIUM)`);
  const bundle = browserBundle();
  assert.ok(bundle, 'no browser bundle in the build folder (node build.mjs)');
  await crit.init();
  const node: CheckResult[] = await runKernelChecks(crit);
  const session = await startSession({ '/kernels.html': { body: HARNESS(bundle!.url) } });
  try {
    const { page, errors } = await session.page();
    // The harness reads ?lib from its own URL: pass it on the page too.
    await page.goto(`${session.url}/kernels.html?lib=${encodeURIComponent(bundle!.url)}`);
    await page.waitForFunction(() => (window as unknown as { __checks?: unknown }).__checks !== undefined, undefined, { timeout: 90_000 });
    const got = await page.evaluate(() => (window as unknown as { __checks: unknown }).__checks) as { adapter?: { kind: string; description: string }; results?: CheckResult[]; error?: string };
    assert.not.ok(got.error, `in-page error: ${got.error}`);
    assert.equal(errors, [], 'console errors in the page');
    const browser = got.results!;
    assert.equal(browser.map((r) => r.name), node.map((r) => r.name));
    // The RNG is integer-only: its uniforms are identical bit for bit.
    assert.equal(browser[0].data, node[0].data, 'uniforms differ between Node and the browser');
    const { worst, mismatches, missing } = compareChecks(node, browser, RTOL, ATOL);
    const eng = crit.engine();
    console.log(`node: ${eng.adapter.kind} (${eng.adapter.description}); browser: ${got.adapter?.kind} (${got.adapter?.description})`);
    const w = Object.entries(worst).sort((x, y) => y[1] - x[1]);
    console.log(`worst relative differences: ${w.slice(0, 6).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    assert.equal(missing, [], 'checks missing or of another shape in the browser');
    assert.equal(mismatches.slice(0, 5), [], `${mismatches.length} values differ by more than ${RTOL} of the check's scale`);
  } finally {
    await session.close();
    crit.shutdown();
  }
});

test.run();
