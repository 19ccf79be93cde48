/**
 * ResponseWriter: where a plugin puts its reply. What was written, and by which plugin, is explicit
 * (CoreDNS infers it from the returned rcode). A plugin may also declare the reply cacheable as
 * wire bytes for as long as a Versioned source keeps its revision: the server's answer cache then
 * replays it without running the chain (server/answer-cache.ts).
 */
import type { Message } from '../dns/types.ts';
import type { Address } from './request.ts';

/** Anything whose answers stay valid while `revision` is unchanged (a ClusterState, a hosts file). */
export interface Versioned { readonly revision: number }

/**
 * A reply whose records all carry one TTL that counts down with time (the cache plugin's hits).
 * The answer cache may replay its bytes with every record's TTL set to what replay() returns —
 * replay() is called once per replay and counts it as the plugin would count a hit — or, when it
 * returns -1 (expired, replaced, stale), runs the chain instead.
 */
export interface Countdown { replay(): number }

/**
 * How a reply depends on its client, when it does: only through what `of` says of the client's
 * address (autopath: the namespace of the pod at that address). The answer cache then replays it
 * only to clients `of` gives the same value for.
 */
export interface ClientKey { of(client: Address): string }

const combined = new WeakMap<ClientKey, WeakMap<ClientKey, ClientKey>>();

/**
 * A reply that depends on the client in two ways (autopath's namespace and acl's rules): one key
 * whose value joins both. The same pair always gives the same object, so the answer cache keeps
 * one set of per-client entries for it.
 */
export function bothKeys(first: ClientKey, second: ClientKey): ClientKey {
  let inner = combined.get(first);
  if (inner === undefined) combined.set(first, inner = new WeakMap());
  let key = inner.get(second);
  if (key === undefined) inner.set(second, key = { of: (client) => `${first.of(client)}\0${second.of(client)}` });
  return key;
}

export interface ResponseWriter {
  /** Writes the reply; only the first write of a request counts. */
  write(msg: Message, by: string): void;
  /** Declares the written reply a pure function of the query and `source` at its current revision. */
  cacheable(source: Versioned): void;
  /**
   * Declares the written reply dependent on more than the query (the client's address, the time):
   * it is never replayed from the answer cache, whatever cacheable() said before or after.
   */
  uncacheable(): void;
  /** Declares the written reply replayable as bytes while `countdown` gives it a TTL (see Countdown). */
  replayable(countdown: Countdown): void;
  /**
   * Declares that the written reply, cacheable or replayable as declared, holds only for clients
   * `key` gives `value` for (see ClientKey).
   */
  varies(key: ClientKey, value: string): void;
  /** Appends a further message to a multi-message reply (zone transfers over TCP), after write(). */
  writeMore(msg: Message): void;
  /**
   * Answers with no reply at all (acl's drop): the client times out. Takes the place of the write
   * (a later write is ignored) and is never replayed from the answer cache.
   */
  drop(by: string): void;
  readonly written: Message | null;
  readonly writtenBy: string | null;
}

/** The writer the server and plugins use for one request (also for lookups made through the chain). */
export class Recorder implements ResponseWriter {
  written: Message | null = null;
  writtenBy: string | null = null;
  cacheSource: Versioned | null = null;
  cacheRevision = 0;
  countdown: Countdown | null = null;
  vary: ClientKey | null = null;
  varyValue = '';
  noCache = false;
  /** Messages after the first of a multi-message reply. */
  more: Message[] | null = null;
  /** drop() was called: nothing is sent (writtenBy says who decided). */
  dropped = false;

  write(msg: Message, by: string): void {
    if (this.written !== null || this.dropped) return;
    this.written = msg;
    this.writtenBy = by;
  }

  cacheable(source: Versioned): void {
    if (this.written === null || this.noCache) return;
    this.cacheSource = source;
    this.cacheRevision = source.revision;
  }

  replayable(countdown: Countdown): void {
    if (this.written === null || this.noCache) return;
    this.countdown = countdown;
  }

  varies(key: ClientKey, value: string): void {
    if (this.written === null || this.noCache) return;
    if (this.vary !== null && this.vary !== key) {
      this.vary = bothKeys(this.vary, key);
      this.varyValue = `${this.varyValue}\0${value}`;
      return;
    }
    this.vary = key;
    this.varyValue = value;
  }

  uncacheable(): void {
    this.noCache = true;
    this.cacheSource = null;
    this.countdown = null;
    this.vary = null;
  }

  writeMore(msg: Message): void {
    if (this.written === null) return;
    (this.more ??= []).push(msg);
    this.uncacheable();
  }

  drop(by: string): void {
    if (this.written !== null || this.dropped) return;
    this.dropped = true;
    this.writtenBy = by;
    this.uncacheable();
  }
}
