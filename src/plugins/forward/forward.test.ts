// The forward handler against scripted upstreams on real sockets (src/testing/upstream.ts):
// transports, relaying, policies, failover and health checks, limits, except/next/failover, and
// a resolv.conf as TO. Short read timeouts and health-check intervals keep it fast.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { DnsError } from '../../core/errors.ts';
import type { Handler } from '../../core/handler.ts';
import { registry } from '../../core/metrics.ts';
import { Request } from '../../core/request.ts';
import type { Transport } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Message } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { testContext } from '../../testing/context.ts';
import type { TestContext } from '../../testing/context.ts';
import { rr } from '../../testing/rr.ts';
import { answerTo, startUpstream } from '../../testing/upstream.ts';
import type { Script, Upstream } from '../../testing/upstream.ts';
import type { Forward, ForwardDeps } from './forward.ts';
import { setupForward } from './index.ts';
import { parseForward } from './setup.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Answers `NAME A` with 192.0.2.TAG, and health checks (`. NS`) with an empty NOERROR. */
function answer(tag: number): Script {
  return (q) => answerTo(q, q.questions[0]!.type === RRType.NS ? {} : { answers: [rr(`${q.questions[0]!.name} 30 IN A 192.0.2.${tag}`)] });
}

const upstreams: Upstream[] = [];
const contexts: TestContext[] = [];
async function upstream(script: Script, port = 0, host = '127.0.0.1'): Promise<Upstream> {
  const u = await startUpstream(script, port, host);
  upstreams.push(u);
  return u;
}
after(async () => {
  for (const c of contexts) await c.stop();
  for (const u of upstreams) await u.close();
});

/** A terminal link recording what reached it (named `name`, so it can pose as a forward). */
function recorder(name = 'next'): Handler & { seen: string[] } {
  const seen: string[] = [];
  return {
    name, seen,
    serveDNS(req, w) {
      seen.push(req.qname);
      w.write({ ...answerTo(req.msg, { answers: [rr(`${req.qname} 5 IN A 198.51.100.1`)] }), edns: null }, name);
      return Promise.resolve();
    },
  };
}

/** A forward handler from a stanza (one line, or with a block), in front of `next`. */
function forward(stanza: string, next: Handler = recorder(), deps: ForwardDeps = {}): Forward {
  const [block] = parseCorefile(`.:53 {\n${stanza}\n}\n`, { file: 'Corefile' });
  const d = block!.directives[0]!;
  const ctx = testContext();
  contexts.push(ctx);
  return setupForward(parseForward(d), ctx, deps)(next) as Forward;
}

function query(name: string, type: number = RRType.A, o: { id?: number; edns?: boolean; rd?: boolean } = {}): Message {
  return {
    id: o.id ?? 4242, qr: false, opcode: 0, aa: false, tc: false, rd: o.rd ?? true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [],
    edns: o.edns === true ? { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] } : null,
  };
}

interface Asked { readonly w: Recorder; readonly error: unknown }
async function ask(h: Handler, name: string, transport: Transport = 'udp', msg: Message = query(name)): Promise<Asked> {
  const w = new Recorder();
  const req = new Request(msg, { address: '127.0.0.1', port: 40000, family: 4 }, transport);
  try {
    await h.serveDNS(req, w);
    return { w, error: null };
  } catch (error) {
    return { w, error };
  }
}
function answered(a: Asked): string[] {
  assert.equal(a.error, null, `unexpected error: ${String(a.error)}`);
  return (a.w.written?.answers ?? []).map((r) => String(r.data));
}

const clientQueries = (u: Upstream): number => u.queries.filter((q) => q.msg.questions[0]!.type !== RRType.NS).length;
const healthChecks = (u: Upstream): Message[] => u.queries.map((q) => q.msg).filter((m) => m.questions[0]!.type === RRType.NS);

async function eventually(what: string, fn: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val));
  return v?.value ?? 0;
}

describe('forward: transports and relaying', () => {
  test('table: the upstream transport follows the client unless force_tcp or prefer_udp', async () => {
    const cases: Array<{ opts: string; client: Transport; want: string[] }> = [
      { opts: '', client: 'udp', want: ['udp'] },
      { opts: '', client: 'tcp', want: ['tcp'] },
      { opts: 'force_tcp', client: 'udp', want: ['tcp'] },
      { opts: 'prefer_udp', client: 'tcp', want: ['udp'] },
      { opts: 'force_tcp\nprefer_udp', client: 'udp', want: ['tcp'] },
    ];
    for (const c of cases) {
      const u = await upstream(answer(1));
      const f = forward(`forward . ${u.address} {\n${c.opts}\n}`);
      assert.deepEqual(answered(await ask(f, 'a.example.', c.client)), ['192.0.2.1'], c.opts);
      assert.deepEqual(u.queries.map((q) => q.transport), c.want, `${c.opts || 'default'} with a ${c.client} client`);
    }
  });

  test('the reply is relayed as received, under the client ID, never cacheable', async () => {
    const u = await upstream((q) => ({
      ...answerTo(q, {
        rcode: Rcode.NXDOMAIN, ad: true, aa: true,
        answers: [rr(`${q.questions[0]!.name} 60 IN CNAME gone.example.`)],
        authorities: [rr('example. 300 IN SOA ns.example. host.example. 7 1800 900 604800 86400')],
        additionals: [rr('ns.example. 300 IN A 192.0.2.53')],
      }),
      ra: true,
    }));
    const f = forward(`forward . ${u.address}`);
    const a = await ask(f, 'MiXed.Example.', 'udp', query('MiXed.Example.', RRType.A, { id: 777, edns: true }));
    assert.equal(a.error, null);
    const m = a.w.written!;
    assert.equal(a.w.writtenBy, 'forward');
    assert.equal(m.id, 777, 'the client ID, not the upstream one');
    assert.notEqual(u.queries[0]!.msg.id, 777, 'upstream saw a random ID of ours (1 in 65536 to collide)');
    assert.equal(m.rcode, Rcode.NXDOMAIN);
    assert.deepEqual([m.qr, m.aa, m.ad, m.ra, m.rd], [true, true, true, true, true]);
    assert.deepEqual(m.answers.map((r) => r.data), ['gone.example.']);
    assert.equal(m.authorities.length, 1);
    assert.deepEqual(m.additionals.map((r) => r.data), ['192.0.2.53']);
    assert.equal(m.questions[0]!.name, 'MiXed.Example.');
    assert.equal(u.queries[0]!.msg.edns?.do, true, "the client's EDNS (DO) went upstream");
    assert.equal(a.w.cacheSource, null);
    assert.equal(a.w.noCache, true, 'forwarded replies are never replayed by the answer cache');
  });

  test('truncation: relayed to a UDP client by default; prefer_udp asks again over TCP', async () => {
    const script: Script = (q, t) => (t === 'udp'
      ? answerTo(q, { tc: true })
      : answerTo(q, { answers: [rr(`${q.questions[0]!.name} 30 IN A 192.0.2.9`)] }));
    const plain = await upstream(script);
    const a = await ask(forward(`forward . ${plain.address}`), 'big.example.');
    assert.equal(a.w.written?.tc, true, 'TC relayed: the client retries over TCP itself');
    assert.deepEqual(plain.queries.map((q) => q.transport), ['udp']);

    const preferring = await upstream(script);
    const f = forward(`forward . ${preferring.address} {\n prefer_udp\n}`);
    for (const client of ['udp', 'tcp'] as const) {
      const b = await ask(f, 'big.example.', client);
      assert.equal(b.w.written?.tc, false, client);
      assert.deepEqual(answered(b), ['192.0.2.9'], client);
    }
    assert.deepEqual(preferring.queries.map((q) => q.transport), ['udp', 'tcp', 'udp', 'tcp']);
  });

  test('a reply that does not answer the question is FORMERR', async () => {
    const u = await upstream((q) => ({ ...answerTo(q, { rcode: Rcode.NOTIMP }), questions: [] }));
    const a = await ask(forward(`forward . ${u.address}`), 'x.example.');
    assert.equal(a.error, null);
    assert.equal(a.w.written?.rcode, Rcode.FORMERR);
    assert.equal(a.w.written?.id, 4242);
  });

  test('names outside FROM or under except go to the next plugin; FROM itself is forwarded', async () => {
    const u = await upstream(answer(2));
    const next = recorder();
    const f = forward(`forward example.org ${u.address} {\n except internal.example.org\n}`, next);
    const cases: Array<[string, string]> = [
      ['www.example.org.', '192.0.2.2'],
      ['EXAMPLE.org.', '192.0.2.2'],
      ['other.net.', '198.51.100.1'],
      ['xexample.org.', '198.51.100.1'],
      ['internal.example.org.', '198.51.100.1'],
      ['db.Internal.example.org.', '198.51.100.1'],
    ];
    for (const [name, want] of cases) assert.deepEqual(answered(await ask(f, name)), [want], name);
    assert.deepEqual(next.seen, ['other.net.', 'xexample.org.', 'internal.example.org.', 'db.Internal.example.org.']);
    // At the end of the chain a name that is not forwarded is a "no next plugin" failure.
    const last = forward(`forward example.org ${u.address}`, { name: 'end', serveDNS: () => Promise.reject(new Error('unreachable')) });
    const end = await ask(last, 'other.net.');
    assert.ok(end.error instanceof Error);
  });

  test('metrics: request duration by upstream and rcode, connection cache hits and misses', async () => {
    const u = await upstream(answer(3));
    const f = forward(`forward . ${u.address}`);
    for (let i = 0; i < 3; i++) answered(await ask(f, 'm.example.'));
    await ask(f, 'm.example.', 'tcp');
    const text = await registry.metrics();
    const count = new RegExp(`coredns_proxy_request_duration_seconds_count\\{proxy_name="forward",to="${u.address.replaceAll('.', '\\.')}",rcode="NOERROR"\\} 4`);
    assert.match(text, count);
    assert.equal(await metric('coredns_proxy_conn_cache_misses_total', { to: u.address, proto: 'udp' }), 1);
    assert.equal(await metric('coredns_proxy_conn_cache_hits_total', { to: u.address, proto: 'udp' }), 2);
    assert.equal(await metric('coredns_proxy_conn_cache_misses_total', { to: u.address, proto: 'tcp' }), 1);
  });

  test('a resolv.conf file as TO: its nameservers are the upstreams', async () => {
    // resolv.conf has no port syntax: the upstream listens on port 53 of a spare loopback address.
    const u = await upstream(answer(53), 53, '127.0.83.1');
    const dir = mkdtempSync(join(tmpdir(), 'podns-forward-'));
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, 'search svc.cluster.local\nnameserver 127.0.83.1\noptions ndots:5\n');
    const f = forward(`forward . ${file}`);
    assert.deepEqual(f.proxies.map((p) => p.address), ['127.0.83.1:53']);
    assert.deepEqual(answered(await ask(f, 'r.example.')), ['192.0.2.53']);
    assert.equal(u.queries.length, 1);
  });
});

describe('forward: policies', () => {
  test('table: sequential, round_robin and random spread the queries as CoreDNS does', async () => {
    let seed = 7;
    const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const cases: Array<{ policy: string; want: (counts: number[]) => void }> = [
      { policy: 'sequential', want: (c) => assert.deepEqual(c, [12, 0, 0]) },
      // The round-robin counter is incremented before use: the first query goes to the second upstream.
      { policy: 'round_robin', want: (c) => assert.deepEqual(c, [4, 4, 4]) },
      { policy: 'random', want: (c) => assert.ok(c.every((n) => n > 0) && c.reduce((a, b) => a + b) === 12, `random spread ${c.join(',')}`) },
    ];
    for (const c of cases) {
      const us = [await upstream(answer(1)), await upstream(answer(2)), await upstream(answer(3))];
      const f = forward(`forward . ${us.map((u) => u.address).join(' ')} {\n policy ${c.policy}\n}`, recorder(), { random });
      const order: string[] = [];
      for (let i = 0; i < 12; i++) order.push(answered(await ask(f, 'p.example.'))[0]!);
      c.want(us.map((u) => u.queries.length));
      if (c.policy === 'round_robin') assert.deepEqual(order.slice(0, 4), ['192.0.2.2', '192.0.2.3', '192.0.2.1', '192.0.2.2']);
    }
  });
});

describe('forward: failures and health checks', () => {
  test('an upstream that drops: the next one answers; health checks mark it down, then up again', async () => {
    const bad = await upstream(() => 'drop');
    const good = await upstream(answer(2));
    const f = forward(`forward . ${bad.address} ${good.address} {
    policy sequential
    read_timeout 400ms
    health_check 30ms
    max_fails 1
}`);
    const t0 = Date.now();
    assert.deepEqual(answered(await ask(f, 'a.example.')), ['192.0.2.2']);
    assert.ok(Date.now() - t0 >= 390, 'waited for the first upstream');
    assert.equal(clientQueries(bad), 1);
    // Down after more than max_fails (1) failed checks in a row.
    await eventually('bad marked down', () => f.proxies[0]!.down(1));
    assert.ok(healthChecks(bad).length >= 2);
    assert.deepEqual(healthChecks(bad).map((m) => [m.questions[0]!.name, m.rd, m.questions[0]!.class]).slice(0, 1), [['.', true, 1]]);
    assert.ok(await metric('coredns_proxy_healthcheck_failures_total', { proxy_name: 'forward', to: bad.address }) >= 2);
    const t1 = Date.now();
    assert.deepEqual(answered(await ask(f, 'b.example.')), ['192.0.2.2']);
    assert.ok(Date.now() - t1 < 300, 'a down upstream is skipped');
    assert.equal(clientQueries(bad), 1);
    // It comes back: the next check succeeds, the fail count resets, queries go to it again.
    bad.setScript(answer(1));
    await eventually('bad up again', () => !f.proxies[0]!.down(1) && !f.proxies[0]!.probing);
    assert.equal(f.proxies[0]!.fails, 0);
    assert.deepEqual(answered(await ask(f, 'c.example.')), ['192.0.2.1']);
    const checks = healthChecks(bad).length;
    await sleep(100);
    assert.equal(healthChecks(bad).length, checks, 'checks stop once healthy');
  });

  test('a closed port fails over at once (connection refused), over UDP and TCP', async () => {
    const dead = await startUpstream(() => 'drop');
    const deadAddress = dead.address;
    await dead.close();
    const good = await upstream(answer(4));
    const f = forward(`forward . ${deadAddress} ${good.address} {\n policy sequential\n}`);
    for (const t of ['udp', 'tcp'] as const) {
      const t0 = Date.now();
      assert.deepEqual(answered(await ask(f, 'r.example.', t)), ['192.0.2.4'], t);
      assert.ok(Date.now() - t0 < 500, `${t}: no timeout waited`);
    }
  });

  test('no upstream answers: SERVFAIL by a thrown error worded like CoreDNS, after 2 × upstreams attempts', async () => {
    const us = [await upstream(() => 'drop'), await upstream(() => 'drop')];
    const f = forward(`forward . ${us.map((u) => u.address).join(' ')} {\n read_timeout 100ms\n max_fails 0\n}`);
    const a = await ask(f, 'lost.example.');
    assert.ok(a.error instanceof DnsError);
    assert.equal(a.error.rcode, Rcode.SERVFAIL);
    assert.match(a.error.message, /^read udp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: i\/o timeout$/);
    assert.equal(a.w.written, null);
    assert.equal(clientQueries(us[0]!) + clientQueries(us[1]!), 4);
    assert.deepEqual([healthChecks(us[0]!).length, healthChecks(us[1]!).length], [0, 0], 'max_fails 0: never health checked');

    const capped = forward(`forward . ${us[0]!.address} ${us[1]!.address} {\n read_timeout 100ms\n max_connect_attempts 1\n policy sequential\n}`);
    const before = clientQueries(us[0]!) + clientQueries(us[1]!);
    await ask(capped, 'lost.example.');
    assert.equal(clientQueries(us[0]!) + clientQueries(us[1]!) - before, 1, 'max_connect_attempts 1');
  });

  test('a query gives up after 5 s in all (CoreDNS defaultTimeout), on an injected clock', async () => {
    let clock = 0;
    const slow: Script = () => { clock += 2600; return 'drop'; };
    const us = [await upstream(slow), await upstream(slow), await upstream(slow)];
    const f = forward(`forward . ${us.map((u) => u.address).join(' ')} {\n read_timeout 50ms\n max_fails 0\n}`, recorder(), { now: () => clock });
    const a = await ask(f, 'slow.example.');
    assert.ok(a.error instanceof DnsError);
    assert.equal(us.reduce((n, u) => n + clientQueries(u), 0), 2, 'the third attempt would start after the deadline');
  });

  test('all upstreams down: one is tried anyway, or SERVFAIL at once with failfast_all_unhealthy_upstreams', async () => {
    const us = [await upstream(() => 'drop'), await upstream(() => 'drop')];
    const list = us.map((u) => u.address).join(' ');
    const opts = 'read_timeout 80ms\n health_check 20ms\n max_fails 1';
    const sprayer = forward(`forward . ${list} {\n ${opts}\n}`);
    const failfast = forward(`forward . ${list} {\n ${opts}\n failfast_all_unhealthy_upstreams\n}`);
    for (const f of [sprayer, failfast]) {
      await ask(f, 'warm.example.');
      await eventually('both down', () => f.proxies.every((p) => p.down(1)));
    }
    const broken = await metric('coredns_forward_healthcheck_broken_total', {});
    const asked = clientQueries(us[0]!) + clientQueries(us[1]!);
    const a = await ask(sprayer, 'x.example.');
    assert.match(String((a.error as Error).message), /i\/o timeout/);
    assert.equal(clientQueries(us[0]!) + clientQueries(us[1]!) - asked, 1, 'one random upstream tried');
    const t0 = Date.now();
    const b = await ask(failfast, 'x.example.');
    assert.ok(Date.now() - t0 < 100, 'failfast answers at once');
    assert.ok(b.error instanceof DnsError);
    assert.equal(b.error.message, 'no healthy proxies');
    assert.equal(clientQueries(us[0]!) + clientQueries(us[1]!) - asked, 1, 'failfast sent nothing');
    assert.equal(await metric('coredns_forward_healthcheck_broken_total', {}), broken + 2);
  });

  test('health checks honour no_rec, domain and force_tcp', async () => {
    const u = await upstream(() => 'drop');
    const f = forward(`forward . ${u.address} {\n read_timeout 60ms\n health_check 20ms no_rec domain Health.Example\n force_tcp\n}`);
    await ask(f, 'x.example.');
    await eventually('a health check', () => healthChecks(u).length > 0);
    const hc = u.queries.find((q) => q.msg.questions[0]!.type === RRType.NS)!;
    assert.deepEqual([hc.msg.questions[0]!.name, hc.msg.rd, hc.transport], ['health.example.', false, 'tcp']);
  });
});

describe('forward: limits, next and failover', () => {
  test('max_concurrent: above N queries in flight → REFUSED, counted', async () => {
    const u = await upstream(async (q) => { await sleep(150); return answer(5)(q, 'udp'); });
    const f = forward(`forward . ${u.address} {\n max_concurrent 2\n}`);
    const before = await metric('coredns_forward_max_concurrent_rejects_total', {});
    const all = await Promise.all([ask(f, 'a.example.'), ask(f, 'b.example.'), ask(f, 'c.example.')]);
    assert.deepEqual(answered(all[0]!), ['192.0.2.5']);
    assert.deepEqual(answered(all[1]!), ['192.0.2.5']);
    const refused = all[2]!.error;
    assert.ok(refused instanceof DnsError);
    assert.equal(refused.rcode, Rcode.REFUSED);
    assert.equal(refused.message, 'concurrent queries exceeded maximum 2');
    assert.equal(await metric('coredns_forward_max_concurrent_rejects_total', {}), before + 1);
    assert.equal(f.inflight, 0);
    assert.deepEqual(answered(await ask(f, 'd.example.')), ['192.0.2.5'], 'room again once they finished');
  });

  test('next RCODE: hands the query to the following forward; ignored when the next plugin is not a forward', async () => {
    const nx: Script = (q) => answerTo(q, { rcode: Rcode.NXDOMAIN });
    const first = await upstream(nx);
    const second = await upstream(answer(6));
    const chainEnd = forward(`forward . ${second.address}`);
    const f = forward(`forward . ${first.address} {\n next NXDOMAIN\n}`, chainEnd);
    assert.deepEqual(answered(await ask(f, 'n.example.')), ['192.0.2.6']);
    assert.equal(first.queries.length, 1);

    const other = forward(`forward . ${first.address} {\n next NXDOMAIN\n}`, recorder('cache'));
    const a = await ask(other, 'n.example.');
    assert.equal(a.w.written?.rcode, Rcode.NXDOMAIN);

    const nodata = await upstream((q) => answerTo(q));
    const g = forward(`forward . ${nodata.address} {\n next_on_nodata\n}`, chainEnd);
    assert.deepEqual(answered(await ask(g, 'n.example.')), ['192.0.2.6']);
  });

  test('failover RCODE: the next upstream is asked; after all of them the last reply is returned', async () => {
    const sf: Script = (q) => q.questions[0]!.type === RRType.NS ? answerTo(q) : answerTo(q, { rcode: Rcode.SERVFAIL });
    const a = await upstream(sf);
    const b = await upstream(answer(7));
    const f = forward(`forward . ${a.address} ${b.address} {\n policy sequential\n failover SERVFAIL REFUSED\n}`);
    assert.deepEqual(answered(await ask(f, 'fo.example.')), ['192.0.2.7']);
    assert.deepEqual([a.queries.length, b.queries.length], [1, 1]);

    const c = await upstream(sf);
    const g = forward(`forward . ${a.address} ${c.address} {\n policy sequential\n failover SERVFAIL\n}`);
    const r = await ask(g, 'fo.example.');
    assert.equal(r.error, null);
    assert.equal(r.w.written?.rcode, Rcode.SERVFAIL);
    assert.equal(c.queries.length, 1, 'each upstream asked once');
  });
});

describe('forward: shutdown', () => {
  test('shutdown closes every socket and stops health checks', async () => {
    const u = await upstream(() => 'drop');
    const ok = await upstream(answer(8));
    const ctx = testContext();
    const [block] = parseCorefile(`.:53 {\nforward . ${ok.address} ${u.address} {\n policy sequential\n read_timeout 50ms\n health_check 20ms\n}\n}\n`, { file: 'Corefile' });
    const f = setupForward(parseForward(block!.directives[0]!), ctx)(recorder()) as Forward;
    await ask(f, 'a.example.', 'udp');
    await ask(f, 'a.example.', 'tcp');
    f.proxies[1]!.healthcheck();
    await eventually('probing', () => healthChecks(u).length > 0);
    assert.deepEqual(f.proxies[0]!.client.open, { udp: 1, tcp: 1 });
    await ctx.stop();
    assert.deepEqual(f.proxies.map((p) => p.client.open), [{ udp: 0, tcp: 0 }, { udp: 0, tcp: 0 }]);
    const checks = healthChecks(u).length;
    await sleep(100);
    assert.equal(healthChecks(u).length, checks, 'no health check after shutdown');
  });
});
