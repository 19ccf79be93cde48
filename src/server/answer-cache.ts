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
 * A reply that holds only for some clients (autopath's, which depends on the asking pod's
 * namespace) is stored per value of the ClientKey its plugin named, and replayed only to clients
 * with the same value.
 *
 * A reply can also be stored under a Countdown (the cache plugin's hits for forwarded names): each
 * replay asks it for the TTL and finds the entry gone (the chain answers), or gets a TTL to write
 * into every record's TTL field (their offsets found once, when stored). Stored bytes are never
 * written to — a hit is sent as they are, with the query's ID in front (SharedReply) — so a new
 * TTL makes a new copy, at most once a second per entry.
 */
import type { ClientKey, Countdown, Versioned } from '../core/writer.ts';
import type { Address } from '../core/request.ts';
import { ttlOffsets } from '../dns/header.ts';
import { SharedReply } from '../transport/listen.ts';

/** What a stored reply's validity hangs on (ResponseWriter's declarations); at least one of source and countdown. */
export interface Validity {
  /** Valid while source.revision === revision. */
  readonly source?: Versioned | null;
  readonly revision?: number;
  /** Valid while countdown.replay() gives a TTL, which every record then carries. */
  readonly countdown?: Countdown | null;
  /** Only for clients vary.of(client) === varyValue. */
  readonly vary?: ClientKey | null;
  readonly varyValue?: string;
}

interface Entry {
  /** The reply (its ID is ignored), as it is sent. Replaced, never changed, by a Countdown replay. */
  reply: SharedReply;
  readonly source: Versioned | null;
  readonly revision: number;
  /** Countdown entries: the countdown, the TTL fields, and the TTL the reply's bytes carry. */
  readonly countdown: Countdown | null;
  readonly ttls: readonly number[];
  ttl: number;
  /** What the server keeps beside the reply (the block, who answered), opaque here. */
  readonly meta: unknown;
  /** Always null: tells an Entry from a Varying with one property read. */
  readonly vary: null;
}

/** The replies to one query for each value of a ClientKey (autopath's, by the asking pod's namespace). */
interface Varying {
  readonly vary: ClientKey;
  readonly byClient: Map<string, Entry>;
}

const SLAB_SIZE = 64 * 1024;

/**
 * A denial: NXDOMAIN, or NOERROR with no answer (NODATA). A flood of random names (a
 * random-subdomain attack, a misconfigured client) makes nothing else, one entry per name, so
 * denials get their own, smaller capacity, as CoreDNS's cache keeps a denial cache apart.
 */
function isDenial(reply: Uint8Array): boolean {
  const rcode = reply[3]! & 0x0f;
  return rcode === 3 || (rcode === 0 && reply[6] === 0 && reply[7] === 0);
}

export class AnswerCache {
  readonly #entries = new Map<string, Entry | Varying>();
  readonly #capacity: number;
  /** The keys of denial entries, oldest first; at most #denialCapacity. */
  readonly #denials = new Set<string>();
  readonly #denialCapacity: number;
  #slab: Buffer = Buffer.alloc(0);
  #slabUsed = 0;

  /**
   * At most `capacity` queries' replies, of which at most `denialCapacity` denials (about CoreDNS's
   * default denial cache, 9984); the oldest stored goes first. Two passes of a random-subdomain
   * flood (300 000 NXDOMAIN names, dnsperf) over bench/'s cluster: RSS +58 MB when denials could
   * take all 100 000 places, +10 MB and flat on the second pass with 10 000, and the flood's QPS
   * 14 000 → 23 000. At the answers' bound it holds ~500 octets an entry (key, entry, view,
   * bytes): 300 000 queries in random letter case (each spelling its own key, as 0x20-randomizing
   * resolvers send them) took RSS from 93 to 143 MB and no further.
   */
  constructor(capacity = 100_000, denialCapacity = 10_000) {
    this.#capacity = capacity;
    this.#denialCapacity = denialCapacity;
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

  /** The cached reply for the query `key` was made of, asked by `client`, or null. */
  get(key: string, client: Address): SharedReply | null {
    const top = this.#entries.get(key);
    if (top === undefined) return null;
    let e: Entry | undefined;
    let sub: Map<string, Entry> | null = null;
    let value = '';
    if (top.vary === null) e = top;
    else {
      sub = top.byClient;
      value = top.vary.of(client);
      e = sub.get(value);
      if (e === undefined) return null;
    }
    if (e.source !== null && e.source.revision !== e.revision) {
      if (sub === null) this.#remove(key); else sub.delete(value);
      return null;
    }
    if (e.countdown !== null) {
      const ttl = e.countdown.replay();
      if (ttl < 0) {
        if (sub === null) this.#remove(key); else sub.delete(value);
        return null;
      }
      if (ttl !== e.ttl && e.ttls.length > 0) {
        const tail = this.#keep(e.reply.tail);
        for (const off of e.ttls) tail.writeUInt32BE(ttl, off - 2);
        e.reply = new SharedReply(tail);
        e.ttl = ttl;
      }
    }
    this.lastMeta = e.meta;
    return e.reply;
  }

  /**
   * Stores a reply under the validity its plugins declared. A Countdown reply is stored only when
   * every record carries one TTL (the countdown overwrites them all) and its bytes can be walked.
   */
  set(key: string, reply: Uint8Array, validity: Validity, meta: unknown = null): void {
    const source = validity.source ?? null;
    const countdown = validity.countdown ?? null;
    if (source === null && countdown === null) return;
    let ttls: readonly number[] = [];
    let ttl = -1;
    if (countdown !== null) {
      const offsets = ttlOffsets(reply);
      if (offsets === null) return;
      const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
      ttl = offsets.length === 0 ? -1 : view.getUint32(offsets[0]!);
      // Only a reply whose records agree on the TTL can be counted down by overwriting them all.
      for (const off of offsets) if (view.getUint32(off) !== ttl) return;
      ttls = offsets;
    }
    const entry: Entry = { reply: new SharedReply(this.#keep(reply.subarray(2))), source, revision: validity.revision ?? 0, countdown, ttls, ttl, meta, vary: null };
    const vary = validity.vary ?? null;
    if (vary === null) {
      this.#put(key, entry, isDenial(reply));
      return;
    }
    let top = this.#entries.get(key);
    if (top === undefined || top.vary !== vary) {
      top = { vary, byClient: new Map() };
      this.#put(key, top, false);
    }
    (top as Varying).byClient.set(validity.varyValue ?? '', entry);
  }

  /**
   * A copy of `bytes` the cache keeps: small ones packed into 64 KiB slabs of their own, in the
   * order they come. Keeping the reply's own Buffer instead would keep the whole 8 KiB pool chunk
   * it was cut from, garbage and all (Buffer.allocUnsafe): at the bound, with the server's
   * per-route shared Hit objects, RSS +63 MB → +50 MB under a flood of distinct answers.
   * A slab goes when every reply in it is gone or replaced, which FIFO eviction and the once-a-
   * second TTL copies make happen in order.
   */
  #keep(bytes: Uint8Array): Buffer {
    const n = bytes.length;
    if (n > SLAB_SIZE >> 4) {
      const own = Buffer.allocUnsafeSlow(n);
      own.set(bytes);
      return own;
    }
    if (this.#slabUsed + n > this.#slab.length) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.#slabUsed = 0;
    }
    const out = this.#slab.subarray(this.#slabUsed, this.#slabUsed + n);
    out.set(bytes);
    this.#slabUsed += n;
    return out;
  }

  #put(key: string, entry: Entry | Varying, denial: boolean): void {
    if (denial) {
      if (this.#denials.size >= this.#denialCapacity && !this.#denials.has(key)) {
        const oldest = this.#denials.values().next();
        if (oldest.done !== true) this.#remove(oldest.value);
      }
      this.#denials.add(key);
    } else {
      this.#denials.delete(key);
    }
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      // Evict the oldest insertion: Map iterates in insertion order.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#remove(oldest.value);
    }
    this.#entries.set(key, entry);
  }

  #remove(key: string): void {
    this.#entries.delete(key);
    this.#denials.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#denials.clear();
  }
}
