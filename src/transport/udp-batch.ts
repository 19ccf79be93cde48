/**
 * The batched UDP listener: the addon in native/udp.c reads up to BATCH queries with one
 * recvmmsg(2) and hands them to one JavaScript call; their replies go out together with one
 * sendmmsg(2). node:dgram pays a system call, a JavaScript call and a buffer per datagram each way,
 * which is most of what a cache hit costs (bench/README.md: a bare dgram echo loop is the ceiling
 * of every dgram server); batching halves it. Everything above the socket is the same as with
 * dgram: the same handler, the same replies, the same lossless close.
 *
 * Available on Linux when the addon is built (core/native.ts loads it; `npm ci` builds it:
 * native/build.mjs; it needs a C compiler). Otherwise, or with PODNS_UDP=dgram in the environment,
 * listen.ts uses node:dgram; `batchUdp.reason` says why.
 */
import { constants } from 'node:os';
import type { Logger } from '../core/log.ts';
import { native } from '../core/native.ts';
import type { NativeAddon } from '../core/native.ts';
import type { Address } from '../core/request.ts';
import { ipv4Text, ipv6Text } from '../dns/ip.ts';
import { CLOSE_DRAIN_MAX_MS, SharedReply, UDP_RECV_BUFFER, selfPeer, udpMessage, whenQuiet } from './reply.ts';
import type { Listener, QueryHandler, Reply } from './reply.ts';

/** The socket class native/udp.c defines; its buffers are described there. */
interface RawSocket {
  readonly rx: ArrayBuffer;
  readonly rxmeta: ArrayBuffer;
  readonly tx: ArrayBuffer;
  readonly txmeta: ArrayBuffer;
  /** The bound port. */
  readonly port: number;
  /** Sends txmeta's first n replies; returns how many the kernel took. */
  send(n: number): number;
  connect(host: string, port: number): void;
  close(): void;
  stats(): { oversized: number; sendErrors: number };
}

/** The addon's exports that this file uses (core/native.ts loads it). */
interface Addon extends NativeAddon {
  readonly BatchSocket: new (host: string, port: number, reusePort: boolean, rcvbuf: number, onBatch: (n: number) => void) => RawSocket;
}

const forcedDgram = process.env.PODNS_UDP === 'dgram';
const addon = forcedDgram ? null : native.addon as Addon | null;
const reason = forcedDgram ? 'PODNS_UDP=dgram' : addon === null ? native.reason : 'batched (recvmmsg/sendmmsg)';

/** Whether listeners batch UDP, and why not when they do not. */
export const batchUdp: { readonly available: boolean; readonly reason: string } = { available: addon !== null, reason };

/**
 * Client address text by the IPv4 address's int32 (as it lies in rxmeta): a server sees the same
 * few thousand clients again and again. Emptied when it reaches V4_TEXTS entries. IPv4 clients of
 * a dual-stack socket (bound to "::", kubeadm's default) come as ::ffff:a.b.c.d, kept in `mappedTexts`.
 */
const v4Texts = new Map<number, string>();
const mappedTexts = new Map<number, string>();
const V4_TEXTS = 65_536;
/** rxmeta's third address int of an IPv4-mapped IPv6 address: bytes 00 00 ff ff, little-endian. */
const MAPPED = 0xffff0000 | 0;

class BatchedUdp {
  readonly #raw: RawSocket;
  readonly #onQuery: QueryHandler;
  readonly #log: Logger;
  readonly #slot: number;
  readonly #meta: number;
  readonly #txMeta: number;
  readonly #txMax: number;
  readonly #txBytes: number;
  readonly #rx: Uint8Array;
  readonly #rxm: Int32Array;
  readonly #rxmBytes: Uint8Array;
  readonly #tx: Uint8Array;
  readonly #txm: Int32Array;
  /** Replies in tx, and the bytes they take. */
  #count = 0;
  #used = 0;
  #inBatch = false;
  #closed = false;
  /** For whenQuiet while closing. */
  inflight = 0;
  lastReceived = 0;
  #closing: Promise<void> | null = null;
  /** The address the socket connects to to steer queries away: its own, the loopback for a wildcard. */
  readonly #selfHost: string;
  readonly port: number;

  constructor(a: Addon, host: string, port: number, reusePort: boolean, onQuery: QueryHandler, log: Logger) {
    this.#selfHost = selfPeer(host);
    this.#onQuery = onQuery;
    this.#log = log;
    this.#slot = a.SLOT;
    this.#meta = a.META;
    this.#txMeta = a.TX_META;
    this.#txMax = a.TX_MAX;
    this.#txBytes = a.TX_BYTES;
    this.#raw = new a.BatchSocket(host, port, reusePort, UDP_RECV_BUFFER, (n) => this.#onBatch(n));
    this.#rx = new Uint8Array(this.#raw.rx);
    this.#rxm = new Int32Array(this.#raw.rxmeta);
    this.#rxmBytes = new Uint8Array(this.#raw.rxmeta);
    this.#tx = new Uint8Array(this.#raw.tx);
    this.#txm = new Int32Array(this.#raw.txmeta);
    this.port = this.#raw.port;
  }

  #onBatch(n: number): void {
    if (this.#closing !== null) this.lastReceived = performance.now();
    const rxm = this.#rxm;
    this.#inBatch = true;
    for (let i = 0; i < n; i++) {
      const m = i * this.#meta;
      const len = rxm[m]!;
      if (len < 0) continue; // larger than a slot: not a query anyone sends
      const start = i * this.#slot;
      // A copy, as node:dgram gives: the slot is read into again by the next batch, and a handler
      // may keep the query. A Buffer cut from Node's pool, like dgram's, which the answer cache
      // keys without wrapping (Uint8Array.slice would allocate an ArrayBuffer per query).
      const query = Buffer.allocUnsafe(len);
      query.set(this.#rx.subarray(start, start + len));
      let r: ReturnType<QueryHandler>;
      try {
        r = this.#onQuery(query, this.#client(m), 'udp');
      } catch (err) {
        this.#log.error(`udp: ${(err as Error).message}`);
        continue;
      }
      if (!(r instanceof Promise)) {
        if (r !== null) this.#put(r, query, rxm, m + 1);
      } else {
        const peer = rxm.slice(m + 1, m + this.#meta);
        this.inflight++;
        r.then((b) => {
          this.inflight--;
          if (b === null) return;
          this.#put(b, query, peer, 0);
          if (!this.#inBatch) this.#flush();
        }, (err: Error) => {
          this.inflight--;
          this.#log.error(`udp: ${err.message}`);
        });
      }
    }
    this.#inBatch = false;
    this.#flush();
  }

  #client(m: number): Address {
    const rxm = this.#rxm;
    const port = rxm[m + 2]!;
    if (rxm[m + 1] === 4) return { address: this.#cached(v4Texts, rxm[m + 4]!, m + 4, ''), port, family: 4 };
    if (rxm[m + 4] === 0 && rxm[m + 5] === 0 && rxm[m + 6] === MAPPED) return { address: this.#cached(mappedTexts, rxm[m + 7]!, m + 7, '::ffff:'), port, family: 6 };
    return { address: ipv6Text(this.#rxmBytes, (m + 4) * 4), port, family: 6 };
  }

  /** The text of the IPv4 address at rxmeta int `at` (keyed by that int), after `prefix`. */
  #cached(texts: Map<number, string>, key: number, at: number, prefix: string): string {
    let address = texts.get(key);
    if (address === undefined) {
      if (texts.size >= V4_TEXTS) texts.clear();
      address = prefix + ipv4Text(this.#rxmBytes, at * 4);
      texts.set(key, address);
    }
    return address;
  }

  /** Queues one reply datagram for the peer described at peer[at..at+7) (rxmeta's layout after the length). */
  #put(reply: NonNullable<Reply>, query: Uint8Array, peer: Int32Array, at: number): void {
    if (this.#closed) return; // after CLOSE_DRAIN_MAX_MS: dropped
    const one = udpMessage(reply);
    if (one === undefined) return;
    const len = one instanceof SharedReply ? one.tail.length + 2 : one.length;
    if (this.#count === this.#txMax || this.#used + len > this.#txBytes) this.#flush();
    const tx = this.#tx;
    const off = this.#used;
    if (one instanceof SharedReply) {
      tx[off] = query[0]!;
      tx[off + 1] = query[1]!;
      tx.set(one.tail, off + 2);
    } else {
      tx.set(one, off);
    }
    const txm = this.#txm;
    const t = this.#count * this.#txMeta;
    txm[t] = off;
    txm[t + 1] = len;
    for (let k = 0; k < 7; k++) txm[t + 2 + k] = peer[at + k]!;
    this.#count++;
    this.#used = off + len;
  }

  #flush(): void {
    if (this.#count === 0) return;
    const n = this.#count;
    this.#count = 0;
    this.#used = 0;
    this.#raw.send(n);
  }

  /**
   * Closing without loss (listen.ts's UdpDrain says why): the socket is connected to itself, so
   * the kernel sends new queries to the port's other sockets; what is queued is read and
   * answered (a connected UDP socket still sends to the addresses given with each reply, so
   * nothing is held back), and once quiet the socket closes.
   */
  close(): Promise<void> {
    this.#closing ??= this.#drain().then(() => {
      this.#flush();
      this.#closed = true;
      const { oversized, sendErrors } = this.#raw.stats();
      if (oversized + sendErrors > 0) this.#log.info(`udp :${this.port}: ${oversized} datagrams too large dropped, ${sendErrors} replies refused by the kernel`);
      this.#raw.close();
      // The socket closes on the next loop turn; the port is free once it has.
      return new Promise<void>((res) => setImmediate(res));
    });
    return this.#closing;
  }

  async #drain(): Promise<void> {
    this.lastReceived = performance.now();
    const deadline = performance.now() + CLOSE_DRAIN_MAX_MS;
    try {
      this.#raw.connect(this.#selfHost, this.port);
    } catch (err) {
      this.#log.warn(`udp :${this.port}: closing without draining: ${(err as Error).message}`);
      return;
    }
    await whenQuiet(this, deadline);
    if (this.inflight > 0) this.#log.warn(`udp :${this.port}: closed with ${this.inflight} replies unsent after ${CLOSE_DRAIN_MAX_MS} ms`);
  }
}

/** listenUdp's batched form (listen.ts chooses): bound and reading when it resolves. */
export function listenUdpBatched(host: string, port: number, onQuery: QueryHandler, log: Logger, reusePort: boolean): Promise<Listener> {
  if (addon === null) return Promise.reject(new Error(`batched UDP is not available: ${batchUdp.reason}`));
  try {
    const sock = new BatchedUdp(addon, host, port, reusePort, onQuery, log);
    return Promise.resolve({ transport: 'udp', address: host, port: sock.port, close: () => sock.close() });
  } catch (err) {
    return Promise.reject(systemError(err as Error & { errno?: number; syscall?: string }, host, port));
  }
}

/** The addon's error as node:dgram words it: "bind EADDRINUSE 127.0.0.1:53", with `code`. */
function systemError(err: Error & { errno?: number; syscall?: string }, host: string, port: number): Error {
  if (err.errno === undefined) return err;
  const code = Object.entries(constants.errno).find(([, n]) => n === err.errno)?.[0] ?? `E${err.errno}`;
  return Object.assign(new Error(`${err.syscall} ${code} ${host}:${port}`), { code, errno: -err.errno, syscall: err.syscall });
}
