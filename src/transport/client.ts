/**
 * DnsClient: sends a DNS query (wire bytes) to one upstream `host:port` over UDP or TCP and
 * resolves to the reply's bytes; the only code that opens client sockets to DNS servers.
 *
 * Built for a forwarder's hot path (CoreDNS plugin/pkg/proxy plays this role):
 * - UDP: a small pool of connected sockets per upstream, each shared by many queries in flight
 *   (another socket is opened when the least busy one has 16 in flight);
 *   replies are matched to queries by ID and question, so late, duplicate or spoofed replies
 *   (wrong ID, wrong question) are ignored. A connected socket only receives from the upstream
 *   and reports ICMP "port unreachable" at once (`read: connection refused`).
 * - TCP: connections are reused and pipelined (several queries in flight on one connection,
 *   2-octet length-prefixed, answered in any order, RFC 7766 §6.2.1), closed after `expireMs`
 *   without a query; `maxIdleConns` caps how many idle ones are kept. A query whose reused
 *   connection is closed by the upstream before it answered is sent once more on a new
 *   connection (an idle close racing our write, CoreDNS's ErrCachedClosed retry).
 * - A socket on which an exchange timed out takes no new queries and closes once the replies
 *   still due on it are in (CoreDNS closes a connection after a read error).
 * - IDs: the client picks a random 16-bit ID per exchange (unique among the queries in flight on
 *   that socket) and writes it into the query's first two octets, in place. The reply keeps that
 *   ID; the caller restores its own client's ID.
 * - Reuse is counted (`stats`, and `onConn` for metrics): a hit when a pooled socket carried the
 *   query, a miss when one had to be opened (coredns_proxy_conn_cache_hits/misses_total).
 *
 * Errors are ExchangeErrors worded as Go's net errors, which is what CoreDNS logs:
 * `read udp 127.0.0.1:41234->10.0.0.10:53: i/o timeout`, `dial tcp 10.0.0.10:53: connect:
 * connection refused`, `read tcp 127.0.0.1:40112->10.0.0.10:53: EOF`.
 * Every timer is unref'd; close() closes every socket and fails what is in flight.
 */
import { getRandomValues } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, isIP } from 'node:net';
import type { Socket as TcpSocket } from 'node:net';

export type Proto = 'udp' | 'tcp';

/** A failed exchange, worded like Go's net.OpError (`read udp LOCAL->REMOTE: i/o timeout`). */
export class ExchangeError extends Error {
  readonly op: 'dial' | 'read' | 'write';
  readonly proto: Proto;
  /** The exchange ran out of time (no reply, or no connection, within the timeout). */
  readonly timeout: boolean;
  constructor(op: 'dial' | 'read' | 'write', proto: Proto, endpoints: string, reason: string, timeout = false) {
    super(`${op} ${proto} ${endpoints}: ${reason}`);
    this.name = 'ExchangeError';
    this.op = op;
    this.proto = proto;
    this.timeout = timeout;
  }
}

/** Errors a UDP socket reports from an ICMP message about its peer: they concern every query to it. */
const ICMP_ERRORS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

export interface ClientOptions {
  /** Idle time after which a pooled socket is closed and no longer reused (CoreDNS `expire`, default 10 s); 0: never reuse. */
  readonly expireMs?: number;
  /** Idle TCP connections kept (and UDP sockets pooled) at most; 0 (default): no limit beyond the pool size. */
  readonly maxIdleConns?: number;
  /** UDP sockets per upstream, each carrying many queries at once (default 4). */
  readonly udpSockets?: number;
  /** Queries in flight on one TCP connection before another is opened (default 100). */
  readonly maxPipeline?: number;
  /** Told about every exchange's socket: reused from the pool (a hit) or newly opened (a miss). */
  readonly onConn?: (proto: Proto, reused: boolean) => void;
}

export interface ConnStats { hits: number; misses: number }

const DEFAULT_EXPIRE_MS = 10_000;
const DEFAULT_UDP_SOCKETS = 4;
const DEFAULT_MAX_PIPELINE = 100;
/** Queries in flight on a UDP socket before another socket of the pool is opened. */
const UDP_BUSY = 16;

/** Go's net.JoinHostPort: `10.0.0.1:53`, `[2001:db8::1]:53`. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// Random IDs come from the OS CSPRNG in batches: one syscall per 512 exchanges.
const idPool = new Uint16Array(512);
let idPos = idPool.length;
function randomId(): number {
  if (idPos === idPool.length) {
    getRandomValues(idPool);
    idPos = 0;
  }
  return idPool[idPos++]!;
}

/**
 * The end of the first question (offset past QTYPE and QCLASS), or -1 when the message has no
 * readable uncompressed question.
 */
export function questionEnd(msg: Uint8Array): number {
  if (msg.length < 12 || ((msg[4]! << 8) | msg[5]!) === 0) return -1;
  let p = 12;
  for (;;) {
    const len = msg[p];
    if (len === undefined || len > 63) return -1;
    p += 1 + len;
    if (len === 0) break;
  }
  return p + 4 <= msg.length ? p + 4 : -1;
}

/** Whether `reply` carries the question of `query` (name case-insensitively, type and class exactly). */
function sameQuestion(reply: Uint8Array, query: Uint8Array, qEnd: number): boolean {
  if (reply.length < qEnd) return false;
  const nameEnd = qEnd - 4;
  for (let i = 12; i < qEnd; i++) {
    let a = reply[i]!;
    let b = query[i]!;
    if (a === b) continue;
    if (i >= nameEnd) return false;
    if (a >= 65 && a <= 90) a |= 0x20;
    if (b >= 65 && b <= 90) b |= 0x20;
    if (a !== b) return false;
  }
  return true;
}

function localOf(a: { address: string; port: number }): string {
  return a.address === '' ? '' : joinHostPort(a.address, a.port);
}

/** Go's wording of the system errors an exchange can meet. */
function reasonOf(err: NodeJS.ErrnoException, syscall: string): string {
  switch (err.code) {
    case 'ECONNREFUSED': return `${syscall}: connection refused`;
    case 'ECONNRESET': return `${syscall}: connection reset by peer`;
    case 'EHOSTUNREACH': return `${syscall}: no route to host`;
    case 'ENETUNREACH': return `${syscall}: network is unreachable`;
    case 'EPIPE': return `${syscall}: broken pipe`;
    case 'ETIMEDOUT': return 'i/o timeout';
    default: return err.message;
  }
}

/** One query waiting for its reply. */
interface Pending {
  readonly query: Uint8Array;
  readonly qEnd: number;
  readonly resolve: (reply: Uint8Array) => void;
  readonly reject: (err: Error) => void;
  readonly deadline: number;
  id: number;
  timer: NodeJS.Timeout | null;
  conn: Conn | null;
  /** Sent once more after a reused TCP connection closed under it. */
  retried: boolean;
}

/** A pooled socket: a UDP socket or a TCP connection, with the queries in flight on it. */
interface Conn {
  readonly proto: Proto;
  readonly pending: Map<number, Pending>;
  /** Date.now() when it last sent or received. */
  lastUsed: number;
  /** Connected (UDP connect() done, TCP handshake done). */
  connected: boolean;
  /** The local `IP:port`, once connected (kept for error messages after close). */
  local: string;
  closed: boolean;
  /** Takes no new queries (an exchange on it timed out); closed once nothing is in flight. */
  retired: boolean;
  /** Not pooled: closed as soon as nothing is in flight (expire 0). */
  ephemeral: boolean;
  /** Replies received on it (TCP: a connection that answered before may be retried once). */
  answered: number;
  udp: UdpSocket | null;
  tcp: TcpSocket | null;
  /** UDP: queries waiting for connect(). TCP writes queue in the socket itself. */
  queue: Pending[] | null;
  /** TCP: a partial frame carried over from the previous chunk. */
  buf: Buffer | null;
}

function newConn(proto: Proto, ephemeral: boolean): Conn {
  return {
    proto, pending: new Map(), lastUsed: Date.now(), connected: false, local: '', closed: false, retired: false, ephemeral,
    answered: 0, udp: null, tcp: null, queue: null, buf: null,
  };
}

export class DnsClient {
  readonly host: string;
  readonly port: number;
  /** `IP:port` (`[v6]:port`), as CoreDNS labels metrics. */
  readonly address: string;
  readonly stats: { readonly udp: ConnStats; readonly tcp: ConnStats } = { udp: { hits: 0, misses: 0 }, tcp: { hits: 0, misses: 0 } };
  readonly #family: 4 | 6;
  readonly #expireMs: number;
  readonly #maxIdle: number;
  readonly #udpSlots: Array<Conn | null>;
  readonly #maxPipeline: number;
  readonly #onConn: ((proto: Proto, reused: boolean) => void) | null;
  readonly #tcp: Conn[] = [];
  /** Retired sockets still waiting for replies in flight. */
  readonly #retiring = new Set<Conn>();
  #sweeper: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(host: string, port: number, options: ClientOptions = {}) {
    const family = isIP(host.split('%')[0]!);
    if (family === 0) throw new TypeError(`not an IP address: ${JSON.stringify(host)}`);
    this.host = host;
    this.port = port;
    this.address = joinHostPort(host, port);
    this.#family = family === 6 ? 6 : 4;
    this.#expireMs = Math.max(0, options.expireMs ?? DEFAULT_EXPIRE_MS);
    this.#maxIdle = Math.max(0, options.maxIdleConns ?? 0);
    let slots = Math.max(1, options.udpSockets ?? DEFAULT_UDP_SOCKETS);
    if (this.#maxIdle > 0) slots = Math.min(slots, this.#maxIdle);
    this.#udpSlots = new Array<Conn | null>(slots).fill(null);
    this.#maxPipeline = Math.max(1, options.maxPipeline ?? DEFAULT_MAX_PIPELINE);
    this.#onConn = options.onConn ?? null;
  }

  /** Sockets open now (for tests and diagnostics). */
  get open(): { readonly udp: number; readonly tcp: number } {
    return { udp: this.#udpSlots.filter((c) => c !== null).length, tcp: this.#tcp.length };
  }

  /**
   * Sends `query` and resolves to the reply's bytes (carrying the ID the client chose), or
   * rejects with an ExchangeError. Writes a fresh random ID into `query[0..1]`; the caller must
   * not change `query` until the returned promise settles. `timeoutMs` bounds the whole exchange
   * (connecting included).
   */
  exchange(query: Uint8Array, proto: Proto, timeoutMs: number): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      if (this.#closed) {
        reject(new ExchangeError(proto === 'udp' ? 'write' : 'dial', proto, this.address, 'use of closed network connection'));
        return;
      }
      const qEnd = questionEnd(query);
      const p: Pending = {
        query, qEnd, resolve, reject, deadline: Date.now() + timeoutMs, id: 0, timer: null, conn: null, retried: false,
      };
      p.timer = setTimeout(() => this.#timeout(p), Math.max(0, timeoutMs));
      p.timer.unref();
      if (proto === 'udp') this.#sendUdp(p);
      else this.#sendTcp(p, false);
    });
  }

  /** Closes every socket; queries in flight fail. The client cannot be used afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    for (let i = 0; i < this.#udpSlots.length; i++) {
      const c = this.#udpSlots[i];
      if (c !== null && c !== undefined) this.#closeConn(c, new ExchangeError('read', 'udp', this.#endpoints(c), 'use of closed network connection'));
    }
    for (const c of [...this.#tcp, ...this.#retiring]) this.#closeConn(c, new ExchangeError('read', c.proto, this.#endpoints(c), 'use of closed network connection'));
  }

  // ---- UDP ----

  #sendUdp(p: Pending): void {
    let c: Conn;
    if (this.#expireMs === 0) {
      c = this.#openUdp(true);
    } else {
      // The open socket with the fewest queries in flight; another one is opened only when that
      // one is busy, so light traffic stays on one socket and heavy traffic spreads over several.
      const now = Date.now();
      let best: Conn | null = null;
      let free = -1;
      for (let i = 0; i < this.#udpSlots.length; i++) {
        const s = this.#udpSlots[i] ?? null;
        if (s !== null && s.pending.size === 0 && now - s.lastUsed >= this.#expireMs) this.#closeConn(s, null);
        if (s === null || s.closed) {
          if (free < 0) free = i;
        } else if (best === null || s.pending.size < best.pending.size) {
          best = s;
        }
      }
      if (best !== null && (best.pending.size < UDP_BUSY || free < 0)) {
        c = best;
        this.#count('udp', true);
      } else {
        c = this.#openUdp(false);
        this.#udpSlots[free] = c;
      }
    }
    this.#register(c, p);
    if (!c.connected) (c.queue ??= []).push(p);
    else this.#writeUdp(c, p);
  }

  #openUdp(ephemeral: boolean): Conn {
    this.#count('udp', false);
    const c = newConn('udp', ephemeral);
    const sock = createSocket(this.#family === 6 ? 'udp6' : 'udp4');
    c.udp = sock;
    sock.on('message', (msg: Buffer) => this.#deliver(c, msg));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      // ICMP errors on a connected socket (port unreachable) concern this upstream: every
      // query in flight on the socket fails now rather than at its timeout. The socket stays usable.
      if (!c.connected) {
        this.#closeConn(c, new ExchangeError('dial', 'udp', this.address, reasonOf(err, 'connect')));
        return;
      }
      const e = new ExchangeError('read', 'udp', this.#endpoints(c), reasonOf(err, 'read'));
      for (const p of [...c.pending.values()]) this.#fail(p, e);
    });
    sock.connect(this.port, this.host, (err?: Error) => {
      // A failed connect (no route, say) comes here, not as an 'error' event.
      if (err !== undefined && err !== null) {
        this.#closeConn(c, new ExchangeError('dial', 'udp', this.address, reasonOf(err as NodeJS.ErrnoException, 'connect')));
        return;
      }
      c.connected = true;
      c.local = localOf(sock.address());
      const queue = c.queue;
      c.queue = null;
      if (queue !== null) for (const p of queue) if (p.conn === c) this.#writeUdp(c, p);
    });
    this.#ensureSweeper();
    return c;
  }

  #writeUdp(c: Conn, p: Pending): void {
    c.lastUsed = Date.now();
    const failed = (err: Error | null | undefined): void => {
      if (err === null || err === undefined) return;
      const e = new ExchangeError('write', 'udp', this.#endpoints(c), reasonOf(err as NodeJS.ErrnoException, 'write'));
      // A send on a connected socket fails with an ICMP error (port unreachable) that an earlier
      // query's packet drew: the kernel hands it to whichever call on the socket comes first, and
      // no 'error' event follows for it. It concerns the upstream, so every query in flight on the
      // socket fails now, not only this one; otherwise those wait out their timeout.
      if (ICMP_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) {
        for (const q of [...c.pending.values()]) this.#fail(q, e);
      } else if (p.conn === c) {
        this.#fail(p, e);
      }
    };
    try {
      c.udp!.send(p.query, failed);
    } catch (err) {
      failed(err as Error);
    }
  }

  // ---- TCP ----

  #sendTcp(p: Pending, fresh: boolean): void {
    const c = this.#pickTcp(fresh);
    this.#register(c, p);
    const q = p.query;
    const frame = Buffer.allocUnsafe(q.length + 2);
    frame[0] = q.length >> 8;
    frame[1] = q.length & 0xff;
    frame.set(q, 2);
    c.lastUsed = Date.now();
    c.tcp!.write(frame);
  }

  #pickTcp(fresh: boolean): Conn {
    if (!fresh && this.#expireMs > 0) {
      const now = Date.now();
      for (let i = 0; i < this.#tcp.length; i++) {
        const c = this.#tcp[i]!;
        if (c.closed || c.pending.size >= this.#maxPipeline) continue;
        if (c.pending.size === 0 && now - c.lastUsed >= this.#expireMs) continue; // expired: the sweeper closes it
        this.#count('tcp', true);
        return c;
      }
    }
    this.#count('tcp', false);
    const c = newConn('tcp', this.#expireMs === 0);
    const sock = tcpConnect({ host: this.host, port: this.port, noDelay: true });
    c.tcp = sock;
    this.#tcp.push(c);
    let failure: NodeJS.ErrnoException | null = null;
    sock.on('connect', () => {
      c.connected = true;
      c.local = localOf({ address: sock.localAddress ?? '', port: sock.localPort ?? 0 });
    });
    sock.on('data', (chunk: Buffer) => this.#onData(c, chunk));
    sock.on('error', (err: NodeJS.ErrnoException) => { failure ??= err; });
    sock.on('close', () => {
      let err: ExchangeError;
      if (!c.connected) err = new ExchangeError('dial', 'tcp', this.address, failure === null ? 'EOF' : reasonOf(failure, 'connect'));
      else err = new ExchangeError('read', 'tcp', this.#endpoints(c), failure === null ? 'EOF' : reasonOf(failure, 'read'));
      this.#closeConn(c, err);
    });
    this.#ensureSweeper();
    return c;
  }

  #onData(c: Conn, chunk: Buffer): void {
    const b = c.buf === null ? chunk : Buffer.concat([c.buf, chunk]);
    let off = 0;
    while (b.length - off >= 2) {
      const len = (b[off]! << 8) | b[off + 1]!;
      if (b.length - off - 2 < len) break;
      const msg = b.subarray(off + 2, off + 2 + len);
      off += 2 + len;
      this.#deliver(c, msg);
    }
    c.buf = off === b.length ? null : b.subarray(off);
  }

  // ---- shared ----

  /** Gives `p` an ID unused on `c` and puts it in flight there. */
  #register(c: Conn, p: Pending): void {
    let id = randomId();
    while (c.pending.has(id)) id = randomId();
    p.id = id;
    p.conn = c;
    p.query[0] = id >> 8;
    p.query[1] = id & 0xff;
    c.pending.set(id, p);
  }

  /** A message arrived on `c`: resolves the query it answers, or is ignored. */
  #deliver(c: Conn, msg: Buffer): void {
    if (msg.length < 12 || (msg[2]! & 0x80) === 0) return;
    const p = c.pending.get((msg[0]! << 8) | msg[1]!);
    if (p === undefined) return; // late (timed out) or unsolicited
    // A reply for this ID must carry our question; a reply without one (some servers' FORMERR or
    // NOTIMP) is passed on for the caller to judge.
    if (((msg[4]! << 8) | msg[5]!) !== 0 && (p.qEnd < 0 || !sameQuestion(msg, p.query, p.qEnd))) return;
    c.answered++;
    this.#settle(p);
    p.resolve(msg);
  }

  /** Takes `p` out of flight (timer and connection); then closes an ephemeral or surplus idle socket. */
  #settle(p: Pending): void {
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = null;
    const c = p.conn;
    p.conn = null;
    if (c === null) return;
    c.pending.delete(p.id);
    c.lastUsed = Date.now();
    if (c.pending.size > 0 || c.closed) return;
    if (c.ephemeral || c.retired) { this.#closeConn(c, null); return; }
    if (c.proto === 'tcp' && this.#maxIdle > 0) {
      let idle = 0;
      for (const t of this.#tcp) if (t.pending.size === 0 && !t.closed) idle++;
      if (idle > this.#maxIdle) this.#closeConn(c, null);
    }
  }

  #fail(p: Pending, err: Error): void {
    if (p.conn === null && p.timer === null) return;
    this.#settle(p);
    p.reject(err);
  }

  #timeout(p: Pending): void {
    const c = p.conn;
    p.timer = null;
    if (c !== null && !c.connected) {
      // The connection is not up after a whole timeout: give it up, with what waits on it.
      this.#closeConn(c, new ExchangeError('dial', c.proto, this.address, 'i/o timeout', true));
      return;
    }
    const err = new ExchangeError('read', c?.proto ?? 'udp', c === null ? this.address : this.#endpoints(c), 'i/o timeout', true);
    this.#settle(p);
    p.reject(err);
    // As CoreDNS closes a connection whose read timed out, later queries go to a fresh socket
    // (a new source port, a new TCP connection); replies still due on this one are awaited.
    if (c !== null) this.#retire(c);
  }

  /** Stops giving `c` new queries; it closes when what is in flight on it is done. */
  #retire(c: Conn): void {
    if (c.closed || c.retired) return;
    c.retired = true;
    if (c.pending.size === 0) {
      this.#closeConn(c, null);
      return;
    }
    const i = this.#udpSlots.indexOf(c);
    if (i >= 0) this.#udpSlots[i] = null;
    const j = this.#tcp.indexOf(c);
    if (j >= 0) this.#tcp.splice(j, 1);
    this.#retiring.add(c);
  }

  /** Closes `c`; what is in flight on it fails with `err` (or is retried once on a new TCP connection). */
  #closeConn(c: Conn, err: ExchangeError | null): void {
    if (!c.closed) {
      c.closed = true;
      this.#retiring.delete(c);
      if (c.udp !== null) {
        const i = this.#udpSlots.indexOf(c);
        if (i >= 0) this.#udpSlots[i] = null;
        try { c.udp.close(); } catch { /* already closed */ }
      }
      if (c.tcp !== null) {
        const i = this.#tcp.indexOf(c);
        if (i >= 0) this.#tcp.splice(i, 1);
        c.tcp.destroy();
      }
      c.queue = null;
      c.buf = null;
    }
    if (c.pending.size === 0) return;
    const waiting = [...c.pending.values()];
    c.pending.clear();
    const now = Date.now();
    for (const p of waiting) {
      p.conn = null;
      // The upstream closed a connection that had answered before while this query was on it:
      // most likely an idle close racing our write. Send it once more, on a new connection.
      if (!this.#closed && c.proto === 'tcp' && c.answered > 0 && !p.retried && p.deadline > now) {
        p.retried = true;
        this.#sendTcp(p, true);
        continue;
      }
      if (p.timer !== null) clearTimeout(p.timer);
      p.timer = null;
      p.reject(err ?? new ExchangeError('read', c.proto, this.#endpoints(c), 'use of closed network connection'));
    }
    if (this.#sweeper !== null && this.#tcp.length === 0 && this.#retiring.size === 0 && this.#udpSlots.every((s) => s === null)) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  /** Closes pooled sockets idle for `expireMs`, checking every `expireMs` (at least every 100 ms). */
  #ensureSweeper(): void {
    if (this.#sweeper !== null || this.#expireMs === 0) return;
    this.#sweeper = setInterval(() => {
      const stale = Date.now() - this.#expireMs;
      for (const c of [...this.#udpSlots, ...this.#tcp, ...this.#retiring]) {
        if (c !== null && c.pending.size === 0 && c.lastUsed <= stale) this.#closeConn(c, null);
      }
    }, Math.max(100, this.#expireMs));
    this.#sweeper.unref();
  }

  #count(proto: Proto, reused: boolean): void {
    const s = this.stats[proto];
    if (reused) s.hits++;
    else s.misses++;
    this.#onConn?.(proto, reused);
  }

  /** `LOCAL->REMOTE` as Go prints a connected socket's addresses (REMOTE alone when LOCAL is unknown). */
  #endpoints(c: Conn): string {
    return c.local === '' ? this.address : `${c.local}->${this.address}`;
  }
}
