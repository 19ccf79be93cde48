/**
 * Listeners: the only code that opens server sockets. UDP delivers one query per datagram; TCP
 * carries 2-byte length-prefixed messages (RFC 1035 §4.2.2), several per connection, answered as
 * they complete (pipelining and out-of-order replies, RFC 7766 §6.2.1). The query handler may
 * answer synchronously (cache hits) or with a promise.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import type { Logger } from '../core/log.ts';
import type { Address, Transport } from '../core/request.ts';
import { joinHostPort } from './client.ts';

/**
 * A stored reply sent with the query's ID: the answer cache's hits. The listener sends the query's
 * first two bytes, then `tail` (the reply after its ID) — a gather write on UDP, so a hit is
 * answered without allocating or copying the reply (with the two changes below, +7% replies per
 * CPU-second over a copy with the ID patched: bench/README.md, Results). `tail` is never written
 * to: it may be in flight several times at once.
 */
export class SharedReply {
  readonly tail: Uint8Array;
  /** `tail`: the reply's bytes after its ID. */
  constructor(tail: Uint8Array) { this.tail = tail; }
  /** The whole reply to `query`, as a copy of its own. */
  to(query: Uint8Array): Uint8Array {
    const out = Buffer.allocUnsafe(this.tail.length + 2);
    out[0] = query[0]!;
    out[1] = query[1]!;
    out.set(this.tail, 2);
    return out;
  }
}

/** A reply: one message, several (a zone transfer over TCP), a stored one, or null to stay silent. */
export type Reply = Uint8Array | SharedReply | readonly Uint8Array[] | null;
export type QueryHandler = (query: Uint8Array, client: Address, transport: Transport) => Reply | Promise<Reply>;

export interface Listener {
  readonly transport: Transport;
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The `server` label of a listener in metrics and logs, as CoreDNS builds it: `dns://` and
 * JoinHostPort(the bound address, or "" when the block has no `bind`, port).
 */
export function serverLabel(bound: boolean, host: string, port: number): string {
  return bound ? `dns://${joinHostPort(host, port)}` : `dns://:${port}`;
}

export interface ListenOptions {
  /**
   * SO_REUSEPORT: every process that binds the address and port this way gets its own socket, and
   * the kernel spreads clients over them (`podns serve --workers N`; Linux).
   */
  readonly reusePort?: boolean;
}

/**
 * The UDP receive buffer asked for (SO_RCVBUF; Linux caps it at net.core.rmem_max). The default
 * (rmem_default, 208 KiB here) holds ~280 small queries: a burst of 500 (dnsperf -q 500) arriving
 * during a garbage-collection pause lost ~300 of them (bench/). knot asks for more too.
 */
export const UDP_RECV_BUFFER = 4 * 1024 * 1024;

/** Idle time after which a TCP connection with no query in progress is closed (CoreDNS: 10 s). */
export const TCP_IDLE_MS = 10_000;
/** Queries one TCP connection may have in progress at once before reading pauses. */
export const TCP_MAX_INFLIGHT = 64;

function family(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** dgram's `lookup` for addresses that are IP literals: calls back at once with the address. */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, typeof family === 'number' ? family : address.includes(':') ? 6 : 4);
}

export function listenUdp(host: string, port: number, onQuery: QueryHandler, log: Logger, options: ListenOptions = {}): Promise<Listener> {
  const reuse = options.reusePort === true ? { reusePort: true } : {};
  // Replies go to the address a query came from, already an IP (and `bind` takes IPs only): the
  // lookup dgram does before every send (dns.lookup, then a tick) is skipped by answering it at
  // once (a bare echo loop: +5% replies per CPU-second).
  const sock: UdpSocket = createSocket({ type: family(host) === 6 ? 'udp6' : 'udp4', reuseAddr: false, lookup: literalLookup, ...reuse });
  let closed = false;
  const send = (bytes: Reply, query: Buffer, rport: number, raddr: string): void => {
    if (bytes === null) return;
    // UDP carries one message: of a multi-message reply only the first is sent.
    const one = bytes instanceof Uint8Array ? bytes : bytes instanceof SharedReply ? [query.subarray(0, 2), bytes.tail] : bytes[0];
    if (one === undefined || closed) return;
    // A reply finishing after close() (a slow upstream during a reload or shutdown) is dropped.
    try {
      sock.send(one, rport, raddr);
    } catch (err) {
      log.error(`udp: ${(err as Error).message}`);
    }
  };
  sock.on('message', (msg, rinfo) => {
    const client: Address = { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4 };
    let r: ReturnType<QueryHandler>;
    try {
      r = onQuery(msg, client, 'udp');
    } catch (err) {
      log.error(`udp: ${(err as Error).message}`);
      return;
    }
    if (!(r instanceof Promise)) send(r, msg, rinfo.port, rinfo.address);
    else r.then((b) => send(b, msg, rinfo.port, rinfo.address), (err: Error) => log.error(`udp: ${err.message}`));
  });
  sock.on('error', (err) => log.error(`udp ${host}:${port}: ${err.message}`));
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: host, port }, () => {
      sock.off('error', reject);
      try {
        sock.setRecvBufferSize(UDP_RECV_BUFFER);
      } catch (err) {
        log.warn(`udp ${host}:${port}: cannot set the receive buffer: ${(err as Error).message}`);
      }
      const a = sock.address();
      resolve({
        transport: 'udp', address: a.address, port: a.port,
        close: () => new Promise<void>((res) => { closed = true; sock.close(() => res()); }),
      });
    });
  });
}

export function listenTcp(host: string, port: number, onQuery: QueryHandler, log: Logger, options: ListenOptions = {}): Promise<Listener> {
  const conns = new Set<Socket>();
  const server: TcpServer = createServer({ noDelay: true }, (conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    serveConnection(conn, onQuery, log);
  });
  server.on('error', (err) => log.error(`tcp ${host}:${port}: ${err.message}`));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ...(options.reusePort === true ? { reusePort: true } : {}) }, () => {
      server.off('error', reject);
      const a = server.address();
      const bound = typeof a === 'object' && a !== null ? a : { address: host, port };
      resolve({
        transport: 'tcp', address: bound.address, port: bound.port,
        close: () => new Promise<void>((res) => {
          for (const c of conns) c.destroy();
          server.close(() => res());
        }),
      });
    });
  });
}

/** Reads length-prefixed queries off one connection and writes each reply as it is ready. */
function serveConnection(conn: Socket, onQuery: QueryHandler, log: Logger): void {
  const client: Address = { address: conn.remoteAddress ?? '', port: conn.remotePort ?? 0, family: conn.remoteFamily === 'IPv6' ? 6 : 4 };
  let pending: Buffer = Buffer.alloc(0);
  let inflight = 0;
  conn.setTimeout(TCP_IDLE_MS, () => { if (inflight === 0) conn.destroy(); });
  conn.on('error', () => conn.destroy());
  const writeOne = (bytes: Uint8Array): void => {
    const frame = Buffer.allocUnsafe(bytes.length + 2);
    frame.writeUInt16BE(bytes.length, 0);
    frame.set(bytes, 2);
    conn.write(frame);
  };
  const write = (bytes: Reply, query: Uint8Array): void => {
    if (bytes === null || conn.destroyed) return;
    if (bytes instanceof Uint8Array) writeOne(bytes);
    else if (bytes instanceof SharedReply) writeOne(bytes.to(query));
    else for (const b of bytes) writeOne(b);
  };
  const done = (bytes: Reply, query: Uint8Array): void => {
    inflight--;
    write(bytes, query);
    if (inflight < TCP_MAX_INFLIGHT && conn.isPaused()) conn.resume();
  };
  conn.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < len + 2) break;
      const query = pending.subarray(2, len + 2);
      pending = pending.subarray(len + 2);
      let r: ReturnType<QueryHandler>;
      try {
        r = onQuery(query, client, 'tcp');
      } catch (err) {
        log.error(`tcp: ${(err as Error).message}`);
        conn.destroy();
        return;
      }
      if (r === null) {
        // A query we must not answer (e.g. a response) on a stream: RFC 7766 lets us close.
        conn.destroy();
        return;
      }
      if (!(r instanceof Promise)) { write(r, query); continue; }
      inflight++;
      if (inflight >= TCP_MAX_INFLIGHT) conn.pause();
      r.then((b) => done(b, query), (err: Error) => { inflight--; log.error(`tcp: ${err.message}`); conn.destroy(); });
    }
  });
}
