/**
 * The HTTP listeners of the operational plugins (health, ready, prometheus): GET on a fixed set
 * of paths, everything else 404. The route table is read per request, so a reload can change
 * what a listener serves without closing it.
 */
import type { HttpHandler } from '../core/handler.ts';
import type { Logger } from '../core/log.ts';

/**
 * node:http through getBuiltinModule, not `import`: an ES import of node:http builds its module
 * namespace from every export, which evaluates the lazy `WebSocket` one and loads undici, ~13 MB
 * of RSS that podns never uses. (Every ES import of node:http in the process has this cost.)
 */
const http = process.getBuiltinModule('node:http');
const { createServer } = http;
/** node:http's request, for the health plugin's self-check (taken from here for the reason above). */
export const { request } = http;

export interface HttpListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What a listener serves, looked up per request: path → handler (a Map is one). */
export interface RouteTable {
  get(path: string): HttpHandler | undefined;
}

/**
 * Go's net.SplitHostPort verdict on an HTTP address, worded as CoreDNS's health, ready and
 * prometheus report a bad one (`address X: missing port in address`); null when it is fine.
 */
export function addressError(address: string): string | null {
  if (splitHostPort(address) !== null) return null;
  return address.includes(':') ? `address ${address}: invalid address or port` : `address ${address}: missing port in address`;
}

/** Splits `:8080`, `localhost:9153`, `[::1]:8181`, `127.0.0.1:0` into host ('' = all) and port. */
export function splitHostPort(address: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d{1,5})$/.exec(address);
  if (m === null) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2] ?? '', port };
}

export function listenHttp(address: string, routes: () => RouteTable, log: Logger): Promise<HttpListener> {
  const hp = splitHostPort(address);
  if (hp === null) return Promise.reject(new Error(`invalid HTTP address ${JSON.stringify(address)}`));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = routes().get(path);
    if (handler === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    Promise.resolve()
      .then(() => handler())
      .then((r) => {
        res.writeHead(r.status, { 'content-type': r.contentType ?? 'text/plain; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : r.body);
      }, (err: Error) => {
        log.error(`http ${address}${path}: ${err.message}`);
        res.writeHead(500).end();
      });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listenOn = hp.host === '' ? { port: hp.port } : { host: hp.host, port: hp.port };
    server.listen(listenOn, () => {
      server.off('error', reject);
      server.on('error', (err) => log.error(`http ${address}: ${err.message}`));
      const a = server.address();
      const bound = typeof a === 'object' && a !== null ? a : { address: hp.host, port: hp.port };
      resolve({
        host: bound.address, port: bound.port,
        close: () => new Promise<void>((res) => {
          server.closeAllConnections();
          server.close(() => res());
        }),
      });
    });
  });
}
