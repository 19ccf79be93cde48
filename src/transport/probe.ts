/**
 * A one-shot UDP exchange (miekg/dns Exchange as CoreDNS's loop plugin uses it): send one query
 * from a fresh socket, wait for the reply carrying its id, give up after a timeout or when the
 * signal aborts. The socket and timer are always released before the promise settles.
 */
import { createSocket } from 'node:dgram';

export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

/**
 * Sends `query` (wire bytes, at least the 12-byte header) to host:port over UDP and resolves with
 * the first response (QR set) whose id matches; rejects with ProbeError on timeout, abort or a
 * socket error.
 */
export function udpExchange(host: string, port: number, query: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (query.length < 12) return Promise.reject(new ProbeError('query shorter than a DNS header'));
  if (signal?.aborted === true) return Promise.reject(new ProbeError('aborted'));
  const id0 = query[0]!;
  const id1 = query[1]!;
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, reply?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.removeAllListeners('message');
      try { sock.close(); } catch { /* already closed */ }
      if (err !== null) reject(err);
      else resolve(reply!);
    };
    const onAbort = (): void => finish(new ProbeError('aborted'));
    const timer = setTimeout(() => finish(new ProbeError(`no reply from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (err) => finish(new ProbeError(err.message)));
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg[0] === id0 && msg[1] === id1 && (msg[2]! & 0x80) !== 0) finish(null, new Uint8Array(msg));
    });
    sock.send(query, port, host, (err) => { if (err) finish(new ProbeError(err.message)); });
  });
}
