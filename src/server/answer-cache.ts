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
 */
import type { Versioned } from '../core/writer.ts';

interface Entry {
  readonly reply: Uint8Array;
  readonly source: Versioned;
  readonly revision: number;
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

  static key(query: Uint8Array, transport: 'udp' | 'tcp'): string {
    return (transport === 'udp' ? 'u' : 't') + Buffer.from(query.buffer, query.byteOffset + 2, query.length - 2).toString('latin1');
  }

  /** The meta of the last entry get() returned (set on every hit; avoids an allocation per hit). */
  lastMeta: unknown = null;

  /** The cached reply for `query` with its ID patched in, or null. */
  get(key: string, query: Uint8Array): Uint8Array | null {
    const e = this.#entries.get(key);
    if (e === undefined) return null;
    if (e.source.revision !== e.revision) {
      this.#entries.delete(key);
      return null;
    }
    const out = Buffer.allocUnsafe(e.reply.length);
    out.set(e.reply);
    out[0] = query[0]!;
    out[1] = query[1]!;
    this.lastMeta = e.meta;
    return out;
  }

  set(key: string, reply: Uint8Array, source: Versioned, revision: number, meta: unknown = null): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      // Evict the oldest insertion: Map iterates in insertion order.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { reply, source, revision, meta });
  }

  clear(): void { this.#entries.clear(); }
}
