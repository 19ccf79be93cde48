/**
 * The Kubernetes API over plain HTTP(S), for list and watch: GET a JSON document, or GET a watch
 * stream (one JSON event per line, HTTP chunked) and hand each event over as it arrives. Headers
 * and TLS material come from credentials.ts. Errors carry the API's Status (code, reason,
 * message), so the reflector can tell 401, 403 and 410 apart.
 */
import type * as Http from 'node:http';
import type { ApiAccess } from './credentials.ts';

/**
 * node:http and node:https through getBuiltinModule, not `import` (transport/http.ts says why: an
 * ES import of node:http loads undici for its lazy WebSocket export, ~13 MB of RSS).
 */
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

/** An API error: the HTTP status (or Status.code) and the Status's reason and message. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
  }
}

/** A watch event as the API sends it. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
}

const USER_AGENT = 'podns';

export class ApiClient {
  readonly access: ApiAccess;
  readonly #agent: Http.Agent;
  readonly #https: boolean;

  constructor(access: ApiAccess) {
    this.access = access;
    this.#https = access.server.startsWith('https:');
    const t = access.tls;
    this.#agent = this.#https
      ? new https.Agent({
        keepAlive: true,
        ...(t.ca !== null ? { ca: t.ca } : {}),
        ...(t.cert !== null ? { cert: t.cert } : {}),
        ...(t.key !== null ? { key: t.key } : {}),
        ...(t.servername !== null ? { servername: t.servername } : {}),
        rejectUnauthorized: t.rejectUnauthorized,
      })
      : new http.Agent({ keepAlive: true });
  }

  close(): void { this.#agent.destroy(); }

  #request(path: string, query: Record<string, string>, timeoutMs: number, signal: AbortSignal | undefined): Promise<Http.IncomingMessage> {
    const url = new URL(this.access.server + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const mod = this.#https ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, {
        method: 'GET', agent: this.#agent, signal,
        headers: { ...this.access.headers, Accept: 'application/json', 'User-Agent': USER_AGENT },
      }, resolve);
      req.setTimeout(timeoutMs, () => req.destroy(new ApiError(0, 'Timeout', `no data from ${url.host} for ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** GET a JSON document; a non-2xx answer rejects with its Status. */
  async get(path: string, query: Record<string, string>, timeoutMs = 60_000, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.#request(path, query, timeoutMs, signal);
    const body = await readAll(res);
    if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) throw statusError(res.statusCode ?? 0, body);
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw new ApiError(res.statusCode, 'BadResponse', `${path}: the answer is not JSON`);
    }
  }

  /**
   * Streams a watch: `onEvent` for each event line, in order. Resolves when the server ends the
   * stream (its timeoutSeconds); rejects on a non-200 answer, a broken connection, a line that is
   * not JSON, or `idleMs` without a byte (the server sends bookmarks, so silence means trouble).
   */
  async watch(path: string, query: Record<string, string>, onEvent: (e: WatchEvent) => void, idleMs: number, signal?: AbortSignal): Promise<void> {
    const res = await this.#request(path, { ...query, watch: 'true' }, idleMs, signal);
    if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, await readAll(res));
    await new Promise<void>((resolve, reject) => {
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl).trim();
          rest = rest.slice(nl + 1);
          if (line === '') continue;
          let e: WatchEvent;
          try {
            e = JSON.parse(line) as WatchEvent;
          } catch {
            res.destroy(new ApiError(200, 'BadResponse', `${path}: a watch event is not JSON`));
            return;
          }
          try {
            onEvent(e);
          } catch (err) {
            res.destroy(err as Error);
            return;
          }
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
      res.on('close', () => { if (!res.complete) reject(new ApiError(0, 'ConnectionLost', `${path}: the watch connection closed`)); });
    });
  }
}

function readAll(res: Http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { body += c; });
    res.on('end', () => resolve(body));
    res.on('error', reject);
  });
}

/** An ApiError from a non-2xx answer, from its Status object when it has one. */
export function statusError(code: number, body: string): ApiError {
  try {
    const s = JSON.parse(body) as { kind?: unknown; code?: unknown; reason?: unknown; message?: unknown };
    if (s.kind === 'Status') {
      return new ApiError(typeof s.code === 'number' ? s.code : code, typeof s.reason === 'string' ? s.reason : '', typeof s.message === 'string' ? s.message : body);
    }
  } catch { /* not JSON */ }
  return new ApiError(code, http.STATUS_CODES[code] ?? '', body.trim() === '' ? `HTTP ${code}` : body.trim().slice(0, 200));
}
