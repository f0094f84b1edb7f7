#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/node/cli.mjs (run `npm run build` after editing src/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = fileURLToPath(new URL('../dist/node/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('crit: not built yet. Run `npm run build` (or `npm ci && npm run build`) in the crit folder first.');
  process.exit(1);
}
await import(cli);
