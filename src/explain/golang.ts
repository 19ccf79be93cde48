/**
 * Go's pure resolver (net/dnsclient_unix.go goLookupIPCNAME, tryOneName, exchange; current
 * source, Go 1.19 observed).
 *
 * The facts it carries:
 * - a name that is not a domain name (isDomainName: letters, digits, '-', '_', labels of 1-63,
 *   not all-numeric) is "no such host" without a query;
 * - candidates: names.ts (nameList);
 * - per candidate, A and AAAA are looked up by two goroutines at once (`single-request`: A, then
 *   AAAA), each on its own socket, each walking the servers `attempts` times (rotate: a counter
 *   starting at 0, one step per lookup of one type) with `timeout` per try;
 * - a reply: NXDOMAIN or NODATA → "no such host" for that type, no other server is asked;
 *   SERVFAIL ("server misbehaving", temporary), REFUSED ("server misbehaving"), a timeout or
 *   ICMP unreachable → the next server; TC over UDP → the same question over TCP at once;
 * - after both types: any address ends the search (A data next to an AAAA NXDOMAIN is kept); else
 *   the next candidate — Go never stops early on an error (StrictErrors is off by default);
 * - the error reported: the first one met, unless the name as typed failed later (its error wins);
 * - EDNS0 with a 1232-byte payload on every query; the AD bit with `trust-ad`;
 * - addresses in the order the answers arrived, then sortByRFC6724 (sort.ts).
 */
import { candidate, note, send, wait } from './engine.ts';
import type { Command, Engine, Resume } from './engine.ts';
import type { EngineInput } from './glibc.ts';
import { goDomainNameOk, searchCandidates, wireLength } from './names.ts';
import { sortAddresses } from './sort.ts';
import type { Candidate, GaiError, Outcome, QType } from './types.ts';

const SRC = 'Go net/dnsclient_unix.go';

interface GoError {
  readonly text: string;
  readonly notFound: boolean;
  readonly temporary: boolean;
  readonly timeout: boolean;
}

type LaneResult = { readonly type: QType; readonly addresses: readonly string[] } | { readonly type: QType; readonly error: GoError };

type Step = Generator<Command, LaneResult, Resume>;

export function* goEngine(input: EngineInput): Engine {
  const c = input.config;
  const name = input.name;
  const types: QType[] = input.family === 'inet' ? ['A'] : input.family === 'inet6' ? ['AAAA'] : ['A', 'AAAA'];
  let soffset = 0;
  let group = 0;
  let candidates = 0;

  if (!goDomainNameOk(name)) {
    yield* note(`${JSON.stringify(name)} is not a domain name (isDomainName): no query`, SRC);
    return { addresses: [], error: 'EAI_NONAME', from: null, name: null, goError: 'no such host', why: `Go does not look up ${JSON.stringify(name)}: not a domain name (${SRC} goLookupIPCNAME)` };
  }

  /** tryOneName: one type, every server, `attempts` times. */
  function* tryOneName(cand: number, fqdn: string, type: QType, laneGroup: () => number): Step {
    const offset = c.rotate ? soffset++ : 0;
    const n = c.nameservers.length;
    if (wireLength(fqdn) < 0) {
      yield* note(`${fqdn} cannot be packed (empty or over-long label): no query`, SRC);
      return { type, error: { text: 'cannot marshal DNS message', notFound: false, temporary: false, timeout: false } };
    }
    let last: GoError | null = null;
    for (let i = 0; i < c.attempts; i++) {
      for (let j = 0; j < n; j++) {
        const server = c.nameservers[(offset + j) % n]!;
        const why = i === 0 && j === 0 ? 'first try' : j === 0 ? `attempt ${i + 1} of ${c.attempts}` : `next server (${j + 1} of ${n})`;
        // exchange: UDP, then TCP when the UDP reply is truncated (or TCP only with use-vc).
        let outcome: Outcome | null = null;
        for (const transport of c.useVc ? (['tcp'] as const) : (['udp', 'tcp'] as const)) {
          const q = yield* send({
            name: fqdn, type, server, transport, candidate: cand, group: laneGroup(), waitMs: c.timeout * 1000, edns: 1232, ad: c.trustAd,
            why: transport === 'tcp' && !c.useVc ? 'TCP after a truncated UDP reply' : c.useVc ? `${why}, use-vc` : why,
          });
          const r = yield* wait([q]);
          outcome = r.outcome;
          if (r.outcome.kind === 'truncated' && transport === 'udp') continue;
          break;
        }
        const o = outcome!;
        switch (o.kind) {
          case 'answer':
            return { type, addresses: o.addresses };
          case 'nxdomain':
          case 'nodata':
          case 'truncated': // a TC reply over TCP is taken as it is: no records
            return { type, error: { text: 'no such host', notFound: true, temporary: false, timeout: false } };
          case 'servfail':
            last = { text: 'server misbehaving', notFound: false, temporary: true, timeout: false };
            break;
          case 'refused':
            last = { text: 'server misbehaving', notFound: false, temporary: false, timeout: false };
            break;
          case 'timeout':
            last = { text: 'i/o timeout', notFound: false, temporary: true, timeout: true };
            break;
          case 'unreachable':
            last = { text: 'connection refused', notFound: false, temporary: true, timeout: false };
            break;
        }
      }
    }
    return { type, error: last! };
  }

  /** Runs the lanes of one candidate: at once (goroutines), or one after the other. */
  function* lanes(cand: number, fqdn: string): Generator<Command, LaneResult[], Resume> {
    const results: LaneResult[] = [];
    if (c.singleRequest || types.length === 1) {
      for (const t of types) results.push(yield* tryOneName(cand, fqdn, t, () => ++group));
      return results;
    }
    group++;
    const g = group;
    interface Lane { gen: Step; waitingOn: number[] | null; done: boolean }
    const all: Lane[] = types.map((t) => ({ gen: tryOneName(cand, fqdn, t, () => g), waitingOn: null, done: false }));
    function* advance(lane: Lane, resume: Resume | undefined): Generator<Command, void, Resume> {
      let r = resume;
      for (;;) {
        const step = lane.gen.next(r as Resume);
        if (step.done) { lane.done = true; results.push(step.value); return; }
        if (step.value.op === 'wait') { lane.waitingOn = [...step.value.on]; return; }
        r = yield step.value;
      }
    }
    for (const lane of all) yield* advance(lane, undefined);
    while (all.some((l) => !l.done)) {
      const on = all.filter((l) => !l.done).flatMap((l) => l.waitingOn ?? []);
      const r = yield { op: 'wait', on };
      if (!('outcome' in r)) throw new Error('internal: lane wait resumed without a reply');
      const lane = all.find((l) => !l.done && (l.waitingOn ?? []).includes(r.query.id))!;
      lane.waitingOn = null;
      yield* advance(lane, r);
    }
    return results;
  }

  const list: Candidate[] = searchCandidates('go', c, name);
  if (list.length === 0) {
    yield* note('nameList is empty (name too long, or .onion): no query', SRC);
    return { addresses: [], error: 'EAI_NONAME', from: null, name: null, goError: 'no such host', why: `Go has no name to ask for ${name} (${SRC} nameList)` };
  }
  let lastErr: GoError | null = null;
  for (const cnd of list) {
    const cand = candidates++;
    yield* candidate(cnd);
    const results = yield* lanes(cand, cnd.name);
    const addresses: string[] = [];
    for (const r of results) {
      if ('error' in r) {
        if (lastErr === null || cnd.name === `${name}.`) lastErr = r.error;
        continue;
      }
      addresses.push(...r.addresses);
    }
    if (addresses.length > 0) {
      const sorted = sortAddresses('go', addresses, input.sources);
      const varies = !c.singleRequest && types.length === 2 && sorted.arrivalOrderKept;
      return {
        addresses: sorted.addresses, error: null, from: 'dns', name: cnd.name, why: `${cnd.name} answered (${SRC} goLookupIPCNAME)`,
        ...(varies ? { orderVaries: true } : {}),
      };
    }
    const errs = results.map((r) => ('error' in r ? `${r.type}: ${r.error.text}` : `${r.type}: no address`)).join(', ');
    yield* note(`${cnd.name}: ${errs} — Go goes on to the next name`, SRC);
  }
  const e = lastErr!;
  const error: GaiError = e.notFound ? 'EAI_NONAME' : e.temporary || e.timeout ? 'EAI_AGAIN' : 'EAI_FAIL';
  return { addresses: [], error, from: null, name: null, goError: e.text, why: `every name failed; Go reports ${JSON.stringify(e.text)} (${SRC} goLookupIPCNAME: the first error, or the as-typed name's)` };
}
