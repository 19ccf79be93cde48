// The resolver model (src/explain/) against the real resolvers of this machine (root only,
// skipped with the reason otherwise).
//
// A network namespace of the test's own (ip netns add), whose /etc/netns/NS/{resolv.conf, hosts,
// nsswitch.conf, host.conf} `ip netns exec` bind-mounts over /etc in a mount namespace of each
// command's own. Inside it: lo up with 192.0.2.1/32 and 2001:db8::1/128 (so AI_ADDRCONFIG sees
// both families; no route to any address the scenarios answer with), and scripted nameservers on
// 127.0.0.1:53 and 127.0.0.2:53 (netns-dns.ts) that answer by each scenario's rules and record
// every query they receive — name, type, transport, server, EDNS, AD — in arrival order.
//
// Each scenario runs three real clients: glibc's `getent ahosts`/`ahostsv4`, and test/explain/
// gai.c (getaddrinfo, printing the addresses or the EAI_* name) built with gcc (glibc) and with
// musl-gcc (Debian's musl, 1.2.3: so the real-musl checks cover the `musl-1.2.3` model; the 1.2.4+
// model is checked by the table tests only). The model is run on the same resolv.conf, hosts and
// rules (rules.ts), and the test asserts that the recorded queries equal the model's queries and
// that the result (addresses in order, or the error) matches.
//
// Order within a group: queries the model puts in one group are in flight together (glibc's A+AAAA
// pair, sent back to back on one socket; musl's send of each query to every server, and its
// immediate SERVFAIL re-sends within one retry round); their order on the wire is the
// libc's business, so within a group the comparison is as a multiset. Everything else — which
// names, which types, how often, which server, UDP or TCP, and the order of the groups — must be
// exactly as modelled.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simulate } from '../../src/explain/index.ts';
import type { Family, Query, ResolverKind, Result } from '../../src/explain/index.ts';
import { decide } from './rules.ts';
import type { Rule } from './rules.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NS = `podns-explain-${randomBytes(4).toString('hex')}`;
const NETNS_ETC = '/etc/netns';
const SERVERS = ['127.0.0.1', '127.0.0.2'];

interface Exec { readonly code: number | null; readonly signal: string | null; readonly stdout: string; readonly stderr: string; readonly ms: number }

function exec(cmd: string, args: readonly string[], timeoutMs = 20_000): Promise<Exec> {
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
      resolve({
        code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
        signal: e?.signal ?? null, stdout, stderr, ms: Date.now() - start,
      });
    });
  });
}

async function must(cmd: string, args: readonly string[]): Promise<string> {
  const r = await exec(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code ?? r.signal}\n${r.stderr}`);
  return r.stdout;
}

async function has(cmd: string): Promise<boolean> {
  return (await exec('sh', ['-c', `command -v ${cmd}`])).code === 0;
}

let workDir = '';
let nsCreated = false;

/** Why the test cannot run here, or null; creates the namespace and builds the clients when it can. */
async function unavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root: it creates a network namespace and bind-mounts resolv.conf and hosts over /etc in it';
  for (const cmd of ['ip', 'getent', 'gcc', 'musl-gcc']) {
    if (!(await has(cmd))) return `${cmd} is not installed (.ci/run installs iproute2, gcc and musl-tools)`;
  }
  workDir = mkdtempSync(join(tmpdir(), 'podns-explain-'));
  const src = join(ROOT, 'test/explain/gai.c');
  try {
    await must('gcc', ['-O1', '-o', join(workDir, 'gai-glibc'), src]);
    await must('musl-gcc', ['-static', '-O1', '-o', join(workDir, 'gai-musl'), src]);
  } catch (err) {
    return `cannot build test/explain/gai.c: ${(err as Error).message.split('\n')[0]}`;
  }
  try {
    await must('ip', ['netns', 'add', NS]);
    nsCreated = true;
    await must('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'dev', 'lo', 'up']);
    await must('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', '192.0.2.1/32', 'dev', 'lo']);
    await must('ip', ['netns', 'exec', NS, 'ip', '-6', 'addr', 'add', '2001:db8::1/128', 'dev', 'lo']);
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  return null;
}

// ------------------------------------------------------------------------------------------------
// The scenarios

const CLUSTER_SEARCH = 'search ns.svc.cluster.local svc.cluster.local cluster.local example.internal';
/** kubelet's ClusterFirst file (spec §2.7), the cluster DNS being 127.0.0.1 in the namespace. */
const CLUSTER_FIRST = `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5\n`;
const FAST = `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5 timeout:1 attempts:1\n`;

/** The cluster: a namespaced service, a dual-stack one, an external name. */
const CLUSTER: Rule[] = [
  { name: 'web.ns.svc.cluster.local.', reply: 'answer', addresses: ['10.96.0.20'] },
  { name: 'web.shop.svc.cluster.local.', reply: 'answer', addresses: ['10.96.0.30', 'fd00:10:96::30'] },
  { name: 'example.com.', reply: 'answer', addresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] },
];

const HOSTS = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  '10.244.1.7\tweb-0.web.ns.svc.cluster.local\tweb-0',
  '10.244.1.8\tdb',
  'fd00:10:244:1::8\tdb',
  '',
].join('\n');

/** A name of 239 characters, 3 dots (spec §4.2's over-long-candidate observation). */
const LONG = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(47)}`;

type Client = 'getent' | 'glibc' | 'musl';

interface Scenario {
  readonly title: string;
  readonly resolvConf: string;
  readonly name: string;
  readonly family?: Family;
  readonly rules?: readonly Rule[];
  readonly hosts?: string;
  /** Clients to leave out: getent ahostsv6 asks with AI_V4MAPPED, which the model does not cover. */
  readonly skip?: readonly Client[];
}

const myservice = (first: Rule['reply']): Rule[] => [
  { name: 'myservice.ns.svc.cluster.local.', reply: first },
  { name: 'myservice.cluster.local.', reply: 'answer', addresses: ['10.96.0.40'] },
];

const SCENARIOS: readonly Scenario[] = [
  { title: 'ClusterFirst, external name example.com: four search domains, then the name', resolvConf: CLUSTER_FIRST, name: 'example.com' },
  { title: 'ClusterFirst, example.com with AF_INET: A queries only', resolvConf: CLUSTER_FIRST, name: 'example.com', family: 'inet' },
  { title: 'ClusterFirst, short name web: the first search domain answers', resolvConf: CLUSTER_FIRST, name: 'web' },
  { title: 'ClusterFirst, web.shop: the second search domain answers, dual-stack order', resolvConf: CLUSTER_FIRST, name: 'web.shop' },
  { title: 'ClusterFirst, web.shop with AF_INET', resolvConf: CLUSTER_FIRST, name: 'web.shop', family: 'inet' },
  { title: 'trailing dot: one query pair, no search', resolvConf: CLUSTER_FIRST, name: 'web.shop.svc.cluster.local.' },
  {
    title: '5 dots ≥ ndots:5: glibc tries the name, then searches; musl tries only the name', resolvConf: CLUSTER_FIRST, name: 'one.two.three.four.five.six',
    rules: [{ name: 'one.two.three.four.five.six.svc.cluster.local.', reply: 'answer', addresses: ['10.96.0.50'] }],
  },
  {
    title: 'ndots:1, web.shop: glibc as typed first then the search list; musl as typed only',
    resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:1\n`, name: 'web.shop',
  },
  { title: 'a name only in /etc/hosts: no DNS query', resolvConf: CLUSTER_FIRST, name: 'web-0', hosts: HOSTS },
  { title: '/etc/hosts dual-stack name: glibc puts the ULA first, musl the IPv4', resolvConf: CLUSTER_FIRST, name: 'db', hosts: HOSTS },
  { title: '/etc/hosts with AF_INET: ::1 localhost', resolvConf: CLUSTER_FIRST, name: 'localhost', family: 'inet', hosts: HOSTS },
  { title: '/etc/hosts is case-insensitive in glibc, case-sensitive in musl (WEB-0)', resolvConf: CLUSTER_FIRST, name: 'WEB-0', hosts: HOSTS },
  { title: '/etc/hosts localhost (AF_UNSPEC): ::1 first', resolvConf: CLUSTER_FIRST, name: 'localhost', hosts: HOSTS },
  {
    title: '/etc/hosts with only an IPv4 line, AF_INET6: glibc goes to DNS, musl stops (EAI_NONAME)',
    resolvConf: 'nameserver 127.0.0.1\n', name: 'web-0', family: 'inet6', hosts: HOSTS, skip: ['getent'],
  },
  { title: 'mid-search NODATA: glibc goes on, musl 1.2.3 stops with EAI_NONAME', resolvConf: CLUSTER_FIRST, name: 'myservice', rules: myservice('nodata') },
  { title: 'mid-search NXDOMAIN: every resolver goes on', resolvConf: CLUSTER_FIRST, name: 'myservice', rules: myservice('nxdomain') },
  {
    title: 'mid-search SERVFAIL: glibc retries and goes on; musl re-sends and fails with EAI_AGAIN',
    resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5 timeout:1 attempts:2\n`, name: 'myservice', rules: myservice('servfail'),
  },
  { title: 'mid-search REFUSED: glibc abandons the search list; musl waits and fails', resolvConf: FAST, name: 'myservice', rules: myservice('refused') },
  { title: 'mid-search timeout: glibc abandons the search list; musl fails with EAI_AGAIN', resolvConf: FAST, name: 'myservice', rules: myservice('drop') },
  {
    title: 'A answered, AAAA never: glibc falls back to single-request, then -reopen, and keeps A; musl fails',
    resolvConf: FAST, name: 'v4only.svc.cluster.local.',
    rules: [{ name: 'v4only.svc.cluster.local.', type: 'A', reply: 'answer', addresses: ['10.96.0.60'] }, { name: 'v4only.svc.cluster.local.', type: 'AAAA', reply: 'drop' }],
  },
  {
    title: 'A=NXDOMAIN but AAAA has data: glibc takes the AAAA, musl goes on to the next name', resolvConf: CLUSTER_FIRST, name: 'odd',
    rules: [{ name: 'odd.ns.svc.cluster.local.', type: 'A', reply: 'nxdomain' }, { name: 'odd.ns.svc.cluster.local.', type: 'AAAA', reply: 'answer', addresses: ['fd00::99'] }],
  },
  {
    title: 'truncated UDP reply: glibc repeats both queries over TCP; musl 1.2.3 keeps the empty reply',
    resolvConf: CLUSTER_FIRST, name: 'big.svc.cluster.local.',
    rules: [{ name: 'big.svc.cluster.local.', type: 'A', reply: 'truncated', addresses: ['10.96.0.70'] }, { name: 'big.svc.cluster.local.', type: 'AAAA', reply: 'nodata' }],
  },
  {
    title: 'search ".": glibc asks the name once; musl 1.2.3 sends a malformed foo.. and times out',
    resolvConf: 'search .\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n', name: 'foo',
  },
  { title: 'a 239-character name: which search domains are tried', resolvConf: CLUSTER_FIRST, name: LONG },
  { title: 'attempts:0: glibc sends nothing (EAI_AGAIN); musl divides by zero', resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5 attempts:0\n`, name: 'web' },
  {
    title: 'two nameservers, the first REFUSED: glibc asks the second; musl asks both at once',
    resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\nnameserver 127.0.0.2\noptions ndots:5\n`, name: 'web',
    rules: [{ name: 'web.ns.svc.cluster.local.', server: '127.0.0.1', reply: 'refused' }, ...CLUSTER],
  },
  { title: 'use-vc: glibc over TCP, musl ignores it', resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5 use-vc\n`, name: 'web' },
  { title: 'single-request: glibc sends AAAA after the A reply, musl ignores it', resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5 single-request\n`, name: 'web.shop' },
  { title: 'edns0 and trust-ad: glibc advertises 1200 bytes and sets AD; musl sends neither', resolvConf: 'nameserver 127.0.0.1\noptions edns0 trust-ad\n', name: 'example.com' },
  { title: 'no-aaaa (glibc 2.36+): A only for AF_UNSPEC; musl ignores it', resolvConf: 'nameserver 127.0.0.1\noptions no-aaaa\n', name: 'example.com.' },
  { title: 'no-tld-query: glibc does not ask a single label as typed; musl ignores it', resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\noptions ndots:5 no-tld-query\n`, name: 'nosuch' },
  {
    title: 'every candidate NODATA: glibc asks them all (EAI_NODATA); musl stops at the first', resolvConf: CLUSTER_FIRST, name: 'empty',
    rules: ['empty.ns.svc.cluster.local.', 'empty.svc.cluster.local.', 'empty.cluster.local.', 'empty.example.internal.', 'empty.'].map((name) => ({ name, reply: 'nodata' as const })),
  },
  {
    title: 'first nameserver silent: glibc waits its timeout, then asks the second; musl asks both at once',
    resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.1\nnameserver 127.0.0.2\noptions ndots:5 timeout:1 attempts:1\n`, name: 'web',
    rules: [{ name: 'web.ns.svc.cluster.local.', server: '127.0.0.1', reply: 'drop' }, ...CLUSTER],
  },
  {
    title: 'no nameserver listening (ICMP port unreachable): glibc gives up at once with EAI_AGAIN; musl waits out its timeout',
    resolvConf: `${CLUSTER_SEARCH}\nnameserver 127.0.0.9\noptions ndots:5 timeout:1 attempts:1\n`, name: 'web',
  },
  {
    title: '"domain a b": glibc keeps the first word, musl takes the line as a search list',
    resolvConf: 'domain ns.svc.cluster.local svc.cluster.local\nnameserver 127.0.0.1\noptions ndots:5\n', name: 'web.shop',
  },
  {
    title: 'a search line over 255 characters: glibc uses it, musl ignores the whole line',
    resolvConf: `search ${['ns.svc.cluster.local', ...Array.from({ length: 20 }, (_, i) => `zone${String(i).padStart(2, '0')}.example.org`)].join(' ')}\nnameserver 127.0.0.1\noptions ndots:5\n`,
    name: 'web',
  },
  {
    title: 'a hosts file whose last line has no newline: glibc matches it, musl does not',
    resolvConf: 'nameserver 127.0.0.1\n', name: 'lastline', hosts: '127.0.0.1\tlocalhost\n10.0.0.9\tlastline',
  },
];

// ------------------------------------------------------------------------------------------------
// The namespace's nameservers

interface Logged { readonly name: string; readonly type: string; readonly transport: string; readonly server: string; readonly edns: number | null; readonly ad: boolean }

let helper: ChildProcess | null = null;
let helperLines: Interface | null = null;
const helperQueue: Array<(line: string) => void> = [];

function helperCall(cmd: object): Promise<string> {
  return new Promise((resolve) => {
    helperQueue.push(resolve);
    helper!.stdin!.write(`${JSON.stringify(cmd)}\n`);
  });
}

async function startHelper(): Promise<void> {
  helper = spawn('ip', ['netns', 'exec', NS, process.execPath, join(ROOT, 'test/explain/netns-dns.ts'), ...SERVERS], { stdio: ['pipe', 'pipe', 'inherit'] });
  helperLines = createInterface({ input: helper.stdout! });
  const ready = new Promise<void>((resolve, reject) => {
    helper!.once('exit', (code) => reject(new Error(`netns-dns.ts exited (${code})`)));
    helperQueue.push(() => resolve());
  });
  helperLines.on('line', (line) => helperQueue.shift()?.(line));
  await ready;
}

// ------------------------------------------------------------------------------------------------
// Running a client and comparing

interface Run { readonly result: { ok: true; addresses: string[] } | { ok: false; error: string | null }; readonly queries: Logged[]; readonly ms: number; readonly raw: string }

async function runClient(client: Client, sc: Scenario): Promise<Run> {
  const family = sc.family ?? 'unspec';
  const args = client === 'getent'
    ? ['getent', family === 'inet' ? 'ahostsv4' : family === 'inet6' ? 'ahostsv6' : 'ahosts', sc.name]
    : [join(workDir, client === 'glibc' ? 'gai-glibc' : 'gai-musl'), sc.name, family];
  const r = await exec('ip', ['netns', 'exec', NS, ...args]);
  const log = JSON.parse(await helperCall({ log: true })) as { queries: Logged[] };
  const raw = `exit ${r.code ?? r.signal}: ${r.stdout.trim()} ${r.stderr.trim()}`.trim();
  if (client === 'getent') {
    if (r.code === 0) {
      // One line per addrinfo: each address comes as STREAM, DGRAM and RAW; keep the STREAM ones.
      const addrs = r.stdout.split('\n').filter((l) => /\sSTREAM\b/.test(l)).map((l) => l.split(/\s+/)[0]!);
      return { result: { ok: true, addresses: addrs }, queries: log.queries, ms: r.ms, raw };
    }
    return { result: { ok: false, error: null }, queries: log.queries, ms: r.ms, raw };
  }
  if (r.signal !== null || (r.code !== 0 && r.code !== 1)) return { result: { ok: false, error: r.signal === 'SIGFPE' || r.code === null ? 'CRASH' : `exit ${r.code}` }, queries: log.queries, ms: r.ms, raw };
  const out = r.stdout.trim().split(/\s+/);
  if (out[0] === 'ok') return { result: { ok: true, addresses: out.slice(1) }, queries: log.queries, ms: r.ms, raw };
  return { result: { ok: false, error: out[1] ?? null }, queries: log.queries, ms: r.ms, raw };
}

const key = (q: { name: string; type: string; transport: string; server: string; edns: number | null; ad: boolean }): string =>
  `${q.name} ${q.type} ${q.transport} @${q.server}${q.edns === null ? '' : ` edns=${q.edns}`}${q.ad ? ' ad' : ''}`;

/** Compares group by group; within a group as a multiset. Returns null when they agree. */
function compare(expected: readonly Query[], actual: readonly Logged[]): string | null {
  const groups: Query[][] = [];
  for (const q of expected) {
    if (q.malformed) continue; // no server can decode it, so none can record it
    if (!SERVERS.includes(q.server)) continue; // nothing listens there, so nothing records it
    const last = groups.at(-1);
    if (last !== undefined && last[0]!.group === q.group) last.push(q);
    else groups.push([q]);
  }
  let i = 0;
  for (const g of groups) {
    const want = g.map(key).sort();
    const got = actual.slice(i, i + g.length).map(key).sort();
    i += g.length;
    if (JSON.stringify(want) !== JSON.stringify(got)) return `group ${g[0]!.group}: expected [${want.join(', ')}], got [${got.join(', ')}]`;
  }
  if (i !== actual.length) return `${actual.length - i} more queries than modelled: ${actual.slice(i).map(key).join(', ')}`;
  return null;
}

function show(expected: readonly Query[], actual: readonly Logged[]): string {
  return `model:\n${expected.map((q) => `  [${q.group}] ${key(q)}${q.malformed ? ' (malformed)' : ''}`).join('\n')}\nreal:\n${actual.map((q) => `  ${key(q)}`).join('\n')}`;
}

function assertResult(client: Client, real: Run['result'], model: Result, context: string): void {
  if (model.error === null) {
    assert.ok(real.ok, `${context}: the model answers ${model.addresses.join(' ')}, the real resolver failed: ${JSON.stringify(real)}`);
    assert.deepEqual(real.addresses, [...model.addresses], `${context}: addresses (in order)`);
    return;
  }
  assert.ok(!real.ok, `${context}: the model fails with ${model.error}, the real resolver answered ${real.ok ? real.addresses.join(' ') : ''}`);
  // getent ahosts says only "not found" (exit 2), whatever the EAI code.
  if (client !== 'getent') assert.equal(real.error, model.error, `${context}: error`);
}

const reason = await unavailable();

describe('the resolver model against the real glibc and musl in a network namespace', () => {
  let createdNetnsEtc = false;

  before(async () => {
    if (reason !== null) return;
    createdNetnsEtc = !existsSync(NETNS_ETC);
    mkdirSync(join(NETNS_ETC, NS), { recursive: true });
    writeFileSync(join(NETNS_ETC, NS, 'nsswitch.conf'), 'hosts: files dns\n');
    writeFileSync(join(NETNS_ETC, NS, 'host.conf'), 'multi on\n');
    writeFileSync(join(NETNS_ETC, NS, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    writeFileSync(join(NETNS_ETC, NS, 'hosts'), '');
    await startHelper();
  });

  after(async () => {
    if (helper !== null && helper.exitCode === null && helper.pid !== undefined) {
      const exited = new Promise((r) => helper!.once('exit', r));
      process.kill(helper.pid, 'SIGTERM');
      await exited;
    }
    helperLines?.close();
    if (nsCreated) await exec('ip', ['netns', 'del', NS]);
    rmSync(join(NETNS_ETC, NS), { recursive: true, force: true });
    if (createdNetnsEtc && existsSync(NETNS_ETC) && readdirSync(NETNS_ETC).length === 0) rmdirSync(NETNS_ETC);
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  for (const sc of SCENARIOS) {
    test(sc.title, async (t) => {
      if (reason !== null) { t.skip(reason); return; }
      const rules = sc.rules ?? CLUSTER;
      writeFileSync(join(NETNS_ETC, NS, 'resolv.conf'), sc.resolvConf);
      writeFileSync(join(NETNS_ETC, NS, 'hosts'), sc.hosts ?? '');
      await helperCall({ rules });
      const clients: ReadonlyArray<readonly [Client, ResolverKind]> = [['getent', 'glibc'], ['glibc', 'glibc'], ['musl', 'musl-1.2.3']];
      for (const [client, kind] of clients) {
        if (sc.skip?.includes(client)) continue;
        const model = simulate(
          { resolver: kind, resolvConf: sc.resolvConf, hosts: sc.hosts ?? '', name: sc.name, family: sc.family ?? 'unspec' },
          // A malformed query gets no reply; an address nothing listens on answers with ICMP port unreachable.
          (q) => (q.malformed ? { kind: 'timeout' } : !SERVERS.includes(q.server) ? { kind: 'unreachable' } : decide(rules, q)),
        );
        const real = await runClient(client, sc);
        const context = `${client} (${kind} model), ${sc.name}`;
        const diff = compare(model.queries, real.queries);
        if (process.env.PODNS_EXPLAIN_VERBOSE !== undefined) t.diagnostic(`${context}\n${show(model.queries, real.queries)}\nmodel: ${model.result.error ?? model.result.addresses.join(' ')}; real: ${real.raw} (${real.ms} ms)`);
        assert.equal(diff, null, `${context}: queries differ — ${diff}\n${show(model.queries, real.queries)}\nresult: ${real.raw}`);
        assertResult(client, real.result, model.result, `${context} [${real.raw}]`);
      }
    });
  }
});

if (reason !== null) process.stderr.write(`explain reality test skipped: ${reason}\n`);
