/**
 * musl's getaddrinfo (src/network/lookup_name.c __lookup_name → name_from_dns_search →
 * name_from_dns → src/network/res_msend.c __res_msend_rc), for 1.2.4+ (`musl`, 1.2.5 source) and
 * for 1.2.3 (`musl-1.2.3`).
 *
 * The facts it carries:
 * - candidates: names.ts (no search at all when dots ≥ ndots);
 * - per candidate, A then AAAA (AF_UNSPEC) are built and sent together; a candidate that cannot be
 *   built ends the lookup with EAI_NONAME in 1.2.3 and is skipped in 1.2.4+;
 * - res_msend: every query goes to every nameserver at once, and again every
 *   timeout/attempts (a "round"; the whole budget is `timeout`, so ⌈timeout / (timeout/attempts)⌉
 *   rounds) to every server for the queries still unanswered; the first NOERROR or NXDOMAIN
 *   reply to a query is kept; SERVFAIL triggers an immediate re-send to that server (at most
 *   2 × queries per round); REFUSED and every other rcode are ignored, as if no reply came;
 * - 1.2.4+: a TC reply is retried over TCP to that server (and no longer over UDP); a TCP reply
 *   other than NOERROR/NXDOMAIN, or a TCP failure, ends the exchange; 1.2.3 takes the truncated
 *   reply as it is (no addresses);
 * - name_from_dns judges the replies in order A, AAAA: a missing reply or SERVFAIL → EAI_AGAIN
 *   (stop); NXDOMAIN for either → "no such name", next candidate; another rcode → EAI_FAIL; then
 *   addresses, or EAI_NONAME (1.2.3) / EAI_NODATA (1.2.4+) — which stops the search: musl does not
 *   go on after NODATA;
 * - no EDNS, no AD bit, no TCP-only mode: musl ignores every option except ndots, timeout, attempts;
 * - addresses sorted by the RFC 6724 key (sort.ts), 1.2.4+ collecting AAAA before A.
 */
import { candidate, note, send, wait } from './engine.ts';
import type { Command, Engine, Resume } from './engine.ts';
import type { EngineInput } from './glibc.ts';
import { countDots, muslMkquery } from './names.ts';
import { sortAddresses } from './sort.ts';
import type { GaiError, QType, Query, Result } from './types.ts';

const SRC_SEARCH = 'musl src/network/lookup_name.c name_from_dns_search';
const SRC_DNS = 'musl src/network/lookup_name.c name_from_dns';
const SRC_SEND = 'musl src/network/res_msend.c __res_msend_rc';

/** The reply kept for one question, or null when none was accepted. */
type Kept = { readonly rcode: number; readonly addresses: readonly string[] } | null;

export function* muslEngine(kind: 'musl' | 'musl-1.2.3', input: EngineInput): Engine {
  const c = input.config;
  const name = input.name;
  const modern = kind === 'musl';
  const nodata: GaiError = modern ? 'EAI_NODATA' : 'EAI_NONAME';
  let group = 0;
  let candidates = 0;

  /** __res_msend_rc for one candidate's queries. */
  function* msend(cand: number, qname: string, types: readonly QType[], malformed: boolean): Generator<Command, Kept[] | 'crash', Resume> {
    const timeoutMs = c.timeout * 1000;
    if (c.attempts === 0) return 'crash';
    const interval = Math.trunc(timeoutMs / c.attempts);
    const rounds = timeoutMs <= 0 ? 0 : Math.ceil(timeoutMs / Math.max(interval, 1));
    const kept: Kept[] = types.map(() => null);
    const tcp: Array<Query | null> = types.map(() => null);
    const inTcp: boolean[] = types.map(() => false);
    let aborted = false;
    if (rounds === 0) yield* note('timeout:0: the send loop never runs; no query is sent', SRC_SEND);
    for (let round = 0; round < rounds && !aborted; round++) {
      group++;
      const waitMs = round < rounds - 1 ? interval : timeoutMs - interval * (rounds - 1);
      let servfailBudget = 2 * types.length;
      const open: Query[] = [];
      for (const [i, t] of types.entries()) {
        if (kept[i] !== null || inTcp[i]) continue;
        for (const server of c.nameservers) {
          open.push(yield* send({
            name: qname, type: t, server, transport: 'udp', candidate: cand, group, waitMs, edns: null, ad: false, malformed,
            why: round === 0 ? (c.nameservers.length > 1 ? 'to every server at once' : 'first try') : `round ${round + 1} of ${rounds}: re-sent to every server (no reply yet)`,
          }));
        }
      }
      for (;;) {
        if (kept.every((k) => k !== null)) return kept;
        const waiting = open.filter((q) => {
          const i = types.indexOf(q.type);
          return q.transport === 'tcp' ? tcp[i] === q : kept[i] === null && !inTcp[i];
        });
        if (waiting.length === 0) break;
        const { query: q, outcome: o } = yield* wait(waiting);
        open.splice(open.indexOf(q), 1);
        const i = types.indexOf(q.type);
        if (q.transport === 'tcp') {
          tcp[i] = null;
          if (o.kind === 'answer' || o.kind === 'nodata' || o.kind === 'nxdomain') {
            kept[i] = { rcode: o.kind === 'nxdomain' ? 3 : 0, addresses: o.kind === 'answer' ? o.addresses : [] };
            continue;
          }
          yield* note(`TCP ${o.kind} for ${q.type}: musl ends the exchange ("goto out"); what is unanswered stays unanswered`, SRC_SEND);
          aborted = true;
          break;
        }
        switch (o.kind) {
          case 'timeout':
          case 'unreachable': // unconnected UDP socket: the ICMP error is never seen
            break;
          case 'refused':
            yield* note(`REFUSED from ${q.server} for ${q.type}: musl ignores it, as if no reply came`, SRC_SEND);
            break;
          case 'servfail':
            if (servfailBudget > 0) {
              servfailBudget--;
              open.push(yield* send({
                name: qname, type: q.type, server: q.server, transport: 'udp', candidate: cand, group, waitMs, edns: null, ad: false, malformed,
                why: 'SERVFAIL: re-sent at once to the same server',
              }));
            } else {
              yield* note(`SERVFAIL from ${q.server} for ${q.type}: no immediate re-send left in this round`, SRC_SEND);
            }
            break;
          case 'truncated':
            if (kept[i] !== null) break;
            if (modern) {
              yield* note(`${q.type} reply truncated: musl 1.2.4+ asks ${q.server} again over TCP`, SRC_SEND);
              inTcp[i] = true;
              const t = yield* send({ name: qname, type: q.type, server: q.server, transport: 'tcp', candidate: cand, group, waitMs: timeoutMs, edns: null, ad: false, why: 'TCP after a truncated UDP reply' });
              tcp[i] = t;
              open.push(t);
            } else {
              yield* note(`${q.type} reply truncated: musl 1.2.3 has no TCP fallback and keeps the truncated reply (no addresses)`, SRC_SEND);
              kept[i] = { rcode: 0, addresses: [] };
            }
            break;
          default:
            if (kept[i] === null) kept[i] = { rcode: o.kind === 'nxdomain' ? 3 : 0, addresses: o.kind === 'answer' ? o.addresses : [] };
        }
      }
    }
    return kept;
  }

  type DnsResult = { readonly kind: 'addresses'; readonly addresses: readonly string[]; readonly name: string } | { readonly kind: 'none' } | { readonly kind: 'error'; readonly error: GaiError; readonly why: string };

  /** name_from_dns for one candidate. */
  function* fromDns(qname: string, shown: string, why: string): Generator<Command, DnsResult, Resume> {
    const cand = candidates++;
    yield* candidate({ name: shown, why });
    const types: QType[] = input.family === 'inet' ? ['A'] : input.family === 'inet6' ? ['AAAA'] : ['A', 'AAAA'];
    const built = muslMkquery(kind, qname);
    if (built === 'fail') {
      if (modern) {
        yield* note(`${shown} cannot be encoded: musl 1.2.4+ treats it as a name that does not exist`, SRC_DNS);
        return { kind: 'none' };
      }
      yield* note(`${shown} cannot be encoded: musl 1.2.3 stops with EAI_NONAME`, SRC_DNS);
      return { kind: 'error', error: 'EAI_NONAME', why: `${shown} cannot be encoded (res_mkquery fails; musl 1.2.3 returns EAI_NONAME, ${SRC_DNS})` };
    }
    if (built === 'malformed') yield* note(`${shown}: musl 1.2.3 encodes a stray 0x2e byte after the last label — no server can parse the query`, 'musl 1.2.3 src/network/res_mkquery.c');
    const kept = yield* msend(cand, shown, types, built === 'malformed');
    if (kept === 'crash') {
      return { kind: 'error', error: 'CRASH', why: `attempts:0: res_msend divides the timeout by it — the process dies of SIGFPE (${SRC_SEND})` };
    }
    for (const [i, k] of kept.entries()) {
      if (k === null || k.rcode === 2) {
        return { kind: 'error', error: 'EAI_AGAIN', why: `no usable ${types[i]} reply for ${shown} within the timeout: EAI_AGAIN, the search stops (${SRC_DNS})` };
      }
      if (k.rcode === 3) {
        yield* note(`NXDOMAIN for ${types[i]} of ${shown}: the name does not exist, next candidate`, SRC_DNS);
        return { kind: 'none' };
      }
    }
    const order = modern ? [...kept].reverse() : kept;
    const addresses = order.flatMap((k) => k!.addresses);
    if (addresses.length > 0) return { kind: 'addresses', addresses, name: shown };
    return { kind: 'error', error: nodata, why: `${shown} exists but has no ${types.join('/')} record: ${nodata}, and musl stops the search here (${SRC_DNS})` };
  }

  // __lookup_name's length check, then name_from_dns_search.
  if (name.length === 0 || name.length >= 255) {
    return { addresses: [], error: 'EAI_NONAME', from: null, name: null, why: `musl rejects names of ${name.length} characters (lookup_name.c __lookup_name)` };
  }
  const dots = countDots(name);
  const trailing = name.endsWith('.');
  const useSearch = !(dots >= c.ndots || trailing);
  if (!useSearch && c.search.length > 0) {
    yield* note(trailing ? 'trailing dot: no search list' : `${dots} dots ≥ ndots ${c.ndots}: musl does not use the search list at all`, SRC_SEARCH);
  }
  const l = trailing ? name.length - 1 : name.length;
  if (l === 0 || name[l - 1] === '.') {
    return { addresses: [], error: 'EAI_NONAME', from: null, name: null, why: `${name} ends in more than one dot (${SRC_SEARCH})` };
  }
  const base = name.slice(0, l);
  const finish = (r: DnsResult): Result | null => {
    if (r.kind === 'none') return null;
    if (r.kind === 'error') return { addresses: [], error: r.error, from: null, name: null, why: r.why };
    const sorted = sortAddresses(kind, r.addresses, input.sources);
    return { addresses: sorted.addresses, error: null, from: 'dns', name: r.name, why: `${r.name} answered (${SRC_SEARCH})` };
  };
  if (useSearch) {
    for (const [i, word] of c.search.entries()) {
      if (word.length >= 256 - l - 1) {
        yield* note(`search word ${i + 1} (${word}) skipped: ${base}.${word} would be longer than 255 characters`, SRC_SEARCH);
        continue;
      }
      const qname = `${base}.${word}`;
      const shown = muslMkquery(kind, qname) === 'malformed' ? qname : qname.endsWith('.') ? qname : `${qname}.`;
      const r = finish(yield* fromDns(qname, shown, `search word ${i + 1} (${word})`));
      if (r !== null) return r;
    }
  }
  const asTyped = trailing ? name : `${name}.`;
  const r = finish(yield* fromDns(name, asTyped, useSearch ? 'as typed, last' : trailing ? 'as typed (trailing dot)' : `as typed only (${dots} dots ≥ ndots ${c.ndots})`));
  if (r !== null) return r;
  return { addresses: [], error: 'EAI_NONAME', from: null, name: null, why: `every candidate was NXDOMAIN (${SRC_SEARCH})` };
}

