import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { serveStatic } from '/work/main/src/web/server.js';
import { embeddedDigitsBinary, DIGITS_PATH } from '/work/main/src/web/digits.js';
const [path, out, tmo, waitFor] = process.argv.slice(2);
const srv = await serveStatic({ root: '/work/main/dist-web', routes: { [DIGITS_PATH]: { load: embeddedDigitsBinary } } });
const ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/pw/ud-'), { executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 }, args: ['--enable-unsafe-webgpu', '--enable-webgpu-developer-features', '--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run','--disable-quic'] });
const page = await ctx.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
page.on('pageerror', e => console.log('pageerror', e.message));
const t0 = Date.now();
await page.goto(srv.url + path);
try { await page.waitForFunction((w) => ['ready','error','no-webgpu'].includes(document.body.dataset.state!) && (!w || eval(w)), waitFor, { timeout: Number(tmo || 60000) }); } catch (e) { console.log('timeout'); }
console.log('state', (await page.evaluate(() => JSON.stringify((window as any).__crit))).slice(0, 1500), Date.now() - t0, 'ms');
await page.screenshot({ path: out, fullPage: true });
await ctx.close(); await srv.close();
