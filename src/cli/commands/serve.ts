import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from '../command.js';
import { UsageError } from '../command.js';
import { serveStatic } from '../../web/server.js';
import { embeddedDigitsBinary, DIGITS_PATH } from '../../web/digits.js';

const usage = `usage: crit serve [--port P] [--root DIR] [--log]

Serves the demo pages on http://127.0.0.1:P (default 8080; 0 picks a free port), running on the visitor's
WebGPU device: / lists them; /web/explorer.html (phase transition explorer), /web/monitor.html
(criticality training monitor), /web/profiler.html (kernel profiler); /browser/crit.mjs is the library
for your own pages. --root serves another build folder (default: the one this crit was built into).
Only 127.0.0.1 is bound: WebGPU needs a secure context, which http://127.0.0.1 is.`;

/** The build folder holding web/ and browser/: the bundle lives in <dist>/node/ (or <dist>/node/chunks/). */
export function buildRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) if (existsSync(join(dir, 'web', 'index.html'))) return dir;
  throw new UsageError(`cannot find the built pages (web/index.html) above ${dirname(fileURLToPath(import.meta.url))}: run \`node build.mjs\` first, or pass --root DIR`);
}

export const serve: CliCommand = {
  name: 'serve',
  summary: 'serve the demo pages (explorer, training monitor, kernel profiler) on 127.0.0.1',
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, root: { type: 'string' }, log: { type: 'boolean' } } });
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer in 0..65535, got '${values.port}'`);
    const root = values.root ? resolve(values.root) : buildRoot();
    if (!existsSync(join(root, 'web', 'index.html'))) throw new UsageError(`--root ${root} has no web/index.html (a build folder made by \`node build.mjs\`)`);
    const routes = { [DIGITS_PATH]: { load: embeddedDigitsBinary, type: 'application/octet-stream' } };
    const srv = await serveStatic({ root, port, routes, log: values.log ? (l) => console.error(l) : undefined }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} on 127.0.0.1 is in use: pass --port P (or --port 0 for any free one)`);
      throw e;
    });
    console.log(`crit pages at ${srv.url}/  (explorer: ${srv.url}/web/explorer.html, monitor: ${srv.url}/web/monitor.html, profiler: ${srv.url}/web/profiler.html)`);
    console.log('Ctrl-C stops the server.');
    await new Promise<void>((done) => {
      const stop = () => { srv.close().then(done); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
