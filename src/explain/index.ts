/**
 * explain/: how a pod's stub resolver (glibc, musl 1.2.3, musl 1.2.4+, Go) turns one name into
 * DNS queries, modelled from their sources and checked against the real libcs
 * (test/explain/reality.test.ts). Pure: imports only dns/. See README.md.
 */
export { plan, simulate } from './plan.ts';
export type { PlanInput, Resolver, Simulation } from './plan.ts';
export { readResolvConf } from './resolvconf.ts';
export type { ResolvConfig, ReadOptions } from './resolvconf.ts';
export { lookupHosts } from './hosts.ts';
export type { HostsAnswer, HostsOptions } from './hosts.ts';
export { searchCandidates } from './names.ts';
export { sortAddresses } from './sort.ts';
export type { SortResult } from './sort.ts';
export { RESOLVERS } from './types.ts';
export type {
  Candidate, Done, Family, GaiError, Outcome, OutcomeKind, QType, Query, ResolverKind, Result, TraceEvent, Transport, Wait,
} from './types.ts';
export { classifyReply, roundTrips, verdict } from './report.ts';
export type { RunSummary } from './report.ts';
