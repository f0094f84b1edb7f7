// In-page half of the browser kernel test: loads the browser bundle named by ?lib= (default
// /browser/crit.mjs), runs the shared kernel checks on navigator.gpu and leaves the results on window.
import { runKernelChecks, type CheckResult } from './kernel-checks.js';

declare global { interface Window { __checks?: { adapter: unknown; results: CheckResult[] } | { error: string } } }

async function main(): Promise<void> {
  const lib = new URLSearchParams(location.search).get('lib') ?? '/browser/crit.mjs';
  try {
    const crit = await import(/* a runtime URL: the bundle under test, not bundled here */ lib);
    const eng = await crit.init();
    const results = await runKernelChecks(crit);
    window.__checks = { adapter: eng.adapter, results };
  } catch (e) {
    window.__checks = { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
  }
}
main();
