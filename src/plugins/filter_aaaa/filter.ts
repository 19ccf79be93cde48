/**
 * The filter_aaaa handler: AAAA queries for names in its zones (and not excepted) are answered
 * NOERROR with no answer (NODATA) and a synthetic SOA in the authority section, without asking
 * the next plugin (forward). The SOA is owned by the name asked, so that it claims no authority
 * over any other name, and its TTL and MINIMUM are the configured TTL, which is how long stub and
 * caching resolvers keep the negative answer (RFC 2308 §5). The reply depends on the question
 * alone, so the server's answer cache replays it.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ResponseWriter, Versioned } from '../../core/writer.ts';
import { inZones } from '../../dns/name.ts';
import type { ResourceRecord, SoaData } from '../../dns/types.ts';
import { RRClass, RRType } from '../../dns/types.ts';
import type { FilterAaaaOptions } from './setup.ts';

/** The SOA's MNAME and RNAME: under `invalid.` (RFC 6761 §6.4), so visibly synthetic and never resolvable. */
export const SOA_MNAME = 'filter-aaaa.podns.invalid.';
export const SOA_RNAME = 'hostmaster.podns.invalid.';

/** The answers depend on the question alone. */
const CONSTANT: Versioned = Object.freeze({ revision: 0 });

export class FilterAaaaHandler implements Handler {
  readonly name = 'filter_aaaa';
  readonly #next: Handler;
  readonly #o: FilterAaaaOptions;
  readonly #soa: SoaData;

  constructor(next: Handler, o: FilterAaaaOptions) {
    this.#next = next;
    this.#o = o;
    this.#soa = Object.freeze({ mname: SOA_MNAME, rname: SOA_RNAME, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: o.ttl });
  }

  serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    if (req.qtype !== RRType.AAAA || !this.#filters(req.lname)) return nextOrFailure(this.name, this.#next, req, w);
    const soa: ResourceRecord = { name: req.qname, type: RRType.SOA, class: RRClass.IN, ttl: this.#o.ttl, data: this.#soa };
    w.write(reply(req, { ra: true, authorities: [soa] }), this.name);
    w.cacheable(CONSTANT);
    return Promise.resolve();
  }

  #filters(lname: string): boolean {
    return inZones(lname, this.#o.zones) && !inZones(lname, this.#o.except);
  }
}
