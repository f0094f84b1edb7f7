// A small static file server for the demo pages and the browser tests. It listens on 127.0.0.1 only:
// WebGPU needs a secure context, and http://127.0.0.1 is one (file:// and data: URLs are not).
// It serves a build folder (dist/): /web/* the pages, /browser/crit.mjs the library, /test-browser/* the
// in-page tests; `/` goes to the pages' index. Extra in-memory routes let tests add a harness page.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep, extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.wgsl': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8',
};

export type Route = { body: string | Uint8Array; type?: string } | { load: () => Promise<string | Uint8Array>; type?: string };

export interface StaticServerOptions {
  /** The folder to serve (a build folder such as dist/). */
  root: string;
  /** 0 picks a free port. */
  port?: number;
  /** Path (starting with '/') to a body, or to a loader called on the first request; served before files. */
  routes?: Record<string, Route>;
  /** Where `/` redirects (default /web/index.html). */
  index?: string;
  /** Logs each request (method, path, status). */
  log?: (line: string) => void;
}

export interface StaticServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function serveStatic(opts: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(opts.root);
  const index = opts.index ?? '/web/index.html';
  const loaded = new Map<string, Promise<string | Uint8Array>>();
  const server = createServer(async (req, res) => {
    let status = 200;
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      res.setHeader('cache-control', 'no-store');
      if (req.method !== 'GET' && req.method !== 'HEAD') { status = 405; res.writeHead(status).end(); return; }
      if (path === '/') { status = 302; res.writeHead(status, { location: index }).end(); return; }
      const route = opts.routes?.[path];
      if (route) {
        let body: string | Uint8Array;
        if ('body' in route) body = route.body;
        else {
          if (!loaded.has(path)) loaded.set(path, route.load());
          body = await loaded.get(path)!;
        }
        res.writeHead(status, { 'content-type': route.type ?? TYPES[extname(path)] ?? 'application/octet-stream' }).end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      // Paths never leave the root (no '..' escapes); folders serve their index.html.
      let file = resolve(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) { status = 403; res.writeHead(status).end('forbidden'); return; }
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) { file = join(file, 'index.html'); st = await stat(file).catch(() => null); }
      // Browsers ask for a favicon on their own; a 404 would show up as a console error on every page.
      if (!st?.isFile() && path === '/favicon.ico') { status = 204; res.writeHead(status).end(); return; }
      if (!st?.isFile()) { status = 404; res.writeHead(status, { 'content-type': 'text/plain' }).end(`not found: ${path}`); return; }
      const body = await readFile(file);
      res.writeHead(status, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      status = 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(String(e));
    } finally {
      opts.log?.(`${req.method} ${req.url} ${status}`);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => { server.off('error', fail); ok(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, server,
    close: () => new Promise<void>((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}
