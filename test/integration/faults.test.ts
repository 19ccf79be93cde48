// Faults, end to end: the real `podns serve` process (harness.ts) under what goes wrong in a
// cluster, queried with dig and dnsperf. One describe per fault class:
//   1. Upstream faults: dead (nothing ever listened; closed after it served: ICMP port unreachable,
//      TCP RST), slow (answers after forward's read timeout, with a short and with the default
//      timeout) and garbage (random bytes, the wrong ID, another question, a header cut short,
//      records that do not decode). Each query gets SERVFAIL within forward's documented bound,
//      cluster names are answered meanwhile, `serve_stale … verify` answers with the expired entry,
//      and nothing the upstream sent is relayed or cached (a late or mismatched reply never becomes
//      an answer).
//   2. The --manifests folder removed, or renamed away: the last state keeps serving and the loss
//      is logged; back with other content, the new state is served.
//   3. SIGTERM with `health { lameduck 2s }`: DNS answered and /health 200 throughout, /ready 503
//      at once, exit status 0 after about the lameduck.
//   4. Rolling restart: a second process binds the same port (SO_REUSEPORT), the first gets SIGTERM;
//      dnsperf at a fixed rate loses no query, TCP queries during the switch are all answered.
// Tested elsewhere, not repeated here:
//   - an upstream that drops every query, serve_stale `immediate` and RESPONSE_TTL: resolver.test.ts
//   - a broken Corefile on reload (SIGUSR1 and the reload plugin), /ready through reloads: reload.test.ts
//   - the API server down, restarted, 410 Gone, a missing RBAC rule: api.test.ts
//   - a worker killed under --workers, SIGTERM to the primary: workers.test.ts
//   - malformed queries from clients (UDP and TCP): bad-input.test.ts
//   - a broken manifest file keeps its last good objects: serve.test.ts
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSummary } from '../../bench/dnsperf.ts';
import { encodeMessage } from '../../src/dns/message.ts';
import type { Message } from '../../src/dns/types.ts';
import { RRClass, RRType } from '../../src/dns/types.ts';
import { rr } from '../../src/testing/rr.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import type { ScriptResult, Upstream } from '../../src/testing/upstream.ts';
import { ROOT, dig, eventually, freePort, httpGet, run, startPodns, tempDir, writeFileSync } from './harness.ts';
import type { DigResult, Running } from './harness.ts';

const EXAMPLES = join(ROOT, 'examples/cluster');
const WEB = 'web.shop.svc.cluster.local';
const WEB_A = `${WEB}. 5 IN A 10.96.100.10`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** dig, and how long the query took: dig's `Query time` (from its query sent to the reply read). */
async function timedDig(port: number, ...args: string[]): Promise<{ r: DigResult; ms: number }> {
  const r = await dig(port, ...args);
  const ms = /^;; Query time: (\d+) msec$/m.exec(r.raw)?.[1];
  assert.ok(ms !== undefined, `no query time in:\n${r.raw}`);
  return { r, ms: Number(ms) };
}

// ---- 1. upstream faults ----

/** The blocks' forward `read_timeout`. */
const READ_TIMEOUT_MS = 300;
/**
 * forward's bound for one query to one upstream (README): at most max_connect_attempts exchanges
 * (default 2 × upstreams = 2), each of read_timeout, and never over 5 s in all.
 */
const boundOf = (readTimeoutMs: number): number => Math.min(5_000, 2 * readTimeoutMs);
/** forward's default read_timeout. */
const DEFAULT_READ_TIMEOUT_MS = 2_000;
/** Added to every upper bound: timers firing late on a loaded two-core machine. */
const SLACK_MS = 400;
/** The slow upstream answers after this: longer than both timeouts above. */
const SLOW_MS = 2_500;
/** The limited.test block's forward `max_concurrent`. */
const MAX_CONCURRENT = 4;
/** What the broken upstreams put in their replies; it must never reach a client. */
const BOGUS = '6.6.6.6';
/** What the upstreams answer while healthy, with TTL 1 so that cached entries expire at once. */
const GOOD = '192.0.2.1';

type Fault = 'none' | 'drop' | 'slow' | 'random' | 'wrong-id' | 'wrong-question' | 'short-header' | 'bad-records';

interface FaultCase {
  /** Also the zone: `<zone>.test`, a block of its own with its own upstream. */
  readonly zone: string;
  readonly what: string;
  /** The upstream's behaviour under test; 'closed' closes its sockets. */
  readonly fault: Exclude<Fault, 'none' | 'drop'> | 'closed';
  /** A timeout fault waits read_timeout at least; the others fail at once. */
  readonly timesOut: boolean;
}

const CASES: readonly FaultCase[] = [
  { zone: 'closed', what: 'dead: closed after it served (ICMP port unreachable, TCP RST)', fault: 'closed', timesOut: false },
  { zone: 'slow', what: `slow: answers after ${SLOW_MS} ms, past read_timeout`, fault: 'slow', timesOut: true },
  { zone: 'random', what: 'garbage: random bytes', fault: 'random', timesOut: true },
  { zone: 'wrong-id', what: 'garbage: a reply with the wrong ID', fault: 'wrong-id', timesOut: true },
  { zone: 'wrong-question', what: 'garbage: a reply to another question', fault: 'wrong-question', timesOut: true },
  { zone: 'short-header', what: 'garbage: a header cut short (7 octets)', fault: 'short-header', timesOut: true },
  { zone: 'bad-records', what: 'garbage: the right header and question, then records that do not decode', fault: 'bad-records', timesOut: false },
];

/** An upstream whose behaviour a test switches; healthy, it answers `GOOD` with TTL 1. */
class FaultyUpstream {
  fault: Fault = 'none';
  up!: Upstream;
  /** The name the wrong-question replies are about. */
  readonly #evil: string;

  private constructor(zone: string) {
    this.#evil = `evil.${zone}.test.`;
  }

  static async start(zone: string): Promise<FaultyUpstream> {
    const f = new FaultyUpstream(zone);
    f.up = await startUpstream((q) => f.#reply(q));
    return f;
  }

  /** Opens its sockets again, on the same port, after `up.close()`. */
  async reopen(): Promise<void> {
    this.up = await startUpstream((q) => this.#reply(q), this.up.port);
  }

  async #reply(q: Message): Promise<ScriptResult> {
    const name = q.questions[0]!.name;
    const bogus = (m: Message, owner = name): Message => answerTo(m, { answers: [rr(`${owner} 60 IN A ${BOGUS}`)] });
    switch (this.fault) {
      case 'none': return answerTo(q, { answers: q.questions[0]!.type === RRType.A ? [rr(`${name} 1 IN A ${GOOD}`)] : [] });
      case 'drop': return 'drop';
      case 'slow':
        await sleep(SLOW_MS);
        return bogus(q);
      case 'random': return randomBytes(64);
      case 'wrong-id': return encodeMessage({ ...bogus(q), id: q.id ^ 0x5a5a });
      case 'wrong-question': return bogus({ ...q, questions: [{ name: this.#evil, type: RRType.A, class: RRClass.IN }] }, this.#evil);
      case 'short-header': return encodeMessage(bogus(q)).subarray(0, 7);
      case 'bad-records': {
        // Header and question as they should be, then ANCOUNT 3 and five octets: no record fits.
        const head = Buffer.from(encodeMessage({ ...answerTo(q), edns: null }));
        head.writeUInt16BE(3, 6);
        return Buffer.concat([head, randomBytes(5)]);
      }
    }
  }
}

function faultCorefile(upstreams: ReadonlyMap<string, FaultyUpstream>, nothing: number): string {
  const blocks = [`cluster.local:{PORT} {
    bind 127.0.0.1
    kubernetes cluster.local {
        ttl 5
    }
}`];
  for (const c of CASES) {
    blocks.push(`${c.zone}.test:{PORT} {
    bind 127.0.0.1
    cache 30 {
        success 9984 30 1
        serve_stale 1h verify
    }
    forward . ${upstreams.get(c.zone)!.up.address} {
        read_timeout ${READ_TIMEOUT_MS}ms
    }
}`);
  }
  // Default forward options, to the slow upstream; and an upstream port nothing ever listened on.
  blocks.push(`defaults.test:{PORT} {
    bind 127.0.0.1
    forward . ${upstreams.get('slow')!.up.address}
}`, `limited.test:{PORT} {
    bind 127.0.0.1
    forward . ${upstreams.get('slow')!.up.address} {
        read_timeout ${READ_TIMEOUT_MS}ms
        max_concurrent ${MAX_CONCURRENT}
    }
}`, `nothing.test:{PORT} {
    bind 127.0.0.1
    forward . 127.0.0.1:${nothing} {
        read_timeout ${READ_TIMEOUT_MS}ms
    }
}`);
  return `${blocks.join('\n')}\n`;
}

/** The A addresses of an answer. */
const addresses = (r: DigResult): string[] => r.answer.filter((l) => l.includes(' IN A ')).map((l) => l.split(' ').at(-1)!);

describe('upstream faults: SERVFAIL within forward\'s bounds, cluster names answered, stale entries served, nothing relayed', () => {
  const upstreams = new Map<string, FaultyUpstream>();
  let server: Running;
  /** When the stale.<zone>.test entries (TTL 1) have expired. */
  let expired: Promise<void>;

  before(async () => {
    for (const c of CASES) upstreams.set(c.zone, await FaultyUpstream.start(c.zone));
    server = await startPodns(faultCorefile(upstreams, await freePort()), [EXAMPLES]);
    const primed = await Promise.all(CASES.map((c) => dig(server.port, `stale.${c.zone}.test`, 'A')));
    for (const r of primed) assert.deepEqual(addresses(r), [GOOD], r.raw);
    expired = sleep(1_100);
  });
  after(async () => {
    await server?.stop();
    for (const u of upstreams.values()) await u.up.close().catch(() => undefined);
  });

  /** Sequential cluster queries until `done` settles: each must be answered, and right. */
  async function clusterMeanwhile(done: Promise<unknown>): Promise<{ count: number; maxMs: number }> {
    let settled = false;
    const end = (): void => { settled = true; };
    done.then(end, end);
    let count = 0;
    let maxMs = 0;
    do {
      const { r, ms } = await timedDig(server.port, WEB, 'A');
      assert.deepEqual(r.answer, [WEB_A], `a cluster name while the upstream is broken:\n${r.raw}`);
      count++;
      maxMs = Math.max(maxMs, ms);
    } while (!settled);
    return { count, maxMs };
  }

  for (const c of CASES) {
    test(c.what, async (t) => {
      const u = upstreams.get(c.zone)!;
      if (c.fault === 'closed') await u.up.close();
      else u.fault = c.fault;
      await expired;
      const bound = boundOf(READ_TIMEOUT_MS) + SLACK_MS;
      const sent = performance.now();
      const queries = Promise.all([
        timedDig(server.port, '+time=8', `new1.${c.zone}.test`, 'A'),
        timedDig(server.port, '+time=8', '+tcp', `new2.${c.zone}.test`, 'A'),
        timedDig(server.port, '+time=8', `stale.${c.zone}.test`, 'A'),
        // The slow upstream is behind a block with forward's default options too.
        c.fault === 'slow' ? timedDig(server.port, '+time=10', 'name.defaults.test', 'A') : null,
      ]);
      const [[udp, tcp, stale, defaults], { count, maxMs }] = await Promise.all([queries, clusterMeanwhile(queries)]);
      t.diagnostic(`SERVFAIL after ${udp.ms} ms (UDP), ${tcp.ms} ms (TCP); stale answer after ${stale.ms} ms; `
        + `${count} cluster answers meanwhile, slowest ${maxMs.toFixed(0)} ms`);

      for (const [proto, q] of [['UDP', udp], ['TCP', tcp]] as const) {
        assert.equal(q.r.status, 'SERVFAIL', `${proto}:\n${q.r.raw}`);
        assert.deepEqual(q.r.answer, [], `${proto}: nothing relayed`);
        assert.ok(q.ms <= bound, `${proto}: SERVFAIL after ${q.ms} ms, over ${bound} ms`);
        if (c.timesOut) assert.ok(q.ms >= READ_TIMEOUT_MS * 0.9, `${proto}: SERVFAIL after ${q.ms} ms: the reply was taken instead of waited past`);
        else assert.ok(q.ms < READ_TIMEOUT_MS, `${proto}: SERVFAIL after ${q.ms} ms: a dead upstream or an undecodable reply fails at once`);
      }
      assert.equal(stale.r.status, 'NOERROR', stale.r.raw);
      assert.deepEqual(stale.r.answer, [`stale.${c.zone}.test. 0 IN A ${GOOD}`], 'the expired entry, with TTL 0');
      assert.ok(stale.ms <= bound, `stale answer after ${stale.ms} ms`);
      if (defaults !== null) {
        const defaultBound = boundOf(DEFAULT_READ_TIMEOUT_MS);
        t.diagnostic(`default timeouts: SERVFAIL after ${defaults.ms} ms (bound ${defaultBound} ms)`);
        assert.equal(defaults.r.status, 'SERVFAIL', defaults.r.raw);
        assert.deepEqual(defaults.r.answer, []);
        assert.ok(defaults.ms >= DEFAULT_READ_TIMEOUT_MS * 0.9 && defaults.ms <= defaultBound + SLACK_MS, `SERVFAIL after ${defaults.ms} ms`);
      }

      // Nothing the broken upstream sent was cached: once the late replies (the slow upstream's)
      // have come in and the upstream answers no more, the names asked (SERVFAIL kept by the
      // cache) and the name of the wrong question (a miss) get nothing it sent.
      if (c.fault === 'slow') await sleep(Math.max(0, sent + READ_TIMEOUT_MS + SLOW_MS + 200 - performance.now()));
      if (c.fault !== 'closed') u.fault = 'drop';
      const again = await Promise.all([`new1.${c.zone}.test`, `new2.${c.zone}.test`, `evil.${c.zone}.test`].map((n) => dig(server.port, '+time=8', n, 'A')));
      for (const r of again) {
        assert.equal(r.status, 'SERVFAIL', r.raw);
        assert.deepEqual(r.answer, []);
      }

      // Healthy again (reopened on its port, for the closed one): answered at once.
      if (c.fault === 'closed') await u.reopen();
      u.fault = 'none';
      const back = await timedDig(server.port, `back.${c.zone}.test`, 'A');
      assert.deepEqual(addresses(back.r), [GOOD], back.r.raw);
      assert.ok(back.ms < READ_TIMEOUT_MS, `answered after ${back.ms} ms once the upstream is healthy`);
    });
  }

  test(`slow, under load: past max_concurrent ${MAX_CONCURRENT} queries in flight, REFUSED at once`, async (t) => {
    upstreams.get('slow')!.fault = 'slow';
    const all = await Promise.all(Array.from({ length: 3 * MAX_CONCURRENT }, (_, i) => timedDig(server.port, '+time=8', `n${i}.limited.test`, 'A')));
    const by = (status: string): number[] => all.filter((q) => q.r.status === status).map((q) => q.ms);
    const [servfail, refused] = [by('SERVFAIL'), by('REFUSED')];
    t.diagnostic(`SERVFAIL after ${servfail.join(', ')} ms; REFUSED after ${refused.join(', ')} ms`);
    assert.equal(servfail.length + refused.length, all.length, all.map((q) => q.r.status).join(' '));
    assert.ok(servfail.length >= MAX_CONCURRENT && refused.length > 0, `${servfail.length} SERVFAIL, ${refused.length} REFUSED`);
    assert.ok(servfail.every((ms) => ms >= READ_TIMEOUT_MS * 0.9 && ms <= boundOf(READ_TIMEOUT_MS) + SLACK_MS), 'SERVFAIL within the bound');
    assert.ok(refused.every((ms) => ms < READ_TIMEOUT_MS), 'REFUSED without waiting for the upstream');
    for (const q of all) assert.ok(!q.r.raw.includes(BOGUS));
    upstreams.get('slow')!.fault = 'none';
  });

  test('dead: nothing ever listened on the upstream port (ICMP port unreachable, TCP RST)', async (t) => {
    const [udp, tcp] = await Promise.all([
      timedDig(server.port, 'name.nothing.test', 'A'),
      timedDig(server.port, '+tcp', 'name.nothing.test', 'A'),
    ]);
    t.diagnostic(`SERVFAIL after ${udp.ms} ms (UDP), ${tcp.ms} ms (TCP)`);
    for (const q of [udp, tcp]) {
      assert.equal(q.r.status, 'SERVFAIL', q.r.raw);
      // Usually at once (the refusal reaches forward's socket); never later than a silent upstream.
      assert.ok(q.ms <= boundOf(READ_TIMEOUT_MS) + SLACK_MS, `SERVFAIL after ${q.ms} ms`);
    }
  });
});

// ---- 2. the manifest folder goes away ----

describe('the --manifests folder goes away and comes back', () => {
  let dir: string;
  let folder: string;
  let server: Running;
  const DB = 'db.data.svc.cluster.local';

  before(async () => {
    dir = tempDir();
    folder = join(dir, 'cluster');
    cpSync(EXAMPLES, folder, { recursive: true });
    server = await startPodns('cluster.local:{PORT} {\n    bind 127.0.0.1\n    kubernetes cluster.local\n}\n', [folder]);
  });
  after(async () => { await server?.stop(); });

  /** How many times the server logged that the folder is gone. */
  const goneLogged = (): number => server.stderr().split('\n').filter((l) => l.startsWith(`[ERROR] plugin/kubernetes: ${folder}: path no longer exists; its last objects keep serving`)).length;
  /** Takes the folder away with `away`; resolves once that is logged. */
  async function takeAway(away: () => void): Promise<void> {
    const was = goneLogged();
    away();
    await eventually(() => Promise.resolve(goneLogged() === was + 1), 3_000, 20);
  }

  /** For ~1 s (four manifest polls and their settle time), every answer is the last state's. */
  async function keepsServing(webIp: string, dbAddresses: number): Promise<void> {
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      const [web, db] = await Promise.all([dig(server.port, WEB, 'A'), dig(server.port, DB, 'A')]);
      assert.deepEqual(addresses(web), [webIp], `the last state keeps serving:\n${web.raw}\n${server.stderr()}`);
      assert.equal(addresses(db).length, dbAddresses, db.raw);
      await sleep(100);
    }
  }

  /** The example cluster with the web Service's address changed and the data namespace left out. */
  function changedCopy(to: string, webIp: string): void {
    cpSync(EXAMPLES, to, { recursive: true });
    rmSync(join(to, 'data'), { recursive: true });
    const shop = join(to, 'shop.yaml');
    writeFileSync(shop, readFileSync(shop, 'utf8').replaceAll('10.96.100.10', webIp));
  }

  async function servesNew(webIp: string): Promise<number> {
    return eventually(async () => {
      const [web, db] = await Promise.all([dig(server.port, WEB, 'A'), dig(server.port, DB, 'A')]);
      return addresses(web).join() === webIp && db.status === 'NXDOMAIN';
    }, 3_000, 50);
  }

  test('removed (rm -rf): the last state keeps serving, logged; back with other content: the new state', async (t) => {
    await takeAway(() => rmSync(folder, { recursive: true, force: true }));
    await keepsServing('10.96.100.10', 2);
    changedCopy(folder, '10.96.100.77');
    const ms = await servesNew('10.96.100.77');
    t.diagnostic(`the new content served ${ms} ms after the folder came back`);
  });

  test('renamed away: the last state keeps serving, logged; renamed back with an edit: the edit', async (t) => {
    // Whatever the test before left: the changed copy, served.
    rmSync(folder, { recursive: true, force: true });
    changedCopy(folder, '10.96.100.77');
    await servesNew('10.96.100.77');
    const away = `${folder}.away`;
    await takeAway(() => renameSync(folder, away));
    await keepsServing('10.96.100.77', 0);
    const shop = join(away, 'shop.yaml');
    writeFileSync(shop, readFileSync(shop, 'utf8').replaceAll('10.96.100.77', '10.96.100.88'));
    renameSync(away, folder);
    const ms = await servesNew('10.96.100.88');
    t.diagnostic(`the edit served ${ms} ms after the folder came back`);
    assert.equal(server.child.exitCode, null);
  });
});

// ---- 3. SIGTERM with lameduck ----

const LAMEDUCK_MS = 2_000;

describe(`SIGTERM with health { lameduck ${LAMEDUCK_MS / 1000}s }`, () => {
  test('DNS and /health keep answering, /ready says 503 at once, a second SIGTERM changes nothing, exit 0 after the lameduck', async (t) => {
    const [health, ready] = [await freePort(), await freePort()];
    const server = await startPodns(`cluster.local:{PORT} {
    bind 127.0.0.1
    health 127.0.0.1:${health} {
        lameduck ${LAMEDUCK_MS / 1000}s
    }
    ready 127.0.0.1:${ready}
    kubernetes cluster.local
}
`, [EXAMPLES]);
    try {
      await eventually(async () => (await httpGet(ready, '/ready')).status === 200, 5_000);
      const t0 = performance.now();
      const exited = server.stop().then((code) => ({ code, ms: performance.now() - t0 }));
      await server.waitForLog(`Going into lameduck mode for ${LAMEDUCK_MS / 1000}s`, 1_000);
      // Rounds of checks through the lameduck, the last one well before its end.
      const rounds: string[] = [];
      while (performance.now() - t0 < LAMEDUCK_MS - 500) {
        const at = (performance.now() - t0).toFixed(0);
        const [udp, tcp, h, r] = await Promise.all([dig(server.port, WEB, 'A'), dig(server.port, '+tcp', WEB, 'A'), httpGet(health, '/health'), httpGet(ready, '/ready')]);
        assert.deepEqual([udp.answer, tcp.answer], [[WEB_A], [WEB_A]], `DNS answered at ${at} ms`);
        assert.deepEqual(h, { status: 200, body: 'OK' }, `/health at ${at} ms`);
        assert.deepEqual(r, { status: 503, body: 'Shutting down' }, `/ready at ${at} ms`);
        rounds.push(at);
        // A second SIGTERM (an impatient operator, a supervisor that repeats it) does not cut the
        // lameduck short.
        if (rounds.length === 2) process.kill(server.child.pid!, 'SIGTERM');
      }
      const { code, ms } = await exited;
      t.diagnostic(`checks at ${rounds.join(', ')} ms after SIGTERM; exit ${code} after ${ms.toFixed(0)} ms`);
      assert.ok(rounds.length >= 2, `${rounds.length} rounds of checks`);
      assert.equal(code, 0);
      assert.ok(ms >= LAMEDUCK_MS && ms <= LAMEDUCK_MS + 1_500, `exit ${ms} ms after SIGTERM`);
      assert.match(server.stderr(), /SIGTERM: shutting down\n.*Going into lameduck mode for 2s\n.*SIGTERM: already shutting down\n/);
      await assert.rejects(dig(server.port, '+time=1', WEB, 'A'), 'nothing answers once it exited');
    } finally {
      await server.stop();
    }
  });
});

// ---- 4. rolling restart ----

describe('rolling restart: a second process on the same port, then SIGTERM to the first', () => {
  const QUERIES = [
    `${WEB} A`, 'api.shop.svc.cluster.local AAAA', 'db.data.svc.cluster.local A', 'nope.shop.svc.cluster.local A',
    '_postgres._tcp.db.data.svc.cluster.local SRV', 'kube-dns.kube-system.svc.cluster.local A',
  ];
  /**
   * A's lameduck: long enough that the 600 ms in which its share is counted lies inside it even
   * when the test sees the lameduck log line late (a loaded machine: with 1 s, the second scrape
   * once came after A had stopped serving /metrics).
   */
  const LAMEDUCK_S = 2;
  /** dnsperf's run: A must be gone a second before it ends. */
  const PERF_S = 10;
  /** Each process its own HTTP ports, the same DNS port. */
  interface Ports { readonly health: number; readonly ready: number; readonly metrics: number }
  const corefile = (p: Ports): string => `cluster.local:{PORT} {
    bind 127.0.0.1
    health 127.0.0.1:${p.health} {
        lameduck ${LAMEDUCK_S}s
    }
    ready 127.0.0.1:${p.ready}
    prometheus 127.0.0.1:${p.metrics}
    kubernetes cluster.local
}
`;
  const ports = async (): Promise<Ports> => ({ health: await freePort(), ready: await freePort(), metrics: await freePort() });
  /** The DNS queries a process counted (coredns_dns_requests_total, every series). */
  async function requests(p: Ports): Promise<number> {
    const r = await httpGet(p.metrics, '/metrics');
    assert.equal(r.status, 200, `GET /metrics on :${p.metrics}`);
    const text = r.body;
    return [...text.matchAll(/^coredns_dns_requests_total\{.*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  test('dnsperf at 2000 queries/s loses none; TCP queries during the switch are answered; the first exits 0', async (t) => {
    const port = await freePort();
    const [pa, pb] = [await ports(), await ports()];
    const file = join(tempDir(), 'queries');
    writeFileSync(file, `${QUERIES.join('\n')}\n`);
    const a = await startPodns(corefile(pa), [EXAMPLES], [], { port });
    let b: Running | undefined;
    try {
      const t0 = performance.now();
      // 16 clients (source ports): SO_REUSEPORT spreads them over both processes once B is up.
      const perf = run('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(PERF_S), '-Q', '2000', '-c', '16', '-q', '200', '-t', '2'], 30_000);
      perf.catch(() => undefined); // awaited below; a failure is reported there
      await sleep(2_000);
      b = await startPodns(corefile(pb), [EXAMPLES], [], { port });
      await eventually(async () => (await httpGet(pb.ready, '/ready')).status === 200, 10_000);
      // dig over TCP, one connection each, back to back from before the SIGTERM to after the exit.
      let switching = true;
      const tcp: string[] = [];
      const tcpLoop = (async () => {
        while (switching) {
          const r = await dig(port, '+tcp', WEB, 'A').catch((e: Error) => ({ status: e.message.split('\n')[0]!, answer: [] as string[] }));
          tcp.push(r.answer.join() === WEB_A ? 'ok' : r.status);
        }
      })();
      await sleep(200);
      const termAt = performance.now() - t0;
      const exited = a.stop();
      // A still answers its share during the lameduck: the handover happens under load.
      await a.waitForLog(`Going into lameduck mode for ${LAMEDUCK_S}s`, 1_000);
      const before = await requests(pa);
      await sleep(600);
      const duringLameduck = (await requests(pa)) - before;
      const code = await exited;
      const exitAt = performance.now() - t0;
      await sleep(300);
      switching = false;
      await tcpLoop;
      const s = parseSummary(await perf);
      t.diagnostic(`B ready, SIGTERM to A at ${termAt.toFixed(0)} ms, A answered ${duringLameduck} queries in 600 ms of its lameduck, exited (${code}) at ${exitAt.toFixed(0)} ms; dnsperf: sent ${s.sent}, `
        + `completed ${s.completed}, lost ${s.lost} over ${s.runSeconds} s; TCP during the switch: ${tcp.length} queries, ${tcp.filter((x) => x !== 'ok').length} unanswered`);
      assert.equal(code, 0, 'A exits with status 0');
      assert.ok(exitAt < s.runSeconds * 1000 - 1000, 'A went away while dnsperf was sending');
      assert.ok(duringLameduck > 0, 'A had a share of the queries until it closed');
      assert.equal(s.lost, 0, `dnsperf lost ${s.lost} of ${s.sent}`);
      assert.ok(s.sent >= PERF_S * 2000 * 0.9, `dnsperf sent ${s.sent}`);
      assert.deepEqual(tcp.filter((x) => x !== 'ok'), [], `TCP queries during the switch: ${tcp.join(' ')}`);
      assert.ok(tcp.length >= 5, `${tcp.length} TCP queries`);
      for (const proto of ['+notcp', '+tcp']) assert.deepEqual((await dig(port, proto, WEB, 'A')).answer, [WEB_A], `B answers over ${proto}`);
      assert.equal(await b.stop(), 0);
    } finally {
      await a.stop();
      await b?.stop();
    }
  });
});
