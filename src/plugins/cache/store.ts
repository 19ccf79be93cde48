/**
 * The cache's storage: Item (one stored reply, its lifetime and popularity, and how it becomes a
 * reply again) and Store (a bounded map with random eviction).
 *
 * An Item keeps the reply as a Message whose every record already carries the entry's lifetime
 * (the cache rewrote them before storing, as CoreDNS does). Serving it needs the TTLs counted down:
 * the rewritten sections are built once per distinct TTL value and reused by every hit in that
 * second, so a hit allocates the reply object and nothing per record. Repeated hits for the same
 * query bytes do not even get here: the server's answer cache replays the encoded reply with its
 * TTLs rewritten in place (the handler's Countdown).
 *
 * Store: CoreDNS splits a cache into 256 shards of floor(CAPACITY/256) (at least 4) entries and,
 * when a shard is full, evicts a random entry of that shard. podns keeps one map of the same total
 * capacity and evicts a random entry of the whole map when it is full: the same bound and the same
 * kind of policy, without shards filling unevenly (single-threaded JavaScript needs no lock
 * striping). Expired entries stay until evicted or replaced, as in CoreDNS.
 */
import type { Message, ResourceRecord } from '../../dns/types.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';

export class Item {
  /** The reply's question, as spelled in the reply and lower-cased. */
  readonly name: string;
  readonly lname: string;
  readonly qtype: number;
  readonly qclass: number;
  readonly rcode: number;
  readonly aa: boolean;
  readonly ad: boolean;
  readonly ra: boolean;
  /** The sections, every record's TTL set to origTTL. */
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
  /** The lifetime, in whole seconds. */
  readonly origTTL: number;
  /** When it was stored (the cache's clock, ms). */
  readonly stored: number;
  /** Popularity (CoreDNS cache/freq): hits without a gap over the prefetch duration, and the last one. */
  hits = 0;
  last = Number.NEGATIVE_INFINITY;
  /** No refresh before this time (FAILURE_RECHECK after a failed refresh). */
  retryAfter = Number.NEGATIVE_INFINITY;
  /** Position in its Store's key array (random eviction in O(1)). */
  slot = -1;
  #memoTtl = -1;
  #an: readonly ResourceRecord[] = [];
  #ns: readonly ResourceRecord[] = [];
  #ar: readonly ResourceRecord[] = [];

  constructor(m: Message, lname: string, origTTL: number, stored: number) {
    const q = m.questions[0];
    this.name = q?.name ?? '.';
    this.lname = lname;
    this.qtype = q?.type ?? 0;
    this.qclass = q?.class ?? 0;
    this.rcode = m.rcode;
    this.aa = m.aa;
    this.ad = m.ad;
    this.ra = m.ra;
    this.answers = m.answers;
    this.authorities = m.authorities;
    this.additionals = m.additionals;
    this.origTTL = origTTL;
    this.stored = stored;
  }

  /** Seconds left (negative once expired), truncated like CoreDNS's int(now.Sub(stored).Seconds()). */
  ttl(now: number): number {
    return this.origTTL - Math.trunc((now - this.stored) / 1000);
  }

  /** freq.Update: a hit within `gapMs` of the last one adds one, a later one starts over at 1. */
  update(gapMs: number, now: number): number {
    if (this.last < now - gapMs) this.hits = 1;
    else this.hits++;
    this.last = now;
    return this.hits;
  }

  /** Does the entry answer this request's question (a guard beside the key, as CoreDNS's matches)? */
  matches(req: Request): boolean {
    return this.qtype === req.qtype && this.qclass === req.qclass && this.lname === req.lname;
  }

  /**
   * The entry as a reply to `req` with every TTL set to `ttl`: the request's id, opcode, RD, CD and
   * question spelling; the stored rcode, AA and RA; AD only when the client set DO or AD (RFC 6840
   * §5.7–5.8). No OPT record: the server adds the client's EDNS.
   */
  toMsg(req: Request, ttl: number): Message {
    const t = ttl < 0 ? 0 : ttl;
    let an = this.answers;
    let ns = this.authorities;
    let ar = this.additionals;
    if (t !== this.origTTL) {
      if (t !== this.#memoTtl) {
        this.#an = withTtl(this.answers, t);
        this.#ns = withTtl(this.authorities, t);
        this.#ar = withTtl(this.additionals, t);
        this.#memoTtl = t;
      }
      an = this.#an;
      ns = this.#ns;
      ar = this.#ar;
    }
    return reply(req, {
      rcode: this.rcode, aa: this.aa, ra: this.ra, ad: (req.dnssecOk || req.msg.ad) && this.ad,
      answers: an, authorities: ns, additionals: ar,
    });
  }
}

/** The records with their TTL replaced (CoreDNS filterRRSlice; there is no OPT in podns's sections). */
export function withTtl(rrs: readonly ResourceRecord[], ttl: number): readonly ResourceRecord[] {
  if (rrs.length === 0) return rrs;
  const out = new Array<ResourceRecord>(rrs.length);
  for (let i = 0; i < rrs.length; i++) {
    const r = rrs[i]!;
    out[i] = r.ttl === ttl ? r : ({ ...r, ttl } as ResourceRecord);
  }
  return out;
}

/** A bounded map of Items; adding a new key to a full store evicts a random entry. */
export class Store {
  readonly capacity: number;
  readonly #items = new Map<string, Item>();
  readonly #keys: string[] = [];
  readonly #random: () => number;

  constructor(capacity: number, random: () => number = Math.random) {
    this.capacity = capacity;
    this.#random = random;
  }

  get size(): number { return this.#items.size; }

  get(key: string): Item | undefined { return this.#items.get(key); }

  /** Stores `item` under `key` (replacing any entry); returns true when another entry was evicted for it. */
  set(key: string, item: Item): boolean {
    const old = this.#items.get(key);
    if (old !== undefined) {
      item.slot = old.slot;
      this.#items.set(key, item);
      return false;
    }
    let evicted = false;
    if (this.#items.size >= this.capacity) {
      this.#removeSlot(Math.min(this.#keys.length - 1, Math.floor(this.#random() * this.#keys.length)));
      evicted = true;
    }
    item.slot = this.#keys.length;
    this.#keys.push(key);
    this.#items.set(key, item);
    return evicted;
  }

  remove(key: string): boolean {
    const item = this.#items.get(key);
    if (item === undefined) return false;
    this.#removeSlot(item.slot);
    return true;
  }

  #removeSlot(slot: number): void {
    const key = this.#keys[slot]!;
    const lastKey = this.#keys.pop()!;
    if (slot < this.#keys.length) {
      this.#keys[slot] = lastKey;
      this.#items.get(lastKey)!.slot = slot;
    }
    this.#items.delete(key);
  }
}
