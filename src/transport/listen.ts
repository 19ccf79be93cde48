/**
 * Listeners: the only code that opens server sockets. UDP delivers one query per datagram; TCP
 * carries 2-byte length-prefixed messages (RFC 1035 §4.2.2), several per connection, answered as
 * they complete (pipelining and out-of-order replies, RFC 7766 §6.2.1). The query handler may
 * answer synchronously (cache hits) or with a promise.
 *
 * Sockets are bound with SO_REUSEPORT on Linux, as CoreDNS binds its own: a second process (the
 * next version in a rolling restart, a DaemonSet's surge pod on the host network, `--workers`)
 * can bind the same address and port while this one still serves. Closing hands the port over
 * without losing a query: UDP stops receiving new datagrams, answers the ones already queued and
 * in progress, then closes (closeUdp); TCP stops accepting, finishes the queries in progress on
 * each connection, then ends it.
 *
 * Bounds (RFC 7766 §6.2.3, CoreDNS's timeouts): a connection must deliver its first query within
 * TCP_FIRST_READ_MS and each further one within TCP_IDLE_MS of the last, whole (a trickled query
 * does not keep it open); at most TCP_MAX_INFLIGHT queries in progress and TCP_MAX_UNSENT bytes
 * of replies unread by the client before reading pauses; at most TCP_MAX_CONNECTIONS connections.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import type { Logger } from '../core/log.ts';
import type { Address } from '../core/request.ts';
import { joinHostPort } from './client.ts';
import { CLOSE_DRAIN_MAX_MS, SharedReply, UDP_RECV_BUFFER, selfPeer, udpMessage, whenQuiet } from './reply.ts';
import type { Listener, QueryHandler, Reply } from './reply.ts';
import { batchUdp, listenUdpBatched } from './udp-batch.ts';

export { CLOSE_DRAIN_MAX_MS, SharedReply, UDP_DRAIN_QUIET_MS, UDP_RECV_BUFFER } from './reply.ts';
export type { Listener, QueryHandler, Reply } from './reply.ts';

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
   * the kernel spreads clients over them. Default: on, on Linux (where Node supports it).
   */
  readonly reusePort?: boolean;
  /**
   * UDP's I/O: 'batch' reads and sends many datagrams per system call and per JavaScript call
   * (udp-batch.ts; Linux, with the addon built); 'dgram' is node:dgram, one of each per datagram.
   * Default: 'batch' where it is available (batchUdp.available), else 'dgram'.
   */
  readonly udp?: 'batch' | 'dgram';
}

const REUSE_PORT_DEFAULT = process.platform === 'linux';


/** Time a new TCP connection has to deliver its first whole query. */
export const TCP_FIRST_READ_MS = 3_000;
/**
 * Time after a query within which the next must have arrived whole, while none is in progress
 * (CoreDNS's idle timeout: 10 s); also how long replies may wait unread by the client.
 */
export const TCP_IDLE_MS = 10_000;
/** Queries one TCP connection may have in progress at once before reading pauses. */
export const TCP_MAX_INFLIGHT = 64;
/** Reply bytes written to a connection but not yet taken by the client before reading pauses. */
export const TCP_MAX_UNSENT = 64 * 1024;
/** Open TCP connections per listener; further ones are closed as they come (Node's maxConnections). */
export const TCP_MAX_CONNECTIONS = 1_000;

function family(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** dgram's `lookup` for addresses that are IP literals: calls back at once with the address. */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, typeof family === 'number' ? family : address.includes(':') ? 6 : 4);
}

export function listenUdp(host: string, port: number, onQuery: QueryHandler, log: Logger, options: ListenOptions = {}): Promise<Listener> {
  const reusePort = options.reusePort ?? REUSE_PORT_DEFAULT;
  if ((options.udp ?? 'batch') === 'batch' && batchUdp.available) return listenUdpBatched(host, port, onQuery, log, reusePort);
  return listenDgram(host, port, onQuery, log, reusePort);
}

/** The UDP listener on node:dgram: one 'message' event and one send per query. */
function listenDgram(host: string, port: number, onQuery: QueryHandler, log: Logger, reusePort: boolean): Promise<Listener> {
  const reuse = reusePort ? { reusePort: true } : {};
  // Replies go to the address a query came from, already an IP (and `bind` takes IPs only): the
  // lookup dgram does before every send (dns.lookup, then a tick) is skipped by answering it at
  // once (a bare echo loop: +5% replies per CPU-second).
  const sock: UdpSocket = createSocket({ type: family(host) === 6 ? 'udp6' : 'udp4', reuseAddr: false, lookup: literalLookup, ...reuse });
  const drain = new UdpDrain(sock, log);
  const send = (bytes: Reply, query: Buffer, rport: number, raddr: string): void => {
    if (bytes === null) return;
    const one = udpMessage(bytes);
    if (one !== undefined) drain.send(one instanceof SharedReply ? [query.subarray(0, 2), one.tail] : one, rport, raddr);
  };
  sock.on('message', (msg, rinfo) => {
    drain.received();
    const client: Address = { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4 };
    let r: ReturnType<QueryHandler>;
    try {
      r = onQuery(msg, client, 'udp');
    } catch (err) {
      log.error(`udp: ${(err as Error).message}`);
      return;
    }
    if (!(r instanceof Promise)) send(r, msg, rinfo.port, rinfo.address);
    else {
      drain.inflight++;
      r.then((b) => { drain.inflight--; send(b, msg, rinfo.port, rinfo.address); }, (err: Error) => { drain.inflight--; log.error(`udp: ${err.message}`); });
    }
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
      resolve({ transport: 'udp', address: a.address, port: a.port, close: () => drain.close() });
    });
  });
}

type Datagram = Uint8Array | readonly Uint8Array[];

/**
 * A UDP socket's sending and its closing without loss. Closing a socket drops the datagrams
 * still queued in it; with SO_REUSEPORT more keep coming until the moment it closes. So close():
 *   1. connects the socket to itself (its own address and port): Linux then delivers to it only
 *      datagrams from that peer, i.e. none, and the kernel sends every new query to the other
 *      sockets on the port (if there are none, new queries are refused, as after a close);
 *   2. reads and answers what is still queued and waits for queries in progress — a connected
 *      socket cannot send elsewhere (libuv refuses), so those replies are held;
 *   3. once quiet, disconnects, sends the held replies and connects again, all synchronously;
 *      datagrams that slipped in during those microseconds are read in the next round;
 *   4. closes when a quiet round held no reply (or after CLOSE_DRAIN_MAX_MS).
 */
class UdpDrain {
  readonly #sock: UdpSocket;
  readonly #log: Logger;
  /** Replies in progress (the handler returned a promise). */
  inflight = 0;
  lastReceived = 0;
  /** Replies held while the socket is connected to itself; null while not closing. */
  #held: Array<[Datagram, number, string]> | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(sock: UdpSocket, log: Logger) {
    this.#sock = sock;
    this.#log = log;
  }

  received(): void {
    if (this.#held !== null) this.lastReceived = performance.now();
  }

  send(bytes: Datagram, port: number, address: string): void {
    if (this.#closed) return; // after CLOSE_DRAIN_MAX_MS: dropped
    if (this.#held !== null) { this.#held.push([bytes, port, address]); return; }
    try {
      this.#sock.send(bytes, port, address);
    } catch (err) {
      this.#log.error(`udp: ${(err as Error).message}`);
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain().then(() => new Promise<void>((res) => {
      this.#closed = true;
      this.#sock.close(() => res());
    }));
    return this.#closing;
  }

  async #drain(): Promise<void> {
    const self = this.#sock.address();
    const peer = selfPeer(self.address);
    const steer = (): boolean => {
      try {
        this.#sock.connect(self.port, peer); // synchronous: literalLookup answers at once
        return true;
      } catch (err) {
        this.#log.warn(`udp ${self.address}:${self.port}: closing without draining: ${(err as Error).message}`);
        return false;
      }
    };
    this.#held = [];
    this.lastReceived = performance.now();
    if (!steer()) return;
    const deadline = performance.now() + CLOSE_DRAIN_MAX_MS;
    for (;;) {
      await whenQuiet(this, deadline);
      const held = this.#held;
      if (held.length === 0 || performance.now() >= deadline) break;
      this.#held = [];
      this.#sock.disconnect();
      for (const [bytes, port, address] of held) {
        try {
          this.#sock.send(bytes, port, address);
        } catch (err) {
          this.#log.error(`udp: ${(err as Error).message}`);
        }
      }
      if (!steer()) return;
    }
    if (this.#held.length > 0 || this.inflight > 0) this.#log.warn(`udp ${self.address}:${self.port}: closed with ${this.#held.length + this.inflight} replies unsent after ${CLOSE_DRAIN_MAX_MS} ms`);
  }
}

export function listenTcp(host: string, port: number, onQuery: QueryHandler, log: Logger, options: ListenOptions = {}): Promise<Listener> {
  const conns = new Set<TcpConnection>();
  const server: TcpServer = createServer({ noDelay: true }, (sock) => {
    const conn = new TcpConnection(sock, onQuery, log);
    conns.add(conn);
    sock.on('close', () => conns.delete(conn));
  });
  server.maxConnections = TCP_MAX_CONNECTIONS;
  server.on('error', (err) => log.error(`tcp ${host}:${port}: ${err.message}`));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ...(options.reusePort ?? REUSE_PORT_DEFAULT ? { reusePort: true } : {}) }, () => {
      server.off('error', reject);
      const a = server.address();
      const bound = typeof a === 'object' && a !== null ? a : { address: host, port };
      resolve({
        transport: 'tcp', address: bound.address, port: bound.port,
        close: () => new Promise<void>((res) => {
          server.close(() => res());
          for (const c of conns) c.finish();
        }),
      });
    });
  });
}

/**
 * One TCP connection: reads length-prefixed queries and writes each reply as it is ready, within
 * the bounds in this file's header.
 */
class TcpConnection {
  readonly #sock: Socket;
  readonly #onQuery: QueryHandler;
  readonly #log: Logger;
  readonly #client: Address;
  #pending: Buffer = Buffer.alloc(0);
  #inflight = 0;
  /** Set by finish(): end the connection once nothing is in progress. */
  #finishing = false;
  /** Deadline for the next whole query (or for unread replies to be taken). */
  #timer: NodeJS.Timeout;
  /** Whether a whole query came: the deadline is then TCP_IDLE_MS, not TCP_FIRST_READ_MS. */
  #idleTimer = false;

  constructor(sock: Socket, onQuery: QueryHandler, log: Logger) {
    this.#sock = sock;
    this.#onQuery = onQuery;
    this.#log = log;
    this.#client = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0, family: sock.remoteFamily === 'IPv6' ? 6 : 4 };
    this.#timer = setTimeout(() => this.#expired(), TCP_FIRST_READ_MS);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => clearTimeout(this.#timer));
    sock.on('data', (chunk: Buffer) => this.#read(chunk));
    sock.on('drain', () => this.#resumeIfRoom());
  }

  /** Ends the connection once the queries in progress are answered (the listener is closing). */
  finish(): void {
    this.#finishing = true;
    this.#endIfIdle();
    setTimeout(() => this.#sock.destroy(), CLOSE_DRAIN_MAX_MS).unref();
  }

  #expired(): void {
    // Queries in progress: their replies restart the clock. Otherwise the client either sent no
    // whole query in time or has not read its replies: close.
    if (this.#inflight > 0 && this.#sock.writableLength === 0) this.#timer.refresh();
    else this.#sock.destroy();
  }

  #endIfIdle(): void {
    if (this.#finishing && this.#inflight === 0 && !this.#sock.destroyed) this.#sock.end();
  }

  #resumeIfRoom(): void {
    if (this.#sock.isPaused() && this.#inflight < TCP_MAX_INFLIGHT && this.#sock.writableLength <= TCP_MAX_UNSENT) this.#sock.resume();
  }

  #writeOne(bytes: Uint8Array): void {
    const frame = Buffer.allocUnsafe(bytes.length + 2);
    frame.writeUInt16BE(bytes.length, 0);
    frame.set(bytes, 2);
    this.#sock.write(frame);
  }

  #write(bytes: Reply, query: Uint8Array): void {
    if (bytes === null || this.#sock.destroyed) return;
    if (bytes instanceof Uint8Array) this.#writeOne(bytes);
    else if (bytes instanceof SharedReply) this.#writeOne(bytes.to(query));
    else for (const b of bytes) this.#writeOne(b);
    if (this.#sock.writableLength > TCP_MAX_UNSENT) this.#sock.pause();
  }

  #done(bytes: Reply, query: Uint8Array): void {
    this.#inflight--;
    this.#write(bytes, query);
    this.#timer.refresh();
    this.#resumeIfRoom();
    this.#endIfIdle();
  }

  #read(chunk: Buffer): void {
    let pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < len + 2) break;
      const query = pending.subarray(2, len + 2);
      pending = pending.subarray(len + 2);
      // A whole query: the next has TCP_IDLE_MS from now.
      if (this.#idleTimer) this.#timer.refresh();
      else {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#expired(), TCP_IDLE_MS);
        this.#idleTimer = true;
      }
      let r: ReturnType<QueryHandler>;
      try {
        r = this.#onQuery(query, this.#client, 'tcp');
      } catch (err) {
        this.#log.error(`tcp: ${(err as Error).message}`);
        this.#sock.destroy();
        return;
      }
      if (r === null) {
        // A query we must not answer (e.g. a response) on a stream: RFC 7766 lets us close.
        this.#sock.destroy();
        return;
      }
      if (!(r instanceof Promise)) { this.#write(r, query); continue; }
      this.#inflight++;
      if (this.#inflight >= TCP_MAX_INFLIGHT) this.#sock.pause();
      r.then((b) => this.#done(b, query), (err: Error) => { this.#inflight--; this.#log.error(`tcp: ${err.message}`); this.#sock.destroy(); });
    }
    this.#pending = pending;
  }
}
