/**
 * `podns explain NAME --resolv-conf FILE ...`: runs the resolver model (src/explain) against a
 * real nameserver. Each query the model emits is sent over UDP (or TCP when the model says so) to
 * --server, or else to the query's own nameserver on port 53, and waited for as long as the
 * resolver would wait (`waitMs`); the reply is classified into the model's outcome and fed back.
 * Queries of one group are in flight together. Prints each query, the model's reasons, the
 * result getaddrinfo() would return and a verdict.
 *
 * Exit status: 0 when the name resolved, 1 when the lookup failed (the EAI error is printed) or a
 * file cannot be read, 2 for usage errors.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { decodeMessage, encodeMessage } from '../dns/message.ts';
import { Opcode, RRClass, RRType, rcodeName } from '../dns/types.ts';
import type { Message } from '../dns/types.ts';
import { RESOLVERS, classifyReply, plan, roundTrips, verdict } from '../explain/index.ts';
import type { Family, Outcome, Query, ResolverKind, Resolver, Result } from '../explain/index.ts';
import { DnsClient, ExchangeError, joinHostPort } from '../transport/client.ts';
import { EXPLAIN_USAGE } from './explain-usage.ts';


const FLAGS = {
  'resolv-conf': { type: 'string' },
  hosts: { type: 'string' },
  resolver: { type: 'string' },
  family: { type: 'string' },
  server: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const FAMILIES: readonly Family[] = ['unspec', 'inet', 'inet6'];

class InputError extends Error {}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `ADDR`, `ADDR:PORT`, `[V6]:PORT` or a bare IPv6 address. */
export function parseServer(text: string): { host: string; port: number } {
  let host = text;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket !== null) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (isIP(text) === 0) {
    const i = text.lastIndexOf(':');
    if (i > 0) { host = text.slice(0, i); port = Number(text.slice(i + 1)); }
  }
  if (isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`explain: --server: not ADDR[:PORT]: ${text}`);
  return { host, port };
}

interface Sent {
  readonly query: Query;
  readonly to: string;
  readonly done: Promise<{ outcome: Outcome; reply: Message | null }>;
  /** Set when the reply (or the timeout) came while the run was still going. */
  outcome?: Outcome;
  reply?: Message | null;
  ms?: number;
}

function queryMessage(q: Query): Message {
  return {
    id: 0, qr: false, opcode: Opcode.QUERY, aa: false, tc: false, rd: true, ra: false, z: false,
    ad: q.ad, cd: false, rcode: 0, questions: [{ name: q.name, type: q.type === 'A' ? RRType.A : RRType.AAAA, class: RRClass.IN }],
    answers: [], authorities: [], additionals: [],
    edns: q.edns === null ? null : { udpSize: q.edns, version: 0, do: false, extendedRcode: 0, options: [] },
  };
}

/** One query's exchange through transport/'s client, as an outcome; never rejects. */
async function exchange(q: Query, client: DnsClient, signal: AbortSignal): Promise<{ outcome: Outcome; reply: Message | null }> {
  // musl 1.2.3's malformed `name..`: no server can parse it, so no reply can come; nothing is sent.
  if (q.malformed) {
    try { await sleep(q.waitMs, undefined, { signal }); } catch { /* the run ended */ }
    return { outcome: { kind: 'timeout' }, reply: null };
  }
  try {
    const bytes = await client.exchange(encodeMessage(queryMessage(q)), q.transport, q.waitMs);
    const reply = decodeMessage(bytes);
    return { outcome: classifyReply(reply, q.type), reply };
  } catch (err) {
    // ICMP port unreachable on the connected UDP socket, or a refused TCP connection.
    if (err instanceof ExchangeError && !err.timeout && err.message.endsWith('connection refused')) return { outcome: { kind: 'unreachable' }, reply: null };
    // No reply in time (or one that cannot be decoded, which a resolver drops and waits on).
    return { outcome: { kind: 'timeout' }, reply: null };
  }
}

export interface Run {
  readonly resolver: Resolver;
  readonly sent: readonly Sent[];
  readonly result: Result;
  readonly ms: number;
}

/** Drives the model against real sockets until it is done. */
export async function drive(r: Resolver, server: { host: string; port: number } | null): Promise<Run> {
  const start = performance.now();
  const sent: Sent[] = [];
  const inFlight = new Map<number, Sent>();
  const clients = new Map<string, DnsClient>();
  const ended = new AbortController();
  // transport/'s timers are unref'd: keep the process up while a reply is awaited.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    for (;;) {
      const s = r.next();
      if (s.kind === 'done') return { resolver: r, sent, result: s.result, ms: performance.now() - start };
      if (s.kind === 'query') {
        const host = server?.host ?? s.server;
        const port = server?.port ?? 53;
        const to = joinHostPort(host, port);
        let client = clients.get(to);
        if (client === undefined) { client = new DnsClient(host, port, { expireMs: 0 }); clients.set(to, client); }
        const started = performance.now();
        const x: Sent = {
          query: s, to,
          done: exchange(s, client, ended.signal).then((d) => {
            if (!ended.signal.aborted) { x.outcome = d.outcome; x.reply = d.reply; x.ms = performance.now() - started; }
            return d;
          }),
        };
        sent.push(x);
        inFlight.set(s.id, x);
        continue;
      }
      const waiting = s.pending.map((q) => inFlight.get(q.id)).filter((x): x is Sent => x !== undefined);
      if (waiting.length === 0) throw new Error(`internal: waiting on queries never sent (${s.pending.map((q) => q.id).join(', ')})`);
      const first = await Promise.race(waiting.map((x) => x.done.then((d) => ({ x, d }))));
      inFlight.delete(first.x.query.id);
      r.reply(first.x.query, first.d.outcome);
    }
  } finally {
    ended.abort();
    clearInterval(keepAlive);
    for (const c of clients.values()) c.close();
  }
}

function outcomeText(o: Outcome | undefined, reply: Message | null | undefined): { rcode: string | null; text: string } {
  if (o === undefined) return { rcode: null, text: 'not waited for (the resolver was done)' };
  const rcode = reply === null || reply === undefined ? null : rcodeName(reply.rcode);
  switch (o.kind) {
    case 'answer': return { rcode, text: o.addresses.join(' ') };
    case 'nodata': return { rcode, text: 'no records of this type (NODATA)' };
    case 'truncated': return { rcode, text: 'truncated (TC=1)' };
    case 'timeout': return { rcode, text: 'no reply (timeout)' };
    case 'unreachable': return { rcode, text: 'port unreachable (nothing listening)' };
    default: return { rcode, text: '' };
  }
}

function renderText(run: Run, name: string, kind: ResolverKind, v: string): string {
  const r = run.resolver;
  let out = `${kind} getaddrinfo("${name}", ${r.input.family ?? 'unspec'})\n`;
  for (const note of r.config.notes) out += `  note: ${note}\n`;
  if (r.hosts !== null) out += `  /etc/hosts: ${r.hosts.why}\n`;
  const byId = new Map(run.sent.map((x) => [x.query.id, x]));
  for (const e of r.trace) {
    if (e.kind === 'candidate') out += `candidate ${e.index + 1}: ${e.name}  (${r.candidates[e.index]?.why ?? ''})\n`;
    else if (e.kind === 'note') out += `  → ${e.text} (${e.source})\n`;
    else if (e.kind === 'send') {
      const x = byId.get(e.query.id);
      if (x === undefined) continue;
      const q = x.query;
      const { rcode, text } = outcomeText(x.outcome, x.reply);
      const ms = x.ms === undefined ? '-' : `${Math.round(x.ms)} ms`;
      const via = x.to === joinHostPort(q.server, 53) ? x.to : `${x.to} (for ${q.server})`;
      out += `  #${q.id + 1} ${q.name} ${q.type} ${q.transport} ${via}  ${rcode ?? '-'}${text === '' ? '' : ` ${text}`}  ${ms}  (${q.why})\n`;
    }
  }
  const res = run.result;
  out += '\n';
  if (res.error === null) out += `result: ${res.addresses.join(' ')}${res.from === null ? '' : `  (from ${res.from}${res.name === null ? '' : `: ${res.name}`})`}\n`;
  else out += `result: ${res.error}${res.goError === undefined ? '' : ` (${res.goError})`}\n`;
  out += `why: ${res.why}\n`;
  const n = run.sent.length;
  const trips = roundTrips(run.sent.map((x) => x.query));
  out += `totals: ${n} ${n === 1 ? 'query' : 'queries'}, ${trips} round trip${trips === 1 ? '' : 's'}, ${Math.round(run.ms)} ms\n`;
  out += `verdict: ${v}\n`;
  return out;
}

function renderJSON(run: Run, v: string): string {
  return JSON.stringify({
    queries: run.sent.map((x) => {
      const { rcode } = outcomeText(x.outcome, x.reply);
      return {
        name: x.query.name, type: x.query.type, transport: x.query.transport, server: x.to, rcode,
        outcome: x.outcome?.kind ?? null, answers: x.outcome?.kind === 'answer' ? x.outcome.addresses : [],
        ms: x.ms === undefined ? null : Math.round(x.ms), why: x.query.why,
      };
    }),
    result: { addrs: run.result.addresses, error: run.result.error, from: run.result.from, why: run.result.why },
    totals: { queries: run.sent.length, roundTrips: roundTrips(run.sent.map((x) => x.query)), ms: Math.round(run.ms) },
    verdict: v,
  }, null, 2) + '\n';
}

function parseFlags(argv: string[]): ReturnType<typeof parse> {
  try {
    return parse(argv);
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`explain: ${err.message}`);
    throw err;
  }
}
const parse = (argv: string[]) => parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });

export async function explain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: podns explain NAME --resolv-conf FILE [options]\n\n${EXPLAIN_USAGE}`);
    return 0;
  }
  const { values, positionals } = parseFlags(argv);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'explain: give the NAME to look up' : `explain: one NAME only (got ${positionals.join(' ')})`);
  const name = positionals[0]!;
  if (values['resolv-conf'] === undefined) throw new UsageError('explain: --resolv-conf FILE is required (the pod\'s /etc/resolv.conf)');
  const resolver = (values.resolver ?? 'glibc') as ResolverKind;
  if (!RESOLVERS.includes(resolver)) throw new UsageError(`explain: --resolver: one of ${RESOLVERS.join(', ')}`);
  const family = (values.family ?? 'unspec') as Family;
  if (!FAMILIES.includes(family)) throw new UsageError(`explain: --family: one of ${FAMILIES.join(', ')}`);
  const server = values.server === undefined ? null : parseServer(values.server);
  try {
    const resolvConf = readText('--resolv-conf', values['resolv-conf']);
    const hosts = values.hosts === undefined ? '' : readText('--hosts', values.hosts);
    const r = plan({ resolver, resolvConf, hosts, name, family });
    const run = await drive(r, server);
    const outcomes = new Map<number, Outcome>();
    for (const x of run.sent) if (x.outcome !== undefined) outcomes.set(x.query.id, x.outcome);
    const v = verdict({ name, queries: run.sent.map((x) => x.query), outcomes, candidates: r.candidates, result: run.result, ms: run.ms });
    process.stdout.write(values.json === true ? renderJSON(run, v) : renderText(run, name, resolver, v));
    return run.result.error === null ? 0 : 1;
  } catch (err) {
    if (err instanceof InputError) { process.stderr.write(`podns: ${err.message}\n`); return 1; }
    throw err;
  }
}
