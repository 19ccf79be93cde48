/**
 * The pure parts of `podns explain` (src/cli/explain.ts does the sockets and the printing):
 * - `classifyReply`: a decoded reply → the model's Outcome for the query it answers;
 * - `verdict`: the plain-words summary of a finished run (queries, round trips, time, advice).
 * Imports only dns/ and this folder.
 */
import { RRType, Rcode } from '../dns/types.ts';
import type { Message } from '../dns/types.ts';
import type { Candidate, Outcome, Query, Result } from './types.ts';

/**
 * What a reply means to a stub resolver: TC=1 → truncated; NXDOMAIN; SERVFAIL; NOERROR with
 * records of the query's type (anywhere in the answer section, so a CNAME chain counts) → answer,
 * without → nodata. Any other rcode (REFUSED, FORMERR, NOTIMP, …) → refused: glibc moves to the
 * next server on each of them (res_send.c), musl ignores them all as it ignores REFUSED
 * (res_msend.c accepts only 0, 2 and 3), Go calls them all "server misbehaving".
 */
export function classifyReply(msg: Message, type: Query['type']): Outcome {
  if (msg.tc) return { kind: 'truncated' };
  if (msg.rcode === Rcode.NXDOMAIN) return { kind: 'nxdomain' };
  if (msg.rcode === Rcode.SERVFAIL) return { kind: 'servfail' };
  if (msg.rcode !== Rcode.NOERROR) return { kind: 'refused' };
  const want = type === 'A' ? RRType.A : RRType.AAAA;
  const addresses = msg.answers.filter((rr) => rr.type === want).map((rr) => rr.data as string);
  return addresses.length > 0 ? { kind: 'answer', addresses } : { kind: 'nodata' };
}

export interface RunSummary {
  /** The name as typed. */
  readonly name: string;
  readonly queries: readonly Query[];
  /** The outcome of each query, by query id (missing: never answered, e.g. the run ended first). */
  readonly outcomes: ReadonlyMap<number, Outcome>;
  readonly candidates: readonly Candidate[];
  readonly result: Result;
  /** Wall-clock time of the run, ms. */
  readonly ms: number;
}

/** Round trips: the groups of queries in flight together. */
export function roundTrips(queries: readonly Query[]): number {
  return new Set(queries.map((q) => q.group)).size;
}

const plural = (n: number, word: string): string => `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;

/** One line in plain words: how costly the lookup was, and what to change when it was wasteful. */
export function verdict(s: RunSummary): string {
  const { result } = s;
  if (result.from === 'literal') return 'an IP address: no lookup at all';
  if (result.from === 'hosts') return 'answered from /etc/hosts: no DNS query';
  if (s.queries.length === 0) return `no DNS query: ${result.error ?? 'no result'}`;
  const n = s.queries.length;
  const trips = roundTrips(s.queries);
  const timeouts = [...s.outcomes.values()].filter((o) => o.kind === 'timeout').length;
  const slow = timeouts > 0 ? `; ${plural(timeouts, 'timeout')} cost most of the ${Math.round(s.ms)} ms: check the nameserver` : '';
  if (result.error !== null) {
    if (result.error === 'EAI_NONAME') return `${plural(n, 'query')}, ${plural(trips, 'round trip')}, and the name does not exist under any candidate (${result.error})${slow}`;
    return `${plural(n, 'query')}, ${plural(trips, 'round trip')}, then ${result.error}${slow}`;
  }
  const found = s.candidates.findIndex((c) => c.name === result.name || c.name === `${result.name ?? ''}.`);
  const cand = found >= 0 ? s.candidates[found]! : null;
  const typed = s.name.endsWith('.');
  if (cand !== null && found > 0 && cand.why.startsWith('as typed')) {
    // The search list was walked for a name that resolved as typed: an external name.
    const dots = (s.name.match(/\./g) ?? []).length;
    const ndots = dots === 0 ? '' : ` or set ndots:${dots}`;
    return `${plural(n, 'query')} for one external name: write ${s.name}. (trailing dot)${ndots}${slow}`;
  }
  if (cand !== null && found > 0) {
    return `${plural(n, 'query')}: found as ${cand.name} (${cand.why}) after ${plural(found, 'candidate')} that ${found === 1 ? 'does' : 'do'} not exist: write ${cand.name} to ask once${slow}`;
  }
  if (trips === 1) return `1 round trip: fine`;
  return `${plural(trips, 'round trip')} for ${typed ? 'a fully qualified name' : 'the first candidate'}${slow === '' ? ' (retries: see the why of each query)' : slow}`;
}
