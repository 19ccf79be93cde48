/**
 * Small interfaces plugins offer each other through SetupContext.provide()/provided(), found by
 * key rather than by import (CoreDNS finds them by plugin name and type assertion: AutoPather,
 * Transferer, Readiness). No plugin imports another; they meet here.
 */
import type { ResourceRecord } from '../dns/types.ts';
import type { Request } from './request.ts';
import type { ClientKey, Versioned } from './writer.ts';

/** Offered by kubernetes under AUTOPATH: the search path of the pod that sent `req`. */
export interface AutoPather {
  /**
   * The client's search list, most specific first, ending with "" (the name as asked), e.g.
   * ["shop.svc.cluster.local.", "svc.cluster.local.", "cluster.local.", "example.com.", ""];
   * null when no autopath must be done for this client (not a known pod, not synced, …).
   */
  searchPath(req: Request): readonly string[] | null;
  /**
   * What the search path of a client depends on, besides the query's zone: the same value for two
   * clients means the same path for every query (the pod's namespace; "" for no path). With
   * `source`, whose revision moves whenever that could change, it lets autopath's replies be
   * replayed per namespace from the answer cache. Absent: a path that is the same for every client.
   */
  readonly clientKey?: ClientKey;
  readonly source?: Versioned;
}
export const AUTOPATH = 'autopath';

/** Offered by kubernetes under TRANSFER: the content of its zones for AXFR/IXFR. */
export interface Transferer {
  /** The zones it can transfer (lower case, absolute). */
  readonly zones: readonly string[];
  /** The SOA serial of `zone` now. */
  serial(zone: string): number;
  /**
   * The zone's records in transfer order, starting with the SOA and without the closing SOA;
   * null when `zone` is not one of its zones.
   */
  transfer(zone: string): readonly ResourceRecord[] | null;
}
export const TRANSFER = 'transfer';
