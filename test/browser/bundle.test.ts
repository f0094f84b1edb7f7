// The browser bundle is a self-contained ES module with nothing Node-only in it, at the path package.json
// names, and it explains itself when a page has no WebGPU.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distRoot, browserBundle } from './chromium.js';

test('package.json "browser" names the built bundle', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { browser: string; exports: Record<string, unknown> };
  const rel = pkg.browser.replace(/^\.?\/?dist\//, '');
  assert.ok(existsSync(join(distRoot, rel)), `package.json "browser" is ${pkg.browser}, but ${join(distRoot, rel)} was not built (build.mjs writes ${browserBundle()?.url ?? 'nothing'})`);
});

test('no Node-only code in the browser bundle', () => {
  const b = browserBundle();
  assert.ok(b, 'no browser bundle (node build.mjs)');
  const src = readFileSync(b!.path, 'utf8');
  const bad: [RegExp, string][] = [
    [/["']node:[a-z_/]+["']/, "a 'node:' module specifier"],
    [/\brequire\s*\(/, 'a require() call'],
    [/^\s*import\s[^;]*?from\s*["'][^"']+["']/m, 'a static import (the bundle must be self-contained)'],
    [/["']webgpu["']/, "the Node 'webgpu' (Dawn) package"],
    [/\bprocess\.(env|argv|exit|cwd)\b/, 'process.*'],
    [/\b__dirname\b|\b__filename\b/, '__dirname/__filename'],
    [/["'](fs|path|os|child_process|worker_threads|module)["']/, 'a Node built-in module'],
  ];
  for (const [re, what] of bad) {
    const m = re.exec(src);
    assert.not.ok(m, `the browser bundle contains ${what}: ...${m ? src.slice(Math.max(0, m.index - 60), m.index + 60) : ''}...`);
  }
});

test('the bundle imports as ESM and says what to do without WebGPU', async () => {
  const b = browserBundle()!;
  const lib = await import(pathToFileURL(b.path).href) as Record<string, unknown> & { init(): Promise<unknown> };
  for (const name of ['init', 'shutdown', 'Tensor', 'Engine', 'matmul', 'uniform', 'jvp', 'vjp', 'valueAndGrad', 'scaledTanh', 'summarize', 'toTraceEvents']) {
    assert.ok(name in lib, `the browser bundle does not export ${name}`);
  }
  // Node has no navigator.gpu: the browser provider must refuse with its advice, not crash.
  let msg = '';
  try { await lib.init(); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /navigator\.gpu/);
  assert.match(msg, /enable-unsafe-webgpu/);
});

test.run();
