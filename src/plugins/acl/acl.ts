/**
 * The acl handler (CoreDNS plugin/acl/acl.go). The block's rules are taken in order, each only for
 * the names in its zones; within a rule the first policy whose types and nets hold the query
 * decides: `block` answers REFUSED, `filter` NOERROR with no records (NODATA), each with an
 * Extended DNS Error (RFC 8914: Blocked 15, Filtered 17) when the client sent EDNS; `drop` sends
 * nothing; `allow` passes the query on at once, over the rules after it. A rule where no policy
 * holds leaves the query to the next one; past the last rule the query is allowed. IPv4 clients
 * of a dual-stack socket (`::ffff:a.b.c.d`) are matched as the IPv4 address, as CoreDNS's iptree
 * does.
 *
 * Answer-cache discipline: the server replays a stored reply for the same question bytes before
 * any plugin runs, so a reply acl let through must not reach a client acl would have stopped.
 * Whether acl stops a query depends on the question (its name picks the rules, its type is in the
 * cache key) and, where a policy names nets, on which of those nets hold the client. So when the
 * decision to let a query through looked at a net, the reply is declared to hold only for clients
 * in the same nets: ClientKey `#key` (one per handler, identity matters to the cache) gives a
 * client one character per net-bearing policy, '1' inside its nets, '0' outside. acl's own
 * replies (REFUSED, NODATA, no reply) are never cacheable, so each is counted here.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Address, Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ClientKey, ResponseWriter } from '../../core/writer.ts';
import type { CIDR } from '../../dns/ip.ts';
import { clientBytes, prefixContains } from '../../dns/ip.ts';
import { extendedError } from '../../dns/message.ts';
import { matchLowerZone } from '../../dns/name.ts';
import { ExtendedErrorCode, Rcode } from '../../dns/types.ts';
import { allowedRequests, blockedRequests, droppedRequests, filteredRequests } from './metrics.ts';
import type { AclRule, Action, Policy } from './setup.ts';

/** What acl does with a query: the action and the zone of the rule that chose it (null: no policy held). */
interface Verdict {
  readonly action: Action | null;
  readonly zone: string;
  /** Whether the client's nets were looked at. */
  readonly netsSeen: boolean;
}

/** Clients whose net bits are remembered (the answer cache asks for them at every replay). */
const MEMO_SIZE = 10_000;

export class AclHandler implements Handler {
  readonly name = 'acl';
  readonly #next: Handler;
  readonly #rules: readonly AclRule[];
  /** The position of each net-bearing policy's character in a client's bits. */
  readonly #bit = new Map<Policy, number>();
  readonly #nets: ReadonlyArray<readonly CIDR[]>;
  readonly #memo = new Map<string, string | null>();
  /** The answer cache's view of a client ('-' for an unreadable address: no reply is stored for one). */
  readonly #key: ClientKey = { of: (client) => this.#bits(client) ?? '-' };

  constructor(next: Handler, rules: readonly AclRule[]) {
    this.#next = next;
    this.#rules = rules;
    const nets: Array<readonly CIDR[]> = [];
    for (const p of rules.flatMap((r) => r.policies)) {
      if (p.nets === null) continue;
      this.#bit.set(p, nets.length);
      nets.push(p.nets);
    }
    this.#nets = nets;
  }

  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    const bits = this.#bits(req.client);
    const v = this.#decide(req.lname, req.qtype, bits);
    const labels = { server: req.server, zone: v.zone, view: '' };
    switch (v.action) {
      case 'block':
        blockedRequests.inc(labels);
        this.#answer(req, w, Rcode.REFUSED, ExtendedErrorCode.BLOCKED);
        return;
      case 'filter':
        filteredRequests.inc(labels);
        this.#answer(req, w, Rcode.NOERROR, ExtendedErrorCode.FILTERED);
        return;
      case 'drop':
        droppedRequests.inc(labels);
        w.drop(this.name);
        return;
      default:
        allowedRequests.inc({ server: req.server, view: '' });
        try {
          await nextOrFailure(this.name, this.#next, req, w);
        } finally {
          if (v.netsSeen) w.varies(this.#key, bits!);
        }
    }
  }

  /** The client's character per net-bearing policy; null when its address cannot be read (CoreDNS then blocks). */
  #bits(client: Address): string | null {
    let bits = this.#memo.get(client.address);
    if (bits === undefined) {
      const ip = clientBytes(client.address);
      bits = ip === null ? null : this.#nets.map((nets) => nets.some((n) => prefixContains(n.bytes, n.prefix, ip)) ? '1' : '0').join('');
      if (this.#memo.size >= MEMO_SIZE) this.#memo.clear();
      this.#memo.set(client.address, bits);
    }
    return bits;
  }

  #decide(lname: string, qtype: number, bits: string | null): Verdict {
    let netsSeen = false;
    for (const rule of this.#rules) {
      const zone = matchLowerZone(lname, rule.zones);
      if (zone === null) continue;
      if (bits === null) return { action: 'block', zone, netsSeen };
      for (const p of rule.policies) {
        if (p.types !== null && !p.types.has(qtype)) continue;
        if (p.nets !== null) {
          netsSeen = true;
          if (bits[this.#bit.get(p)!] !== '1') continue;
        }
        return { action: p.action, zone, netsSeen };
      }
    }
    return { action: null, zone: '', netsSeen };
  }

  /** REFUSED or NODATA, with the Extended DNS Error when the client speaks EDNS (CoreDNS adds it to every such reply). */
  #answer(req: Request, w: ResponseWriter, rcode: number, info: number): void {
    const q = req.msg.edns;
    const edns = q === null ? null : { udpSize: q.udpSize, version: 0, do: q.do, extendedRcode: 0, options: [extendedError(info)] };
    w.write({ ...reply(req, { rcode }), edns }, this.name);
    w.uncacheable();
  }
}
