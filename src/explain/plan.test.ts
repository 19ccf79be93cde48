// The driver-facing API (plan.ts, engine.ts): next()/reply(), waits, timeouts, literals, hosts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER_FIRST } from '../../test/explain/table.ts';
import { plan, simulate } from './plan.ts';
import type { Query } from './types.ts';

function query(x: ReturnType<ReturnType<typeof plan>['next']>): Query {
  assert.equal(x.kind, 'query', `expected a query, got ${JSON.stringify(x)}`);
  return x as Query;
}

describe('plan(): next() and reply()', () => {
  test('a pair is sent before any reply is needed, then the plan waits', () => {
    const r = plan({ resolver: 'glibc', resolvConf: 'nameserver 10.0.0.1\n', name: 'x.' });
    const a = query(r.next());
    const aaaa = query(r.next());
    assert.deepEqual([a.type, aaaa.type, a.group === aaaa.group], ['A', 'AAAA', true]);
    const w = r.next();
    assert.equal(w.kind, 'wait');
    assert.deepEqual(w.kind === 'wait' ? w.pending.map((q) => q.id) : [], [0, 1]);
    r.reply(aaaa, { kind: 'nodata' });
    const w2 = r.next();
    assert.deepEqual(w2.kind === 'wait' ? w2.pending.map((q) => q.id) : null, [0]);
    r.reply(a, { kind: 'answer', addresses: ['10.0.0.5'] });
    const d = r.next();
    assert.equal(d.kind, 'done');
    assert.deepEqual(d.kind === 'done' ? d.result.addresses : null, ['10.0.0.5']);
    assert.equal(r.next().kind, 'done', 'done stays done');
  });

  test('a timeout is handed over only after the replies that did come', () => {
    // A times out, AAAA answers later: glibc keeps the AAAA half, then (one usable reply and a
    // timeout) falls back to single-request and asks again.
    const r = plan({ resolver: 'glibc', resolvConf: 'nameserver 10.0.0.1\n', name: 'x.' });
    const a = query(r.next());
    const aaaa = query(r.next());
    r.reply(a, { kind: 'timeout' });
    assert.equal(r.next().kind, 'wait', 'the timeout waits for the other reply');
    r.reply(aaaa, { kind: 'answer', addresses: ['fd00::5'] });
    const again = query(r.next());
    assert.deepEqual([again.type, again.why], ['A', 'same server again, now single-request (fallback after a timeout)']);
  });

  test('replies to a query the resolver gave up on are dropped', () => {
    const r = plan({ resolver: 'glibc', resolvConf: 'nameserver 10.0.0.1\n', name: 'big.' });
    const a = query(r.next());
    const aaaa = query(r.next());
    r.reply(a, { kind: 'truncated' });
    const tcpA = query(r.next());
    assert.equal(tcpA.transport, 'tcp');
    r.reply(aaaa, { kind: 'nodata' }); // the UDP AAAA reply arrives after glibc switched to TCP
    const tcpAAAA = query(r.next());
    r.reply(tcpA, { kind: 'answer', addresses: ['10.0.0.7'] });
    r.reply(tcpAAAA, { kind: 'nodata' });
    const d = r.next();
    assert.deepEqual(d.kind === 'done' ? d.result.addresses : null, ['10.0.0.7']);
  });

  test('reply() refuses unknown queries and second replies', () => {
    const r = plan({ resolver: 'musl', resolvConf: 'nameserver 10.0.0.1\n', name: 'x.' });
    const a = query(r.next());
    assert.throws(() => r.reply(99, { kind: 'nxdomain' }), /no query 99/);
    r.reply(a, { kind: 'nxdomain' });
    assert.throws(() => r.reply(a, { kind: 'nxdomain' }), /already has a reply/);
  });

  test('musl waits on every server of a round', () => {
    const r = plan({ resolver: 'musl', resolvConf: 'nameserver 10.0.0.1\nnameserver 10.0.0.2\n', name: 'x.', family: 'inet' });
    const q1 = query(r.next());
    const q2 = query(r.next());
    assert.deepEqual([q1.server, q2.server, q1.group === q2.group], ['10.0.0.1', '10.0.0.2', true]);
    r.reply(q1, { kind: 'refused' });
    const w = r.next();
    assert.deepEqual(w.kind === 'wait' ? w.pending.map((q) => q.server) : null, ['10.0.0.2']);
    r.reply(q2, { kind: 'answer', addresses: ['10.0.0.5'] });
    assert.deepEqual(r.next(), { kind: 'done', result: { addresses: ['10.0.0.5'], error: null, from: 'dns', name: 'x.', why: 'x. answered (musl src/network/lookup_name.c name_from_dns_search)' } });
  });

  test('the trace tells the story: candidates, sends, replies, notes, the result', () => {
    const s = simulate({ resolver: 'musl-1.2.3', resolvConf: CLUSTER_FIRST, name: 'myservice' }, (q) => (q.name === 'myservice.ns.svc.cluster.local.' ? { kind: 'nodata' } : { kind: 'nxdomain' }));
    assert.deepEqual(s.trace.map((e) => e.kind), ['candidate', 'send', 'send', 'reply', 'reply', 'done']);
    assert.match(s.result.why, /musl stops the search here/);
    assert.deepEqual(s.candidates.map((c) => c.name), ['myservice.ns.svc.cluster.local.']);
    assert.equal(s.resolver.searchList.length, 5, 'the static list still shows all five');
  });
});

describe('before DNS: literals and /etc/hosts', () => {
  test('an IP literal is its own answer', () => {
    for (const resolver of ['glibc', 'musl', 'musl-1.2.3', 'go'] as const) {
      const s = simulate({ resolver, resolvConf: CLUSTER_FIRST, name: '10.1.2.3' }, () => ({ kind: 'nxdomain' }));
      assert.deepEqual([s.queries.length, s.result.from, s.result.addresses], [0, 'literal', ['10.1.2.3']], resolver);
    }
  });

  test('a literal of the other family: EAI_ADDRFAMILY (glibc, Go), EAI_NONAME (musl)', () => {
    const err = (resolver: 'glibc' | 'musl' | 'go'): string | null => simulate({ resolver, resolvConf: '', name: '::1', family: 'inet' }, () => ({ kind: 'nxdomain' })).result.error;
    assert.deepEqual([err('glibc'), err('musl'), err('go')], ['EAI_ADDRFAMILY', 'EAI_NONAME', 'EAI_ADDRFAMILY']);
  });

  test('a hosts match means no DNS query, sorted like any result', () => {
    const hosts = '10.244.1.8\tdb\nfd00:10:244:1::8\tdb\n';
    const res = (resolver: 'glibc' | 'musl' | 'go') => simulate({ resolver, resolvConf: CLUSTER_FIRST, name: 'db', hosts }, () => ({ kind: 'nxdomain' }));
    assert.deepEqual(res('glibc').result.addresses, ['fd00:10:244:1::8', '10.244.1.8']);
    assert.deepEqual(res('musl').result.addresses, ['10.244.1.8', 'fd00:10:244:1::8']);
    assert.deepEqual(res('go').result.addresses, ['10.244.1.8', 'fd00:10:244:1::8']);
    for (const r of ['glibc', 'musl', 'go'] as const) assert.equal(res(r).queries.length, 0);
  });

  test('glibc without "multi on" returns only the first line', () => {
    const s = simulate({ resolver: 'glibc', resolvConf: '', name: 'db', hosts: '10.244.1.8 db\nfd00::8 db\n', hostConfMulti: false }, () => ({ kind: 'nxdomain' }));
    assert.deepEqual(s.result.addresses, ['10.244.1.8']);
  });

  test('a hosts line of the wrong family stops musl and Go, not glibc', () => {
    const hosts = '10.0.0.1\tv4\n';
    const res = (resolver: 'glibc' | 'musl' | 'go') => simulate({ resolver, resolvConf: 'nameserver 10.0.0.9\n', name: 'v4', hosts, family: 'inet6' }, () => ({ kind: 'nxdomain' }));
    assert.deepEqual([res('glibc').queries.length, res('glibc').result.error], [1, 'EAI_NONAME']);
    assert.deepEqual([res('musl').queries.length, res('musl').result.error], [0, 'EAI_NODATA']);
    assert.deepEqual([res('go').queries.length, res('go').result.error, res('go').result.goError], [0, 'EAI_ADDRFAMILY', 'no suitable address found']);
  });

  test('musl is case-sensitive in /etc/hosts and searches the upper-case name', () => {
    const s = simulate({ resolver: 'musl', resolvConf: CLUSTER_FIRST, name: 'WEB-0', hosts: '10.244.1.7 web-0\n' }, () => ({ kind: 'nxdomain' }));
    assert.equal(s.queries[0]!.name, 'WEB-0.ns.svc.cluster.local.');
    assert.equal(s.result.error, 'EAI_NONAME');
  });
});
