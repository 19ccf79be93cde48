/**
 * glibc 2.36 (Debian 12, with Debian's git-updates patch): getaddrinfo → nss dns →
 * __res_context_search → __res_context_querydomain → __res_context_query → __res_context_send →
 * send_dg / send_vc. Each function below is named for, and follows, the one it models; the
 * comments say which branch of the C they are.
 *
 * The facts it carries (with their sources):
 * - search (res_query.c __res_context_search): see names.ts; a candidate answered with data ends
 *   the lookup; HOST_NOT_FOUND and NO_DATA go on to the next domain; TRY_AGAIN goes on only when
 *   the answer buffer holds a SERVFAIL reply — after a timeout or REFUSED (and after a candidate
 *   that cannot be built) the search list is abandoned and only the name as typed is still tried;
 *   a nameserver refusing connections (ECONNREFUSED) ends everything with TRY_AGAIN;
 * - the final h_errno: that of the as-typed query if it was tried first, else NO_DATA if any
 *   candidate had NODATA, else TRY_AGAIN if any had SERVFAIL, else the last one's;
 * - one query (A or AAAA) or a pair (AF_UNSPEC: A then AAAA, res_query.c T_QUERY_A_AND_AAAA;
 *   `no-aaaa` leaves only A);
 * - servers (res_send.c __res_context_send): `attempts` rounds over the servers in order (rotate:
 *   a per-process offset advancing by one per res_send); each waits `timeout << i` seconds,
 *   divided by the number of servers for i > 0, at least 1 s; SERVFAIL, REFUSED and NOTIMP move
 *   to the next server, as do a timeout and ICMP unreachable; a TC reply repeats the whole
 *   question (both queries) over TCP to the same server, and after that TCP is used and no further
 *   round is made; `use-vc` uses TCP from the start; TCP replies are taken whatever their rcode;
 * - the pair (send_dg): both sent at once on one socket (sendmmsg), A first; a SERVFAIL/REFUSED
 *   for one while the other is usable gives the usable half; the first reply received goes into
 *   the first answer buffer; a timeout after one usable reply switches the process to
 *   `single-request` (and then to `single-request-reopen`) and repeats the exchange with the same
 *   server, and after the third timeout the half answer is used;
 * - `single-request`: AAAA only after the A reply, same socket; `-reopen`: a new socket for AAAA;
 *   with either, a failed A moves to the next server (Debian's 2.36 patch);
 * - res_query: no usable data in either reply → the rcode of the first reply (or of the second when
 *   the first is NOERROR) gives h_errno: NXDOMAIN → HOST_NOT_FOUND, SERVFAIL → TRY_AGAIN,
 *   NOERROR → NO_DATA, anything else → NO_RECOVERY; data in either reply is success, even next to
 *   an NXDOMAIN;
 * - getaddrinfo (sysdeps/posix/getaddrinfo.c): TRY_AGAIN → EAI_AGAIN, NO_DATA → EAI_NODATA,
 *   otherwise EAI_NONAME; results sorted by rfc3484_sort (sort.ts);
 * - `edns0`: an OPT record advertising 1200 bytes; `trust-ad`: the AD bit.
 */
import { candidate, note, send, wait } from './engine.ts';
import type { Command, Engine, Resume } from './engine.ts';
import { glibcDomain, glibcHostnameOk, glibcJoin, countDots, wireLength } from './names.ts';
import type { ResolvConfig } from './resolvconf.ts';
import { sortAddresses } from './sort.ts';
import type { Family, GaiError, Outcome, QType, Query, Result } from './types.ts';

export interface EngineInput {
  readonly config: ResolvConfig;
  readonly name: string;
  readonly family: Family;
  readonly sources: readonly string[];
  /** glibc: the rotate offset of the process (random at its first lookup). */
  readonly rotateOffset: number;
}

const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;
const REFUSED = 5;

type HErrno = 'HOST_NOT_FOUND' | 'TRY_AGAIN' | 'NO_RECOVERY' | 'NO_DATA';

/** A reply as glibc keeps it in an answer buffer. */
interface Reply {
  readonly type: QType;
  readonly rcode: number;
  readonly addresses: readonly string[];
}

type Exchange = { readonly kind: 'ok'; readonly first: Reply | null; readonly second: Reply | null } | { readonly kind: 'fail' };
type QueryResult = { readonly ok: true; readonly replies: readonly Reply[]; readonly name: string } | { readonly ok: false; readonly herrno: HErrno };

function rcodeOf(o: Outcome): number {
  switch (o.kind) {
    case 'nxdomain': return NXDOMAIN;
    case 'servfail': return SERVFAIL;
    case 'refused': return REFUSED;
    default: return NOERROR;
  }
}

function replyOf(q: Query, o: Outcome): Reply {
  return { type: q.type, rcode: rcodeOf(o), addresses: o.kind === 'answer' ? o.addresses : [] };
}

const SRC_SEARCH = 'glibc resolv/res_query.c __res_context_search';
const SRC_QUERY = 'glibc resolv/res_query.c __res_context_query';
const SRC_SEND = 'glibc resolv/res_send.c __res_context_send';
const SRC_DG = 'glibc resolv/res_send.c send_dg';
const SRC_VC = 'glibc resolv/res_send.c send_vc';
const SRC_GAI = 'glibc sysdeps/posix/getaddrinfo.c';

export function* glibcEngine(input: EngineInput): Engine {
  const c = input.config;
  const name = input.name;
  // Process state that outlives one exchange: errno (sticky), the answer buffer's rcode, the
  // single-request fallback flags (statp->_flags RES_F_SNGLKUP / RES_F_SNGLKUPREOP) and rotate.
  let errno = 0 as 'ECONNREFUSED' | 'ETIMEDOUT' | 0;
  let buf1Rcode = NOERROR;
  let fallbackSr = false;
  let fallbackSrr = false;
  let rotateCalls = 0;
  let gotSomewhere = false;
  let group = 0;
  let candidates = 0;
  const qtypes: QType[] = input.family === 'inet' ? ['A'] : input.family === 'inet6' ? ['AAAA'] : c.noAaaa ? ['A'] : ['A', 'AAAA'];
  const edns = c.edns0 ? 1200 : null;

  if (!glibcHostnameOk(name)) {
    yield* note(`${JSON.stringify(name)} is not a host name (res_hnok: letters, digits, '-', '_', labels of 1-63, 255 octets): no query`, 'glibc resolv/nss_dns/dns-host.c check_name');
    return fail('EAI_NONAME', `glibc refuses to look up ${JSON.stringify(name)}: not a valid host name (nss_dns check_name → HOST_NOT_FOUND)`);
  }
  if (c.noAaaa && input.family === 'unspec') yield* note('no-aaaa: AF_UNSPEC asks for A only', 'glibc resolv/nss_dns/dns-host.c _nss_dns_gethostbyname4_r');

  /** send_dg's wait for server ns: timeout << ns, divided by the server count for ns > 0, ≥ 1 s. */
  function serverWaitMs(ns: number): number {
    let seconds = c.timeout << ns;
    if (ns > 0) seconds = Math.trunc(seconds / c.nameservers.length);
    if (seconds <= 0) seconds = 1;
    return seconds * 1000;
  }

  function fail(error: GaiError, why: string): Result {
    return { addresses: [], error, from: null, name: null, why };
  }

  /** send_vc: both queries written on one TCP connection; replies taken whatever their rcode. */
  function* sendVc(ns: number, cand: number, qname: string, why: string): Generator<Command, Exchange, Resume> {
    group++;
    const sent: Query[] = [];
    for (const t of qtypes) {
      // No timeout on TCP in glibc (the read blocks); the per-server UDP wait is given as a bound.
      sent.push(yield* send({ name: qname, type: t, server: c.nameservers[ns]!, transport: 'tcp', candidate: cand, group, waitMs: serverWaitMs(ns), edns, ad: c.trustAd, why }));
    }
    const replies = new Map<number, Reply>();
    let first: Reply | null = null;
    let second: Reply | null = null;
    while (replies.size < sent.length) {
      const r = yield* wait(sent.filter((q) => !replies.has(q.id)));
      if (r.outcome.kind === 'timeout' || r.outcome.kind === 'unreachable') {
        if (r.outcome.kind === 'unreachable') errno = 'ECONNREFUSED';
        yield* note(`TCP ${r.outcome.kind === 'timeout' ? 'reply never came (glibc has no TCP timeout: the read blocks until the server closes)' : 'connection refused'}: next server`, SRC_VC);
        return { kind: 'fail' };
      }
      const reply = replyOf(r.query, r.outcome.kind === 'truncated' ? { kind: 'nodata' } : r.outcome);
      if (first === null) { first = reply; buf1Rcode = reply.rcode; } else second = reply;
      replies.set(r.query.id, reply);
    }
    return { kind: 'ok', first, second };
  }

  /** send_dg: one UDP exchange with one server. */
  function* sendDg(ns: number, cand: number, qname: string, why: string): Generator<Command, Exchange | { kind: 'tc' }, Resume> {
    const waitMs = serverWaitMs(ns);
    const seconds = waitMs / 1000;
    const pair = qtypes.length === 2;
    let srr = c.singleRequestReopen || fallbackSrr;
    let sr = c.singleRequest || fallbackSr || srr;
    let reason = why;
    for (;;) { // retry:
      group++;
      let recv1 = false;
      let recv2 = !pair;
      let resplen = 0; // > 0: the first answer buffer holds a usable reply
      let buf1: Reply | null = null;
      let buf2: Reply | null = null;
      const q1 = yield* send({ name: qname, type: qtypes[0]!, server: c.nameservers[ns]!, transport: 'udp', candidate: cand, group, waitMs, edns, ad: c.trustAd, why: reason });
      let q2: Query | null = null;
      if (pair && !sr) q2 = yield* send({ name: qname, type: qtypes[1]!, server: c.nameservers[ns]!, transport: 'udp', candidate: cand, group, waitMs, edns, ad: c.trustAd, why: reason });
      let retry = false;
      for (;;) {
        const outstanding: Query[] = [];
        if (!recv1) outstanding.push(q1);
        if (q2 !== null && !recv2) outstanding.push(q2);
        const r = yield* wait(outstanding);
        const o = r.outcome;
        if (o.kind === 'timeout') {
          if (resplen > 0 && (recv1 || (pair && recv2))) {
            // "There are quite a few broken name servers out there which don't handle two
            // outstanding requests from the same source": switch mode and retry this server.
            if (!sr) {
              fallbackSr = true;
              sr = true;
              yield* note('timeout after one of the two replies: glibc switches this process to single-request (AAAA only after the A reply) and asks the same server again', SRC_DG);
              reason = 'same server again, now single-request (fallback after a timeout)';
              retry = true;
              break;
            }
            if (!srr) {
              fallbackSrr = true;
              srr = true;
              yield* note('timeout again: glibc switches to single-request-reopen (a new socket for AAAA) and asks the same server again', SRC_DG);
              reason = 'same server again, now single-request-reopen (fallback after a timeout)';
              retry = true;
              break;
            }
            yield* note('third timeout: glibc keeps the one reply it has', SRC_DG);
            return { kind: 'ok', first: buf1, second: null };
          }
          yield* note(`no usable reply from ${c.nameservers[ns]} within ${seconds} s: next server`, SRC_DG);
          gotSomewhere = true;
          return { kind: 'fail' };
        }
        if (o.kind === 'unreachable') {
          yield* note(`${c.nameservers[ns]} is unreachable (ECONNREFUSED on the connected socket): next server`, SRC_DG);
          return { kind: 'fail' };
        }
        gotSomewhere = true;
        const which = r.query.id === q1.id ? 1 : 2;
        const intoFirst = !recv1 && !recv2 || !pair;
        const rcode = rcodeOf(o);
        if (intoFirst) buf1Rcode = rcode;
        if (rcode === SERVFAIL || rcode === REFUSED) {
          if (recv1 || (pair && recv2)) {
            if (resplen > 0) {
              yield* note(`${o.kind.toUpperCase()} for ${r.query.type} after a usable ${which === 1 ? 'AAAA' : 'A'} reply: glibc keeps the usable half`, SRC_DG);
              return { kind: 'ok', first: buf1, second: null };
            }
            yield* note(`${o.kind.toUpperCase()} from ${c.nameservers[ns]}: next server`, SRC_DG);
            return { kind: 'fail' };
          }
          if (pair && !sr) {
            resplen = 0;
            if (which === 1) recv1 = true; else recv2 = true;
            continue;
          }
          yield* note(`${o.kind.toUpperCase()} from ${c.nameservers[ns]}: next server`, SRC_DG);
          return { kind: 'fail' };
        }
        if (o.kind === 'truncated') {
          yield* note(`${r.query.type} reply truncated (TC): glibc asks the same server again over TCP, both queries`, SRC_DG);
          return { kind: 'tc' };
        }
        const reply = replyOf(r.query, o);
        if (which === 1) recv1 = true; else recv2 = true;
        if (intoFirst) { buf1 = reply; resplen = 1; } else buf2 = reply;
        if (!(recv1 && recv2)) {
          if (sr && pair && q2 === null) {
            q2 = yield* send({
              name: qname, type: qtypes[1]!, server: c.nameservers[ns]!, transport: 'udp', candidate: cand, group: ++group, waitMs, edns, ad: c.trustAd,
              why: srr ? 'after the A reply, from a new socket (single-request-reopen)' : 'after the A reply (single-request)',
            });
          }
          continue;
        }
        return { kind: 'ok', first: buf1, second: buf2 };
      }
      if (!retry) break;
    }
    return { kind: 'fail' };
  }

  /** __res_context_send: the servers, `attempts` times. */
  function* resSend(cand: number, qname: string): Generator<Command, Exchange, Resume> {
    const n = c.nameservers.length;
    let vc = c.useVc;
    gotSomewhere = false;
    let terrno: 'ECONNREFUSED' | 'ETIMEDOUT' = 'ETIMEDOUT';
    let offset = 0;
    if (c.rotate && n > 1) offset = (input.rotateOffset + rotateCalls++) % n;
    const attempts = Math.max(c.attempts, 0);
    for (let attempt = 0; attempt < attempts; attempt++) {
      for (let shift = 0; shift < n; shift++) {
        const ns = (shift + offset) % n;
        const why = attempt === 0 && shift === 0 ? 'first try' : shift === 0 ? `attempt ${attempt + 1} of ${attempts}` : `next server (${shift + 1} of ${n})`;
        let viaTcpWhy = vc ? (c.useVc ? 'use-vc' : 'TCP (after a truncated reply)') : '';
        for (;;) { // same_ns:
          if (vc) {
            attempt = attempts; // "Use VC; at most one attempt per server."
            const r = yield* sendVc(ns, cand, qname, viaTcpWhy === '' ? why : `${why}, ${viaTcpWhy}`);
            if (r.kind === 'fail') { terrno = errno === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ETIMEDOUT'; break; }
            return r;
          }
          const r = yield* sendDg(ns, cand, qname, why);
          if (r.kind === 'fail') break;
          if (r.kind === 'tc') { vc = true; viaTcpWhy = 'TCP after a truncated UDP reply'; continue; }
          return r;
        }
      }
    }
    errno = !vc ? (gotSomewhere ? 'ETIMEDOUT' : 'ECONNREFUSED') : terrno;
    if (attempts === 0) yield* note(`attempts:${c.attempts}: no query is sent at all`, SRC_SEND);
    yield* note(`no answer from any server (errno ${errno})`, SRC_SEND);
    return { kind: 'fail' };
  }

  /** __res_context_query: build, send, and judge the replies. */
  function* resQuery(qname: string, why: string): Generator<Command, QueryResult, Resume> {
    buf1Rcode = NOERROR; // "hp->rcode = NOERROR; /* default */"
    const cand = candidates++;
    yield* candidate({ name: qname, why });
    const len = wireLength(qname);
    if (len < 0 || len > 255) {
      yield* note(`${qname} cannot be encoded (${len < 0 ? 'empty or over-long label' : `${len} octets > 255`}): NO_RECOVERY`, SRC_QUERY);
      return { ok: false, herrno: 'NO_RECOVERY' };
    }
    const ex = yield* resSend(cand, qname);
    if (ex.kind === 'fail') return { ok: false, herrno: 'TRY_AGAIN' };
    const hp = ex.first ?? ex.second!;
    const hp2 = ex.second ?? ex.first!;
    const data = (r: Reply): boolean => r.rcode === NOERROR && r.addresses.length > 0;
    if (!data(hp) && !data(hp2)) {
      const rc = hp.rcode === NOERROR ? hp2.rcode : hp.rcode;
      const herrno: HErrno = rc === NXDOMAIN ? 'HOST_NOT_FOUND' : rc === SERVFAIL ? 'TRY_AGAIN' : rc === NOERROR ? 'NO_DATA' : 'NO_RECOVERY';
      return { ok: false, herrno };
    }
    const replies = [ex.first, ex.second].filter((r): r is Reply => r !== null);
    return { ok: true, replies, name: qname };
  }

  function* querydomain(domain: string | null, why: string): Generator<Command, QueryResult, Resume> {
    const qname = glibcJoin(name, domain);
    if (name.length + (domain === null ? 0 : domain.length + 1) >= 1025) return { ok: false, herrno: 'NO_RECOVERY' };
    return yield* resQuery(qname, why);
  }

  const done = (r: { ok: true; replies: readonly Reply[]; name: string }, why: string): Result => {
    const collected = r.replies.flatMap((x) => x.addresses);
    const sorted = sortAddresses('glibc', collected, input.sources);
    return { addresses: sorted.addresses, error: null, from: 'dns', name: r.name, why };
  };

  // __res_context_search
  const dots = countDots(name);
  const trailing = name.endsWith('.');
  let savedHerrno: HErrno | null = null;
  let triedAsIs = false;
  let searched = false;
  let gotNodata = false;
  let gotServfail = false;
  let rootOnList = false;
  let herrno: HErrno = 'HOST_NOT_FOUND';
  if (dots >= c.ndots || trailing) {
    const r = yield* querydomain(null, trailing ? 'as typed (trailing dot)' : `as typed first (${dots} dots ≥ ndots ${c.ndots})`);
    if (r.ok) return done(r, `${r.name} answered (${SRC_SEARCH})`);
    herrno = r.herrno;
    if (trailing) return finish(herrno, 'a name with a trailing dot is tried once, as typed');
    savedHerrno = r.herrno;
    triedAsIs = true;
  }
  for (const [i, entry] of c.search.entries()) {
    searched = true;
    const d = glibcDomain(entry);
    if (d === '') rootOnList = true;
    const r = yield* querydomain(d, d === '' ? `search domain ${i + 1} ("${entry}": the name as typed)` : `search domain ${i + 1} (${entry})`);
    if (r.ok) return done(r, `${r.name} answered (${SRC_SEARCH})`);
    herrno = r.herrno;
    if (errno === 'ECONNREFUSED') {
      yield* note('no nameserver is reachable (ECONNREFUSED): glibc gives up', SRC_SEARCH);
      return finish('TRY_AGAIN', 'no server present: the search ends with TRY_AGAIN');
    }
    if (r.herrno === 'NO_DATA') gotNodata = true;
    if (r.herrno === 'NO_DATA' || r.herrno === 'HOST_NOT_FOUND') continue;
    if (r.herrno === 'TRY_AGAIN' && buf1Rcode === SERVFAIL) { gotServfail = true; continue; }
    yield* note(`${r.herrno}${r.herrno === 'TRY_AGAIN' ? ' without a SERVFAIL reply (timeout or REFUSED)' : ''}: glibc abandons the search list${triedAsIs || rootOnList ? '' : ' and tries the name as typed'}`, SRC_SEARCH);
    break;
  }
  if ((dots > 0 || !searched || !c.noTldQuery) && !(triedAsIs || rootOnList)) {
    const r = yield* querydomain(null, 'as typed, last');
    if (r.ok) return done(r, `${r.name} answered (${SRC_SEARCH})`);
    herrno = r.herrno;
  }
  if (savedHerrno !== null) herrno = savedHerrno;
  else if (gotNodata) herrno = 'NO_DATA';
  else if (gotServfail) herrno = 'TRY_AGAIN';
  return finish(herrno, 'every candidate failed');

  function finish(h: HErrno, how: string): Result {
    const error: GaiError = h === 'TRY_AGAIN' ? 'EAI_AGAIN' : h === 'NO_DATA' ? 'EAI_NODATA' : 'EAI_NONAME';
    return fail(error, `${how}; h_errno ${h} → ${error} (${SRC_SEARCH}; ${SRC_GAI})`);
  }
}
