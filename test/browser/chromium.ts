// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (never a
// downloaded browser), WebGPU enabled, a fresh profile, pages served from http://127.0.0.1 (a secure
// context) by the same static server as `crit serve`. Console errors and page errors are collected.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic, type StaticServer, type StaticServerOptions } from '../../src/web/server.js';

export const CHROMIUM = process.env.CRIT_CHROMIUM ?? '/usr/bin/chromium';

/** The build folder this test was bundled into (<dist>/test/browser/x.test.mjs). */
export const distRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where screenshots go (ignored by git, kept by CI as artifacts). */
export const artifactsDir = resolve(process.env.CRIT_ARTIFACTS ?? 'test-artifacts');

/** The browser bundle: package.json names dist/browser/crit.mjs. */
export function browserBundle(): { path: string; url: string } | null {
  const p = join(distRoot, 'browser', 'crit.mjs');
  return existsSync(p) ? { path: p, url: '/browser/crit.mjs' } : null;
}

export interface Session {
  browser: BrowserContext;
  server: StaticServer;
  url: string;
  /** A new page whose console errors, page errors and failed requests land in `errors`. */
  page(): Promise<{ page: Page; errors: string[]; logs: string[] }>;
  close(): Promise<void>;
}

export function chromiumAvailable(): boolean { return existsSync(CHROMIUM); }

export async function startSession(routes: StaticServerOptions['routes'] = {}): Promise<Session> {
  const server = await serveStatic({ root: distRoot, routes });
  const userDir = mkdtempSync(join(tmpdir(), 'crit-chromium-'));
  let browser: BrowserContext;
  try {
    browser = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--enable-unsafe-webgpu',
        // Full-resolution GPU timestamps (Chrome rounds them to 100 us otherwise).
        '--enable-webgpu-developer-features',
        '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run', '--disable-quic', '--disable-extensions', '--disable-default-apps',
      ],
    });
  } catch (e) {
    await server.close();
    rmSync(userDir, { recursive: true, force: true });
    throw e;
  }
  return {
    browser, server, url: server.url,
    async page() {
      const page = await browser.newPage();
      const errors: string[] = [], logs: string[] = [];
      page.on('console', (m) => {
        const line = `${m.type()}: ${m.text()}`;
        logs.push(line);
        if (m.type() === 'error') errors.push(line);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
      return { page, errors, logs };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

export type { Browser };
