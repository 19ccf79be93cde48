/**
 * The answer cache: replies kept as wire bytes, keyed by the query's bytes after the ID, so a
 * repeated question is answered by copying bytes and patching the ID, without decoding the query,
 * running the chain or encoding a reply. An entry is only stored when the plugin that answered
 * declared the reply a pure function of the query and a Versioned source (ResponseWriter.cacheable),
 * and it is only served while that source still has the revision the reply was built at, so a
 * change to the cluster state invalidates exactly the answers built from it, at once. The source
 * can be narrower than the whole state: the kubernetes plugin names one namespace's scope for an
 * answer about that namespace's names (ClusterState.scope), so endpoint churn in one namespace
 * leaves every other namespace's answers cached.
 * Keying on the raw bytes makes the key exact: the spelling of the name (replies echo it), the
 * flags, the EDNS size and DO bit all take part. Queries with EDNS options (cookies, ECS) vary per
 * client and are never stored.
 *
 * A reply can also be stored under a Countdown (the cache plugin's hits for forwarded names): each
 * replay asks it for the TTL and finds the entry gone (the chain answers), or gets a TTL to write
 * into every record's TTL field (their offsets found once, when stored). Stored bytes are never
 * written to — a hit is sent as they are, with the query's ID in front (SharedReply) — so a new
 * TTL makes a new copy, at most once a second per entry.
 */
import type { Countdown, Versioned } from '../core/writer.ts';
import { ttlOffsets } from '../dns/header.ts';
import { SharedReply } from '../transport/listen.ts';

interface Entry {
  /** The reply (its ID is ignored), as it is sent. Replaced, never changed, by a Countdown replay. */
  reply: SharedReply;
  /** Versioned entries: valid while source.revision === revision. */
  readonly source: Versioned | null;
  readonly revision: number;
  /** Countdown entries: the countdown, the TTL fields, and the TTL the reply's bytes carry. */
  readonly countdown: Countdown | null;
  readonly ttls: readonly number[];
  ttl: number;
  /** What the server keeps beside the reply (the block, who answered), opaque here. */
  readonly meta: unknown;
}

export class AnswerCache {
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  get size(): number { return this.#entries.size; }

  /**
   * The query's bytes after the ID, as a string (one char per byte) to key a Map: about twice as
   * fast as a hash of the bytes computed in JavaScript would gain over it, and exact. A server
   * keeps one cache per transport rather than mark the key (a concatenated key is a rope V8 must
   * flatten before hashing: 2× the cost).
   */
  static key(query: Uint8Array): string {
    return (query instanceof Buffer ? query : Buffer.from(query.buffer, query.byteOffset, query.length)).toString('latin1', 2);
  }

  /** The meta of the last entry get() returned (set on every hit; avoids an allocation per hit). */
  lastMeta: unknown = null;

  /** The cached reply for the query `key` was made of, or null. */
  get(key: string): SharedReply | null {
    const e = this.#entries.get(key);
    if (e === undefined) return null;
    if (e.countdown !== null) {
      const ttl = e.countdown.replay();
      if (ttl < 0) {
        this.#entries.delete(key);
        return null;
      }
      if (ttl !== e.ttl && e.ttls.length > 0) {
        const bytes = Buffer.allocUnsafe(e.reply.tail.length + 2);
        bytes.set(e.reply.tail, 2);
        for (const off of e.ttls) bytes.writeUInt32BE(ttl, off);
        e.reply = new SharedReply(bytes);
        e.ttl = ttl;
      }
    } else if (e.source!.revision !== e.revision) {
      this.#entries.delete(key);
      return null;
    }
    this.lastMeta = e.meta;
    return e.reply;
  }

  set(key: string, reply: Uint8Array, source: Versioned, revision: number, meta: unknown = null): void {
    this.#put(key, { reply: new SharedReply(reply), source, revision, countdown: null, ttls: [], ttl: -1, meta });
  }

  /** Stores a reply whose every record carries one TTL, counted down by `countdown` at each replay. */
  setCountdown(key: string, reply: Uint8Array, countdown: Countdown, meta: unknown = null): void {
    const ttls = ttlOffsets(reply);
    if (ttls === null) return;
    const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
    const ttl = ttls.length === 0 ? -1 : view.getUint32(ttls[0]!);
    // Only a reply whose records agree on the TTL can be counted down by overwriting them all.
    for (const off of ttls) if (view.getUint32(off) !== ttl) return;
    this.#put(key, { reply: new SharedReply(reply), source: null, revision: 0, countdown, ttls, ttl, meta });
  }

  #put(key: string, entry: Entry): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      // Evict the oldest insertion: Map iterates in insertion order.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, entry);
  }

  clear(): void { this.#entries.clear(); }
}
