// What every demo page shares: starting the engine on the visitor's WebGPU device (or saying clearly why
// not and how to enable it), status lines, a state the e2e tests can wait for, and yielding to the browser
// between chunks of work so the tab never freezes.
import { init, type Engine } from '../../index.browser.js';

export type PageState = 'loading' | 'running' | 'ready' | 'error' | 'no-webgpu';

/** Test hook: window.__crit holds the page state and its latest results. */
export interface PageHook { state: PageState; error?: string; results: Record<string, unknown> }
declare global { interface Window { __crit: PageHook } }

export const hook: PageHook = (window.__crit = { state: 'loading', results: {} });

export function setState(state: PageState, error?: string): void {
  hook.state = state;
  if (error !== undefined) hook.error = error;
  document.body.dataset.state = state;
}

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page has no element #${id}`);
  return el as T;
}

/** Lets the browser paint and handle input; call between chunks of GPU work. */
export function yieldToBrowser(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

const HOW_TO = `<p>WebGPU lets this page run crit's compute shaders on your own GPU. To enable it:</p>
<ul>
<li><b>Chrome / Edge 113+</b> (Windows, macOS, ChromeOS, Android): on by default. On Linux start the browser with
<code>--enable-unsafe-webgpu</code> (or turn on <code>chrome://flags/#enable-unsafe-webgpu</code>), and check <code>chrome://gpu</code>.</li>
<li><b>Firefox</b>: on by default in Firefox 141+ on Windows; elsewhere set <code>dom.webgpu.enabled</code> in <code>about:config</code> (Nightly).</li>
<li><b>Safari 26+</b>: on by default; in older versions enable the WebGPU feature flag (Develop menu, Feature Flags).</li>
<li>The page must come from <code>https://</code> or <code>http://127.0.0.1</code>/<code>localhost</code> (a secure context): use <code>crit serve</code>, not a <code>file://</code> URL.</li>
</ul>`;

/** Shows the WebGPU problem in the page's banner; returns null when there is no device. */
export async function startEngine(banner: HTMLElement): Promise<Engine | null> {
  if (!window.isSecureContext) {
    banner.className = 'banner error';
    banner.innerHTML = `<b>This page is not a secure context</b>, so the browser hides WebGPU. Open it through <code>crit serve</code> (http://127.0.0.1) or https.${HOW_TO}`;
    setState('no-webgpu', 'not a secure context');
    return null;
  }
  if (!('gpu' in navigator) || !navigator.gpu) {
    banner.className = 'banner error';
    banner.innerHTML = `<b>WebGPU is not available in this browser</b> (<code>navigator.gpu</code> is missing).${HOW_TO}`;
    setState('no-webgpu', 'navigator.gpu is missing');
    return null;
  }
  try {
    const eng = await init();
    const a = eng.adapter;
    const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ');
    banner.className = 'banner ok';
    banner.textContent = `WebGPU device: ${name || a.kind} (${a.kind}${a.kind === 'swiftshader' ? ', a CPU emulation: expect it to be slow' : ''})` +
      `${eng.hasTimestamps ? '' : ' - no timestamp-query feature, so kernel times are unavailable'}`;
    eng.device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      banner.className = 'banner error';
      banner.textContent = `The WebGPU device was lost (${info.message}). Reload the page.`;
      setState('error', `device lost: ${info.message}`);
    });
    return eng;
  } catch (e) {
    banner.className = 'banner error';
    banner.innerHTML = `<b>WebGPU is present but no adapter could be created</b>: ${escapeHtml((e as Error).message)}${HOW_TO}`;
    setState('no-webgpu', (e as Error).message);
    return null;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Reports an error in the banner and the test hook (and the console, so tests see it). */
export function fail(banner: HTMLElement, e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  banner.className = 'banner error';
  banner.textContent = `Error: ${msg}`;
  setState('error', msg);
  console.error(e);
}

/** Number formatting for read-outs. */
export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(digits - 1) : v.toFixed(Math.max(0, digits - Math.max(0, Math.floor(Math.log10(a || 1)) + 1)));
}
