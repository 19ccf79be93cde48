/**
 * The hosts handler (CoreDNS plugin/hosts/hosts.go ServeDNS):
 * - a name outside the plugin's zones goes to the next plugin, whatever `fallthrough` says;
 *   PTR queries are looked up whatever their zone;
 * - PTR: the generated records, or the next plugin when the address has none;
 * - A / AAAA: the entries of that family (empty: NODATA when the name has the other family);
 * - any other type for a known name: NODATA without SOA (the next plugin with
 *   `fallthrough_unsupported` inside the fallthrough zones);
 * - a name with no entry: the next plugin when `fallthrough` covers it, otherwise nothing is
 *   written and the server answers SERVFAIL (CoreDNS returns SERVFAIL: without a SOA it cannot
 *   build an NXDOMAIN).
 * Answers are authoritative, owned by the lower-cased query name (CoreDNS state.Name()), and
 * marked cacheable against the table, so a file change drops them from the answer cache.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { RRType } from '../../dns/types.ts';
import type { ResourceRecord } from '../../dns/types.ts';
import { inZones } from '../../dns/name.ts';
import { hostsHits } from './metrics.ts';
import type { HostsTable } from './table.ts';

export interface HandlerOptions {
  readonly origins: readonly string[];
  readonly fallthrough: readonly string[] | null;
  readonly fallthroughUnsupported: boolean;
}

const NONE: readonly ResourceRecord[] = [];

export class HostsHandler implements Handler {
  readonly name = 'hosts';
  readonly #options: HandlerOptions;
  readonly #table: HostsTable;
  readonly #next: Handler;

  constructor(options: HandlerOptions, table: HostsTable, next: Handler) {
    this.#options = options;
    this.#table = table;
    this.#next = next;
  }

  serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    const qname = req.lname;
    const qtype = req.qtype;
    const table = this.#table;
    if (qtype !== RRType.PTR && !inZones(qname, this.#options.origins)) return nextOrFailure(this.name, this.#next, req, w);
    let answers = NONE;
    switch (qtype) {
      case RRType.PTR: {
        const ptr = table.ptr(qname);
        if (ptr === null) return nextOrFailure(this.name, this.#next, req, w);
        answers = ptr;
        break;
      }
      case RRType.A: answers = table.a(qname); break;
      case RRType.AAAA: answers = table.aaaa(qname); break;
    }
    if (answers.length === 0) {
      if (!table.exists(qname)) {
        if (this.#fallsThrough(qname)) return nextOrFailure(this.name, this.#next, req, w);
        return Promise.resolve(); // nothing written: the server answers SERVFAIL
      }
      if (qtype !== RRType.A && qtype !== RRType.AAAA && this.#options.fallthroughUnsupported && this.#fallsThrough(qname)) {
        return nextOrFailure(this.name, this.#next, req, w);
      }
    }
    w.write(reply(req, { aa: true, answers }), this.name);
    w.cacheable(table);
    hostsHits.inc();
    return Promise.resolve();
  }

  #fallsThrough(qname: string): boolean {
    const zones = this.#options.fallthrough;
    return zones !== null && inZones(qname, zones);
  }
}
