/**
 * The kubernetes plugin's Handler: matches the query against the plugin's zones, asks the pure
 * record logic (records.ts) for the answer over the current ClusterState, applies `fallthrough`,
 * chases ExternalName targets outside the plugin's zones through the server's own chain, and
 * writes an authoritative reply. Replies built only from the cluster state are marked cacheable
 * against it, so the server replays them as wire bytes until the state changes.
 */
import type { Handler, SetupContext } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ResponseWriter, Versioned } from '../../core/writer.ts';
import type { ClusterState } from '../../cluster/state.ts';
import { matchLowerZone } from '../../dns/name.ts';

import type { ResourceRecord } from '../../dns/types.ts';
import { answer } from './records.ts';
import type { KubernetesConfig } from './setup.ts';


/**
 * What a reply depends on, for the answer cache: for a name under `NS.svc.<zone>` or
 * `NS.pod.<zone>` whose records all stay under it, the namespace's scope (a negative one, with
 * the SOA serial, when there is no answer), so that churn elsewhere does not evict it; for
 * anything else (the apex, PTR, wildcard namespaces, an ExternalName chased into another
 * namespace) the whole state.
 */
export function dependsOn(state: ClusterState, lname: string, zone: string, answers: readonly ResourceRecord[], additionals: readonly ResourceRecord[]): Versioned {
  if (lname === zone) return state;
  const labels = (zone === '.' ? lname : lname.slice(0, lname.length - zone.length)).split('.');
  labels.pop(); // '' after the last dot
  const label = labels.at(-1);
  const ns = labels.at(-2);
  if ((label !== 'svc' && label !== 'pod') || ns === undefined || ns === '*') return state;
  const suffix = `.${ns}.${label}.${zone === '.' ? '' : zone}`;
  const inside = (rr: ResourceRecord): boolean => {
    const n = rr.name.toLowerCase();
    return n.endsWith(suffix) || `.${n}` === suffix;
  };
  if (!answers.every(inside) || !additionals.every(inside)) return state;
  return state.scope(ns, answers.length === 0);
}

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  readonly #next: Handler;
  readonly #config: KubernetesConfig;
  readonly #state: ClusterState;
  readonly #ctx: SetupContext;

  constructor(next: Handler, config: KubernetesConfig, state: ClusterState, ctx: SetupContext) {
    this.#next = next;
    this.#config = config;
    this.#state = state;
    this.#ctx = ctx;
  }

  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    const opts = this.#config.options;
    const zone = matchLowerZone(req.lname, opts.zones);
    if (zone === null) return nextOrFailure(this.name, this.#next, req, w);
    const state = this.#state;
    const a = answer(state, { name: req.qname, type: req.qtype, zone }, opts);
    if (a.nameError && this.#fallsThrough(req.lname)) return nextOrFailure(this.name, this.#next, req, w);
    let answers: readonly ResourceRecord[] = a.answers;
    let authorities: readonly ResourceRecord[] = a.authorities;
    let tc = false;
    if (a.chase !== null) {
      const m = await this.#ctx.lookup(req, a.chase.target, a.chase.type);
      if (m === null) {
        // The lookup could not run: CoreDNS drops the CNAME, and with it every CNAME of the chain
        // leading to it (each level of backend_lookup.go's recursion comes back empty): NODATA.
        answers = [];
        authorities = a.nodataAuthorities;
      } else {
        answers = [...answers, ...m.answers];
        tc = m.tc;
      }
    }
    w.write(reply(req, { rcode: a.rcode, aa: true, tc, answers, authorities, additionals: a.additionals }), this.name);
    if (a.chase === null) w.cacheable(dependsOn(state, req.lname, zone, a.answers, a.additionals));
  }

  #fallsThrough(lname: string): boolean {
    const zones = this.#config.fallthrough;
    if (zones === null) return false;
    if (zones.length === 0) return true;
    return matchLowerZone(lname, zones) !== null;
  }
}

