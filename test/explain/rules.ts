/**
 * A scripted DNS server's behaviour as data, shared by the namespace helper (netns-dns.ts, which
 * answers real queries with it) and by the reality test (which feeds the same answers to the
 * model), so both sides see exactly the same server.
 */
import type { Outcome, QType, Transport } from '../../src/explain/index.ts';

export interface Rule {
  /** The question name, absolute; compared case-insensitively. */
  readonly name: string;
  readonly type?: QType;
  /** Only for queries to this nameserver address. */
  readonly server?: string;
  /**
   * - answer: NOERROR with `addresses` (A or AAAA records, as the query's type asks);
   * - nodata, nxdomain, servfail, refused: that reply;
   * - drop: no reply at all;
   * - truncated: over UDP an empty reply with TC=1; over TCP the answer with `addresses`.
   */
  readonly reply: 'answer' | 'nodata' | 'nxdomain' | 'servfail' | 'refused' | 'drop' | 'truncated';
  readonly addresses?: readonly string[];
}

export interface Asked {
  readonly name: string;
  readonly type: QType;
  readonly transport: Transport;
  readonly server: string;
}

const V4 = /^\d+\.\d+\.\d+\.\d+$/;

function answer(type: QType, addresses: readonly string[]): Outcome {
  const of = addresses.filter((a) => (type === 'A' ? V4.test(a) : !V4.test(a)));
  return of.length === 0 ? { kind: 'nodata' } : { kind: 'answer', addresses: of };
}

/** What the server does with a query: the first rule that matches, else NXDOMAIN. */
export function decide(rules: readonly Rule[], q: Asked): Outcome {
  const name = q.name.toLowerCase();
  for (const r of rules) {
    if (r.name.toLowerCase() !== name) continue;
    if (r.type !== undefined && r.type !== q.type) continue;
    if (r.server !== undefined && r.server !== q.server) continue;
    switch (r.reply) {
      case 'answer': return answer(q.type, r.addresses ?? []);
      case 'truncated': return q.transport === 'udp' ? { kind: 'truncated' } : answer(q.type, r.addresses ?? []);
      case 'drop': return { kind: 'timeout' };
      case 'nodata': return { kind: 'nodata' };
      case 'nxdomain': return { kind: 'nxdomain' };
      case 'servfail': return { kind: 'servfail' };
      case 'refused': return { kind: 'refused' };
    }
  }
  return { kind: 'nxdomain' };
}
