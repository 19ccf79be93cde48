/**
 * What the listeners (listen.ts: node:dgram and TCP; udp-batch.ts: batched UDP) share: the reply a
 * query handler gives, the listener handle, and how a closing UDP listener knows it is done.
 */
import type { Address, Transport } from '../core/request.ts';

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

/** What a UDP listener sends of a reply: UDP carries one message, so of several only the first. */
export function udpMessage(reply: NonNullable<Reply>): Uint8Array | SharedReply | undefined {
  return reply instanceof Uint8Array || reply instanceof SharedReply ? reply : reply[0];
}

export interface Listener {
  readonly transport: Transport;
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The UDP receive buffer asked for (SO_RCVBUF; Linux caps it at net.core.rmem_max). The default
 * (rmem_default, 208 KiB here) holds ~280 small queries: a burst of 500 (dnsperf -q 500) arriving
 * during a garbage-collection pause lost ~300 of them (bench/). knot asks for more too.
 */
export const UDP_RECV_BUFFER = 4 * 1024 * 1024;

/**
 * Where a closing UDP socket bound to `host` connects to steer new queries to the port's other
 * sockets: its own address, or the loopback for a wildcard (connecting to the wildcard would
 * connect to the loopback anyway).
 */
export function selfPeer(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
}

/** Quiet time that tells a closing UDP socket it has read every datagram queued for it. */
export const UDP_DRAIN_QUIET_MS = 20;
/** Longest a closing listener waits for queued and in-progress queries before closing anyway. */
export const CLOSE_DRAIN_MAX_MS = 2_000;

/** A closing UDP listener's progress: replies still in progress, and when a datagram last came. */
export interface DrainState {
  readonly inflight: number;
  readonly lastReceived: number;
}

/**
 * Resolves once nothing arrived for UDP_DRAIN_QUIET_MS and nothing is in progress, or at
 * `deadline` (performance.now() time). The check runs in setImmediate, after an event-loop poll:
 * a datagram still queued when the timer fired (the loop was busy) is read by that poll and
 * counts as arrived.
 */
export function whenQuiet(state: DrainState, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const now = performance.now();
      if (now >= deadline || (state.inflight === 0 && now - state.lastReceived >= UDP_DRAIN_QUIET_MS)) resolve();
      else setTimeout(() => setImmediate(check), UDP_DRAIN_QUIET_MS);
    };
    setTimeout(() => setImmediate(check), UDP_DRAIN_QUIET_MS);
  });
}
