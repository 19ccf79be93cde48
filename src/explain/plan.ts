/**
 * The entry point: `plan(input)` builds a `Resolver` for one getaddrinfo-style lookup — a pure,
 * synchronous state machine a driver runs against a real server or an in-process handler:
 *
 *     const r = plan({ resolver: 'musl', resolvConf, hosts, name: 'web', family: 'unspec' });
 *     for (let s = r.next(); s.kind !== 'done'; s = r.next()) {
 *       if (s.kind === 'query') send(s)            // then, when it answers: r.reply(s, outcome)
 *       else await oneReply(s.pending)              // s.kind === 'wait'
 *     }
 *
 * Order of the steps (pod-dns spec §4): an IP literal is its own answer; then /etc/hosts (the name
 * as typed); then DNS, through the engine of the chosen resolver (glibc.ts, musl.ts, golang.ts).
 * `simulate(input, respond)` runs a plan against a function that answers every query at once.
 */
import { canonicalIP, ipFamily } from '../dns/ip.ts';
import { Runtime } from './engine.ts';
import type { Engine } from './engine.ts';
import { glibcEngine } from './glibc.ts';
import { goEngine } from './golang.ts';
import { lookupHosts } from './hosts.ts';
import type { HostsAnswer } from './hosts.ts';
import { muslEngine } from './musl.ts';
import { searchCandidates } from './names.ts';
import { readResolvConf } from './resolvconf.ts';
import type { ResolvConfig } from './resolvconf.ts';
import { sortAddresses } from './sort.ts';
import type { Candidate, Done, Family, Outcome, Query, ResolverKind, Result, TraceEvent, Wait } from './types.ts';

export interface PlanInput {
  readonly resolver: ResolverKind;
  /** The text of /etc/resolv.conf. */
  readonly resolvConf: string;
  /** The text of /etc/hosts (default: empty). */
  readonly hosts?: string;
  /** The name as the program passes it to getaddrinfo. */
  readonly name: string;
  /** Default 'unspec'. */
  readonly family?: Family;
  /** The kernel host name: glibc and Go take the default search domain from it. */
  readonly hostname?: string;
  /** glibc: /etc/host.conf has `multi on` (default true, as Debian and Ubuntu ship it). */
  readonly hostConfMulti?: boolean;
  /** glibc `rotate`: the process's starting offset (random in a real process; default 0). */
  readonly rotateOffset?: number;
  /**
   * The host's own non-loopback addresses, for the sorting of results (sort.ts). Default none:
   * only loopback destinations count as reachable.
   */
  readonly sources?: readonly string[];
}

export interface Resolver {
  readonly input: PlanInput;
  /** resolv.conf as this resolver read it. */
  readonly config: ResolvConfig;
  /** The /etc/hosts answer, or null when the lookup goes to DNS. */
  readonly hosts: HostsAnswer | null;
  /** Every name the resolver would try if each one were NXDOMAIN, in order. */
  readonly searchList: readonly Candidate[];
  /** The names tried so far (the query's `candidate` indexes this). */
  readonly candidates: readonly Candidate[];
  /** The queries sent so far. */
  readonly queries: readonly Query[];
  readonly trace: readonly TraceEvent[];
  /** The next query to send, a wait for replies, or the result. */
  next(): Query | Wait | Done;
  /** The outcome of a query sent earlier. */
  reply(query: Query | number, outcome: Outcome): void;
}

function literal(kind: ResolverKind, name: string, family: Family): Result | null {
  const bare = name.split('%')[0]!;
  const fam = ipFamily(bare);
  if (fam === 0) return null;
  const addr = canonicalIP(bare)!;
  const wrong = (family === 'inet' && fam === 6) || (family === 'inet6' && fam === 4);
  if (!wrong) return { addresses: [addr], error: null, from: 'literal', name, why: 'an IP address is its own answer; no lookup' };
  if (kind === 'glibc') {
    return { addresses: [], error: 'EAI_ADDRFAMILY', from: null, name: null, why: 'an address of the other family (glibc getaddrinfo.c text_to_binary_address)' };
  }
  if (kind === 'go') {
    return { addresses: [], error: 'EAI_ADDRFAMILY', from: null, name: null, goError: 'no suitable address found', why: 'an address of the other family (Go net/ipsock.go filterAddrList)' };
  }
  return { addresses: [], error: 'EAI_NONAME', from: null, name: null, why: 'an address of the other family (musl lookup_ipliteral.c)' };
}

function engineFor(input: Required<Pick<PlanInput, 'resolver' | 'name' | 'family'>>, config: ResolvConfig, sources: readonly string[], rotateOffset: number): Engine {
  const e = { config, name: input.name, family: input.family, sources, rotateOffset };
  if (input.resolver === 'glibc') return glibcEngine(e);
  if (input.resolver === 'go') return goEngine(e);
  return muslEngine(input.resolver, e);
}

export function plan(input: PlanInput): Resolver {
  const family = input.family ?? 'unspec';
  const sources = input.sources ?? [];
  const config = readResolvConf(input.resolver, input.resolvConf, input.hostname === undefined ? {} : { hostname: input.hostname });
  const lit = literal(input.resolver, input.name, family);
  const hosts = lit === null ? lookupHosts(input.resolver, input.hosts ?? '', input.name, family, input.hostConfMulti === undefined ? {} : { multi: input.hostConfMulti }) : null;
  let first: Result | null = lit;
  if (first === null && hosts !== null) {
    first = hosts.error !== null
      ? { addresses: [], error: hosts.error, from: null, name: null, why: hosts.why, ...(hosts.goError === undefined ? {} : { goError: hosts.goError }) }
      : { addresses: sortAddresses(input.resolver, hosts.addresses, sources).addresses, error: null, from: 'hosts', name: input.name, why: hosts.why };
  }
  const runtime = new Runtime(engineFor({ resolver: input.resolver, name: input.name, family }, config, sources, input.rotateOffset ?? 0), first);
  return {
    input,
    config,
    hosts,
    searchList: searchCandidates(input.resolver, config, input.name),
    get candidates() { return runtime.candidates; },
    get queries() { return runtime.sent; },
    get trace() { return runtime.trace; },
    next: () => runtime.next(),
    reply: (q, o) => runtime.reply(q, o),
  };
}

export interface Simulation {
  readonly result: Result;
  readonly queries: readonly Query[];
  readonly candidates: readonly Candidate[];
  readonly trace: readonly TraceEvent[];
  readonly resolver: Resolver;
}

/** Runs a plan with every query answered at once by `respond` (an in-process server). */
export function simulate(input: PlanInput, respond: (q: Query) => Outcome, maxQueries = 10_000): Simulation {
  const r = plan(input);
  for (;;) {
    const s = r.next();
    if (s.kind === 'query') {
      if (r.queries.length > maxQueries) throw new Error(`more than ${maxQueries} queries: a loop in the model?`);
      r.reply(s, respond(s));
      continue;
    }
    if (s.kind === 'wait') throw new Error(`internal: waiting on ${s.pending.map((q) => q.id).join(', ')} although every query was answered`);
    return { result: s.result, queries: r.queries, candidates: r.candidates, trace: r.trace, resolver: r };
  }
}
