// Shared by the tests: asserts that an async call fails, and how.
import * as assert from 'uvu/assert';

/** Asserts that the call (or promise) rejects with an error whose message matches `check` (or for which it holds). */
export async function rejects(p: Promise<unknown> | (() => Promise<unknown>), check: RegExp | ((e: Error) => boolean)): Promise<void> {
  try { await (typeof p === 'function' ? p() : p); } catch (e) {
    const err = e as Error;
    assert.ok(check instanceof RegExp ? check.test(err.message) : check(err), `unexpected error: ${err.message}`);
    return;
  }
  assert.unreachable(`expected a rejection (${check})`);
}
