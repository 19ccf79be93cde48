/**
 * The vocabulary of the resolver model: which stub resolver, which address family, the queries it
 * sends, the replies a driver feeds back, and the result getaddrinfo() returns.
 *
 * A `Resolver` (see plan.ts) is a pure, synchronous state machine. A driver asks `next()` for the
 * next thing to do and gets a `Query` to send, a `Wait` (reply to one of the pending queries
 * first) or `Done` (the result); it feeds each reply back with `reply(query, outcome)`. The
 * driver may be a real socket client or an in-process handler (`simulate` in plan.ts).
 */

/**
 * The stub resolvers modelled:
 * - `glibc`: glibc 2.36 as Debian 12 ships it (getaddrinfo → nss files, nss dns → res_search);
 * - `musl`: musl 1.2.4 and later (1.2.5 source) — TCP fallback, EAI_NODATA, `name..` skipped;
 * - `musl-1.2.3`: musl 1.2.3 and older (Alpine ≤ 3.17);
 * - `go`: Go's pure resolver (net/dnsclient_unix.go, current source; Go 1.19 observed).
 */
export type ResolverKind = 'glibc' | 'musl' | 'musl-1.2.3' | 'go';

export const RESOLVERS: readonly ResolverKind[] = ['glibc', 'musl', 'musl-1.2.3', 'go'];

/** getaddrinfo's ai_family: AF_UNSPEC, AF_INET, AF_INET6 (no AI_V4MAPPED). Go: "ip", "ip4", "ip6". */
export type Family = 'unspec' | 'inet' | 'inet6';

export type QType = 'A' | 'AAAA';
export type Transport = 'udp' | 'tcp';

/** One DNS query the resolver sends. */
export interface Query {
  readonly kind: 'query';
  /** Sequence number: 0, 1, 2 … in the order the model sends them. */
  readonly id: number;
  /** The question name as sent, absolute (trailing dot), case kept. */
  readonly name: string;
  readonly type: QType;
  /** The nameserver's address (a resolv.conf `nameserver` value, or the resolver's default). */
  readonly server: string;
  readonly transport: Transport;
  /** Index into `Resolver.candidates` of the name this query is for. */
  readonly candidate: number;
  /**
   * Queries of one group are in flight at the same time; their order on the wire is not fixed
   * (glibc's A+AAAA pair on one socket, musl's send to every server, Go's two goroutines). Queries
   * of different groups are strictly ordered.
   */
  readonly group: number;
  /** How long the resolver waits for this reply before it counts as a timeout, in ms. */
  readonly waitMs: number;
  /** The UDP payload size advertised in an OPT record, or null when the query carries no EDNS. */
  readonly edns: number | null;
  /** The AD bit in the query header. */
  readonly ad: boolean;
  /**
   * musl 1.2.3 only: the candidate `name..` is encoded as a packet no server can parse (a stray
   * 0x2e byte after the last label), so no reply can come.
   */
  readonly malformed: boolean;
  /** Why this query is sent (first try, next nameserver, retry, TCP after TC, …). */
  readonly why: string;
}

/** What happened to one query, as the driver saw it. */
export type Outcome =
  /** NOERROR with these addresses (A or AAAA records for the query's type). */
  | { readonly kind: 'answer'; readonly addresses: readonly string[] }
  /** NOERROR, no record of the type (NODATA). */
  | { readonly kind: 'nodata' }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'servfail' }
  | { readonly kind: 'refused' }
  /** No reply within the query's wait. */
  | { readonly kind: 'timeout' }
  /** A reply with TC=1 (and, as servers send it, no answer records). */
  | { readonly kind: 'truncated' }
  /** ICMP port unreachable (nothing listening): a connected socket sees ECONNREFUSED at once. */
  | { readonly kind: 'unreachable' };

export type OutcomeKind = Outcome['kind'];

/** getaddrinfo's error codes (EAI_*), plus CRASH for a process killed inside the resolver. */
export type GaiError = 'EAI_NONAME' | 'EAI_NODATA' | 'EAI_AGAIN' | 'EAI_FAIL' | 'EAI_ADDRFAMILY' | 'EAI_SYSTEM' | 'CRASH';

export interface Result {
  /** The addresses in the order getaddrinfo returns them (empty on error). */
  readonly addresses: readonly string[];
  readonly error: GaiError | null;
  /** Where the addresses came from. */
  readonly from: 'literal' | 'hosts' | 'dns' | null;
  /** The name that produced the addresses (a candidate, or the hosts-file name). */
  readonly name: string | null;
  /** One sentence: why the lookup ended this way, with the rule's source. */
  readonly why: string;
  /** Go only: the text of the net.DNSError ("no such host", "server misbehaving", …). */
  readonly goError?: string;
  /**
   * True when the order of the two families is not determined: Go appends A and AAAA results in
   * the order its two goroutines finish, and keeps that order when no destination is reachable.
   */
  readonly orderVaries?: boolean;
}

/** The driver must reply to (at least one of) these queries before `next()` can go on. */
export interface Wait {
  readonly kind: 'wait';
  readonly pending: readonly Query[];
}

export interface Done {
  readonly kind: 'done';
  readonly result: Result;
}

/** One line of the resolver's story, for the explain output. */
export type TraceEvent =
  | { readonly kind: 'note'; readonly text: string; readonly source: string }
  | { readonly kind: 'candidate'; readonly index: number; readonly name: string }
  | { readonly kind: 'send'; readonly query: Query }
  | { readonly kind: 'reply'; readonly query: Query; readonly outcome: Outcome }
  | { readonly kind: 'done'; readonly result: Result };

/** A name the resolver tries, in order. */
export interface Candidate {
  /** Absolute (trailing dot); musl 1.2.3's malformed `name..` is kept as it is. */
  readonly name: string;
  /** Which rule put it here: "as typed", "search domain 2 (svc.cluster.local)", … */
  readonly why: string;
}
