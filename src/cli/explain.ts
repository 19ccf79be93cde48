/**
 * `podns explain NAME (--resolv-conf FILE | --pod NS/NAME ...)`: runs the resolver model
 * (src/explain) against real answers. Each query the model emits goes to --server, or else to
 * its own nameserver on port 53 over UDP (or TCP when the model says so) — except, with --pod and
 * --manifests, queries to the cluster DNS address, which an in-process server (the Corefile's
 * plugins over the same manifests) answers, naming the plugin that wrote the reply. Each is waited
 * for as long as the resolver would wait (`waitMs`); the reply is classified into the model's
 * outcome and fed back. Queries of one group are in flight together. Prints each query, the
 * model's reasons, the result getaddrinfo() would return and a verdict.
 *
 * Exit status: 0 when the name resolved, 1 when the lookup failed (the EAI error is printed) or an
 * input cannot be read, 2 for usage errors.
 */
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
import type { DnsServer } from '../server/server.ts';
import { InputError, connect, manifestFiles } from './cluster-input.ts';
import { EXPLAIN_USAGE } from './explain-usage.ts';
import type { PodView } from './explain-pod.ts';
import { readText } from './pod.ts';


const FLAGS = {
  'resolv-conf': { type: 'string' },
  hosts: { type: 'string' },
  pod: { type: 'string' },
  manifests: { type: 'string', multiple: true },
  conf: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'kubelet-config': { type: 'string' },
  'cluster-dns': { type: 'string', multiple: true },
  'cluster-domain': { type: 'string' },
  'host-resolv-conf': { type: 'string' },
  'host-hosts': { type: 'string' },
  resolver: { type: 'string' },
  family: { type: 'string' },
  server: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const FAMILIES: readonly Family[] = ['unspec', 'inet', 'inet6'];

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

/** What came back for one query. `by`: the plugin that answered, when answered in-process. */
interface Answer { readonly outcome: Outcome; readonly reply: Message | null; readonly by?: string | null }

/** Where a query goes: a label for the output, and how to exchange it. */
interface Destination {
  readonly to: string;
  readonly inProcess: boolean;
  exchange(q: Query, signal: AbortSignal): Promise<Answer>;
}

interface Sent {
  readonly query: Query;
  readonly to: string;
  readonly inProcess: boolean;
  readonly done: Promise<Answer>;
  /** Set when the reply (or the timeout) came while the run was still going. */
  outcome?: Outcome;
  reply?: Message | null;
  by?: string | null;
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

/** musl 1.2.3's malformed `name..`: no server can parse it, so no reply can come; nothing is sent. */
async function unanswerable(q: Query, signal: AbortSignal): Promise<Answer> {
  try { await sleep(q.waitMs, undefined, { signal }); } catch { /* the run ended */ }
  return { outcome: { kind: 'timeout' }, reply: null };
}

/** A query's exchange with a real nameserver through transport/'s client; never rejects. */
async function exchangeOver(client: DnsClient, q: Query, signal: AbortSignal): Promise<Answer> {
  if (q.malformed) return unanswerable(q, signal);
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

/** A query answered by a DnsServer in this process, as if it came from `client` (the pod's IP); never rejects. */
async function exchangeInProcess(server: DnsServer, client: string | null, q: Query, signal: AbortSignal): Promise<Answer> {
  if (q.malformed) return unanswerable(q, signal);
  const from = client ?? '127.0.0.1';
  const ask = server.ask(encodeMessage(queryMessage(q)), { address: from, port: 40000 + q.id, family: from.includes(':') ? 6 : 4 }, q.transport);
  const timeout = sleep(q.waitMs, null, { signal }).catch(() => null);
  const got = await Promise.race([ask, timeout]);
  if (got === null) return { outcome: { kind: 'timeout' }, reply: null };
  const bytes = got.reply instanceof Uint8Array ? got.reply : got.reply?.[0];
  // The server stays silent for what is not a query and for a query acl drops; a resolver would time out.
  if (bytes === undefined) return { outcome: { kind: 'timeout' }, reply: null };
  const reply = decodeMessage(bytes);
  return { outcome: classifyReply(reply, q.type), reply, by: got.by };
}

export interface Run {
  readonly resolver: Resolver;
  readonly sent: readonly Sent[];
  readonly result: Result;
  readonly ms: number;
}

/**
 * Where each query goes: `server` (--server) takes every query; else a query to one of
 * `inProcess.addresses` is answered by `inProcess.server`; else it goes to its nameserver on 53.
 */
export interface Routing {
  readonly server: { host: string; port: number } | null;
  readonly inProcess?: { readonly server: DnsServer; readonly addresses: readonly string[]; readonly client: string | null };
}

/** Drives the model until it is done, each query sent where `routing` says. */
export async function drive(r: Resolver, routing: Routing): Promise<Run> {
  const start = performance.now();
  const sent: Sent[] = [];
  const inFlight = new Map<number, Sent>();
  const clients = new Map<string, DnsClient>();
  const ended = new AbortController();
  const destination = (q: Query): Destination => {
    const local = routing.inProcess;
    if (routing.server === null && local !== undefined && local.addresses.includes(q.server)) {
      return { to: joinHostPort(q.server, 53), inProcess: true, exchange: (x, signal) => exchangeInProcess(local.server, local.client, x, signal) };
    }
    const host = routing.server?.host ?? q.server;
    const port = routing.server?.port ?? 53;
    const to = joinHostPort(host, port);
    let client = clients.get(to);
    if (client === undefined) { client = new DnsClient(host, port, { expireMs: 0 }); clients.set(to, client); }
    const c = client;
    return { to, inProcess: false, exchange: (x, signal) => exchangeOver(c, x, signal) };
  };
  // transport/'s timers are unref'd: keep the process up while a reply is awaited.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    for (;;) {
      const s = r.next();
      if (s.kind === 'done') return { resolver: r, sent, result: s.result, ms: performance.now() - start };
      if (s.kind === 'query') {
        const d = destination(s);
        const started = performance.now();
        const x: Sent = {
          query: s, to: d.to, inProcess: d.inProcess,
          done: d.exchange(s, ended.signal).then((a) => {
            if (!ended.signal.aborted) { x.outcome = a.outcome; x.reply = a.reply; x.by = a.by ?? null; x.ms = performance.now() - started; }
            return a;
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

function renderText(run: Run, name: string, kind: ResolverKind, v: string, pod: PodView | null): string {
  const r = run.resolver;
  let out = '';
  if (pod !== null) {
    out += `pod ${pod.namespace}/${pod.name}\n`;
    for (const note of pod.notes) out += `  ${note}\n`;
    out += `  /etc/resolv.conf, as the kubelet writes it:\n${pod.resolvConf.replace(/^(?=.)/gm, '    ')}\n`;
  }
  out += `${kind} getaddrinfo("${name}", ${r.input.family ?? 'unspec'})\n`;
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
      const via = x.inProcess ? `${x.to} in-process [${x.by ?? 'server'}]` : x.to === joinHostPort(q.server, 53) ? x.to : `${x.to} (for ${q.server})`;
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

function renderJSON(run: Run, v: string, pod: PodView | null): string {
  return JSON.stringify({
    ...(pod === null ? {} : { pod: { namespace: pod.namespace, name: pod.name, resolvConf: pod.resolvConf, hosts: pod.hosts, notes: pod.notes } }),
    queries: run.sent.map((x) => {
      const { rcode } = outcomeText(x.outcome, x.reply);
      return {
        name: x.query.name, type: x.query.type, transport: x.query.transport, server: x.to, inProcess: x.inProcess, plugin: x.by ?? null, rcode,
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

/** The pod's files (--pod) and, with --manifests, the in-process server answering its cluster DNS address. */
async function podSetup(values: ReturnType<typeof parse>['values']): Promise<{ pod: PodView; server: DnsServer | null }> {
  const { parsePodRef, podFromApi, podFromManifests } = await import('./explain-pod.ts');
  const ref = parsePodRef(values.pod!);
  const paths = values.manifests ?? [];
  if (paths.length === 0) {
    if (values.conf !== undefined) throw new UsageError('explain: --conf needs --manifests (the in-process server reads the cluster from them)');
    const client = await connect(values, 'explain');
    try {
      return { pod: await podFromApi(ref, client, values), server: null };
    } finally {
      client.close();
    }
  }
  if (values.kubeconfig !== undefined) throw new UsageError('explain: give --manifests PATH or --kubeconfig FILE, not both');
  const pod = podFromManifests(ref, paths, values);
  if (values.server !== undefined) return { pod, server: null };
  // The in-process server: the Corefile given, or kubeadm's, over the same manifests; no socket.
  const [{ DnsServer: Server }, { loadCorefile }, { kubeadmCorefile }, { parseCorefile }, { consoleLogger }] = await Promise.all([
    import('../server/server.ts'), import('./config.ts'), import('./default-corefile.ts'), import('../corefile/index.ts'), import('../core/log.ts'),
  ]);
  const log = consoleLogger((line) => process.stderr.write(`podns: explain: server: ${line}\n`));
  let blocks;
  if (values.conf !== undefined) {
    const loaded = loadCorefile(values.conf, { onWarning: (m) => log.warn(m) });
    if ('error' in loaded) throw new InputError(`--conf ${values.conf}: ${loaded.error.message}`);
    blocks = loaded.blocks;
  } else {
    blocks = parseCorefile(kubeadmCorefile, { file: '<built-in Corefile>' });
  }
  const files = [...new Set(paths.flatMap(manifestFiles))];
  const server = Server.create(blocks, { manifests: files, log, onFatal: (m) => { throw new InputError(m); } });
  await server.prepare();
  const notReady = server.notReady();
  if (notReady.length > 0) log.warn(`not ready: ${notReady.join(', ')}`);
  return { pod, server };
}

export async function explain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: podns explain NAME (--resolv-conf FILE | --pod NS/NAME) [options]\n\n${EXPLAIN_USAGE}`);
    return 0;
  }
  const { values, positionals } = parseFlags(argv);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'explain: give the NAME to look up' : `explain: one NAME only (got ${positionals.join(' ')})`);
  const name = positionals[0]!;
  const byPod = values.pod !== undefined;
  if (byPod === (values['resolv-conf'] !== undefined)) {
    throw new UsageError(byPod ? 'explain: give --pod NS/NAME or --resolv-conf FILE, not both' : 'explain: give --pod NS/NAME (a pod of --manifests or of the live cluster) or --resolv-conf FILE (the pod\'s /etc/resolv.conf)');
  }
  if (byPod && values.hosts !== undefined) throw new UsageError('explain: --hosts goes with --resolv-conf; with --pod the pod\'s /etc/hosts is computed');
  const podOnly = ['manifests', 'conf', 'kubeconfig', 'context', 'kubelet-config', 'cluster-dns', 'cluster-domain', 'host-resolv-conf', 'host-hosts'] as const;
  if (!byPod) for (const f of podOnly) if (values[f] !== undefined) throw new UsageError(`explain: --${f} goes with --pod`);
  const resolver = (values.resolver ?? 'glibc') as ResolverKind;
  if (!RESOLVERS.includes(resolver)) throw new UsageError(`explain: --resolver: one of ${RESOLVERS.join(', ')}`);
  const family = (values.family ?? 'unspec') as Family;
  if (!FAMILIES.includes(family)) throw new UsageError(`explain: --family: one of ${FAMILIES.join(', ')}`);
  const server = values.server === undefined ? null : parseServer(values.server);
  let inProcess: DnsServer | null = null;
  try {
    let pod: PodView | null = null;
    let resolvConf: string;
    let hosts: string;
    if (byPod) {
      ({ pod, server: inProcess } = await podSetup(values));
      ({ resolvConf, hosts } = pod);
    } else {
      resolvConf = readText('--resolv-conf', values['resolv-conf']!);
      hosts = values.hosts === undefined ? '' : readText('--hosts', values.hosts);
    }
    const r = plan({ resolver, resolvConf, hosts, name, family, ...(pod !== null && pod.hostname !== '' ? { hostname: pod.hostname } : {}) });
    const run = await drive(r, {
      server, ...(inProcess !== null && pod !== null ? { inProcess: { server: inProcess, addresses: pod.clusterDNS, client: pod.ip } } : {}),
    });
    const outcomes = new Map<number, Outcome>();
    for (const x of run.sent) if (x.outcome !== undefined) outcomes.set(x.query.id, x.outcome);
    const v = verdict({ name, queries: run.sent.map((x) => x.query), outcomes, candidates: r.candidates, result: run.result, ms: run.ms });
    process.stdout.write(values.json === true ? renderJSON(run, v, pod) : renderText(run, name, resolver, v, pod));
    return run.result.error === null ? 0 : 1;
  } catch (err) {
    if (err instanceof InputError) { process.stderr.write(`podns: ${err.message}\n`); return 1; }
    throw err;
  } finally {
    await inProcess?.stop();
  }
}
