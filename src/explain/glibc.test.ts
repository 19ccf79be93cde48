// glibc's walk through names, servers and replies (glibc.ts): one table row per rule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER_FIRST, clusterCandidates, pairs, run } from '../../test/explain/table.ts';
import type { Script } from '../../test/explain/table.ts';

const C = clusterCandidates;
const FAST = 'search ns.svc.cluster.local svc.cluster.local cluster.local example.internal\nnameserver 10.96.0.10\noptions ndots:5 timeout:1 attempts:1\n';
const THREE = 'nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n';
const my = (first: Script[string]): Script => ({ 'myservice.ns.svc.cluster.local.': first, 'myservice.cluster.local.': ['10.96.0.40'] });

interface Row {
  readonly title: string;
  readonly conf?: string;
  readonly name: string;
  readonly script?: Script;
  readonly family?: 'unspec' | 'inet' | 'inet6';
  readonly rotateOffset?: number;
  /** The queries in order ("name TYPE[ tcp][ @server]"). */
  readonly queries: string[];
  readonly result: string;
  /** The group sizes, when they matter. */
  readonly groups?: number[];
}

const ROWS: readonly Row[] = [
  { title: 'ClusterFirst example.com: four NXDOMAIN pairs, then the name', name: 'example.com', script: { 'example.com.': ['93.184.215.14'] }, queries: pairs(...C('example.com')), result: '93.184.215.14', groups: [2, 2, 2, 2, 2] },
  { title: 'the first search domain answers', name: 'web', script: { 'web.ns.svc.cluster.local.': ['10.96.0.20'] }, queries: pairs(C('web')[0]!), result: '10.96.0.20' },
  { title: 'NXDOMAIN: next candidate', name: 'myservice', script: my('nx'), queries: pairs(...C('myservice').slice(0, 3)), result: '10.96.0.40' },
  { title: 'NODATA mid-search: glibc goes on', name: 'myservice', script: my('nodata'), queries: pairs(...C('myservice').slice(0, 3)), result: '10.96.0.40' },
  { title: 'every candidate NODATA: all asked, EAI_NODATA', name: 'empty', script: Object.fromEntries(C('empty').map((n) => [n, 'nodata'])), queries: pairs(...C('empty')), result: 'EAI_NODATA' },
  {
    title: 'SERVFAIL mid-search: the next attempt, then the next candidate', name: 'myservice', script: my('servfail'),
    queries: pairs(C('myservice')[0]!, C('myservice')[0]!, ...C('myservice').slice(1, 3)), result: '10.96.0.40', groups: [2, 2, 2, 2],
  },
  {
    title: 'SERVFAIL everywhere: two tries per candidate, EAI_AGAIN', name: 'web', script: Object.fromEntries(C('web').map((n) => [n, 'servfail'])),
    queries: C('web').flatMap((n) => pairs(n, n)), result: 'EAI_AGAIN',
  },
  {
    title: 'REFUSED mid-search: retried, then the search list is abandoned for the name as typed', name: 'myservice', script: my('refused'),
    queries: pairs(C('myservice')[0]!, C('myservice')[0]!, 'myservice.'), result: 'EAI_NONAME',
  },
  { title: 'a timeout mid-search: abandoned for the name as typed', conf: FAST, name: 'myservice', script: my('timeout'), queries: pairs(C('myservice')[0]!, 'myservice.'), result: 'EAI_NONAME' },
  { title: 'timeouts everywhere: EAI_AGAIN after the name as typed', conf: FAST, name: 'web', script: Object.fromEntries(C('web').map((n) => [n, 'timeout'])), queries: pairs(C('web')[0]!, 'web.'), result: 'EAI_AGAIN' },
  {
    title: 'SERVFAIL then NODATA then NXDOMAIN: NODATA wins (EAI_NODATA)', name: 'x', script: { 'x.ns.svc.cluster.local.': 'servfail', 'x.svc.cluster.local.': 'nodata' },
    queries: pairs(C('x')[0]!, ...C('x')), result: 'EAI_NODATA',
  },
  { title: 'a trailing dot: one pair, its error', name: 'web.shop.svc.cluster.local.', queries: pairs('web.shop.svc.cluster.local.'), result: 'EAI_NONAME' },
  { title: 'a trailing dot with NODATA: EAI_NODATA', name: 'n.', script: { 'n.': 'nodata' }, queries: pairs('n.'), result: 'EAI_NODATA' },
  {
    title: 'ndots:1, web.shop: as typed first (NODATA), then the search list; the first error counts', conf: CLUSTER_FIRST.replace('ndots:5', 'ndots:1'), name: 'web.shop',
    script: { 'web.shop.': 'nodata' }, queries: pairs('web.shop.', ...C('web.shop').slice(0, 4)), result: 'EAI_NODATA',
  },
  { title: 'A NXDOMAIN but AAAA data: the AAAA is taken', name: 'odd', script: { 'odd.ns.svc.cluster.local. A': 'nx', 'odd.ns.svc.cluster.local. AAAA': ['fd00::99'] }, queries: pairs('odd.ns.svc.cluster.local.'), result: 'fd00::99' },
  { title: 'A data, AAAA SERVFAIL: the half answer', name: 'h.', script: { 'h. A': ['10.0.0.1'], 'h. AAAA': 'servfail' }, queries: pairs('h.'), result: '10.0.0.1' },
  { title: 'A SERVFAIL, AAAA data: the other half', name: 'h.', script: { 'h. A': 'servfail', 'h. AAAA': ['fd00::1'] }, queries: pairs('h.'), result: 'fd00::1' },
  {
    title: 'a truncated reply: both queries again over TCP to the same server', name: 'big.svc.cluster.local.',
    script: { 'big.svc.cluster.local. A udp': 'tc', 'big.svc.cluster.local. A': ['10.96.0.70'], 'big.svc.cluster.local. AAAA': 'nodata' },
    queries: [...pairs('big.svc.cluster.local.'), 'big.svc.cluster.local. A tcp', 'big.svc.cluster.local. AAAA tcp'], result: '10.96.0.70', groups: [2, 2],
  },
  {
    title: 'SERVFAIL over TCP is taken as it is (no other try), and the search goes on', name: 'web',
    script: { 'web.ns.svc.cluster.local. A udp': 'tc', 'web.ns.svc.cluster.local. A tcp': 'servfail', 'web.ns.svc.cluster.local. AAAA tcp': 'servfail' },
    queries: [...pairs(C('web')[0]!), `${C('web')[0]} A tcp`, `${C('web')[0]} AAAA tcp`, ...pairs(...C('web').slice(1))], result: 'EAI_AGAIN',
  },
  {
    title: 'A answered, AAAA silent: single-request, then single-request-reopen, then the A alone', conf: FAST, name: 'v4only.',
    script: { 'v4only. A': ['10.96.0.60'], 'v4only. AAAA': 'timeout' }, queries: pairs('v4only.', 'v4only.', 'v4only.'), result: '10.96.0.60', groups: [2, 1, 1, 1, 1],
  },
  {
    title: '…and the process stays sequential for the next candidates', conf: FAST, name: 'v4',
    script: { 'v4.ns.svc.cluster.local. A': 'nx', 'v4.ns.svc.cluster.local. AAAA': 'timeout', 'v4.svc.cluster.local.': ['10.0.0.4'] },
    queries: pairs(C('v4')[0]!, C('v4')[0]!, C('v4')[0]!, C('v4')[1]!), result: '10.0.0.4', groups: [2, 1, 1, 1, 1, 1, 1],
  },
  {
    title: 'single-request: AAAA only after the A reply', conf: CLUSTER_FIRST.replace('ndots:5', 'ndots:5 single-request'), name: 'web.shop',
    script: { 'web.shop.svc.cluster.local.': ['10.96.0.30', 'fd00:10:96::30'] }, queries: pairs(...C('web.shop').slice(0, 2)), result: 'fd00:10:96::30 10.96.0.30', groups: [1, 1, 1, 1],
  },
  {
    title: 'single-request: a SERVFAIL for A goes to the next server at once (Debian 2.36)', conf: 'nameserver 10.0.0.1\nnameserver 10.0.0.2\noptions single-request\n', name: 'x.example.',
    script: { 'x.example. A @10.0.0.1': 'servfail', 'x.example.': ['10.0.0.5'] } as Script, queries: ['x.example. A', 'x.example. A @10.0.0.2', 'x.example. AAAA @10.0.0.2'], result: '10.0.0.5',
  },
  { title: 'use-vc: TCP from the start', conf: 'nameserver 10.0.0.1\noptions use-vc\n', name: 'x.', script: { 'x.': ['10.0.0.5'] }, queries: ['x. A tcp', 'x. AAAA tcp'], result: '10.0.0.5', groups: [2] },
  {
    title: 'three servers, all silent: attempts × servers, in order', conf: THREE, name: 'x.', script: { 'x.': 'timeout' },
    queries: ['x. A', 'x. AAAA', 'x. A @10.0.0.2', 'x. AAAA @10.0.0.2', 'x. A @10.0.0.3', 'x. AAAA @10.0.0.3', 'x. A', 'x. AAAA', 'x. A @10.0.0.2', 'x. AAAA @10.0.0.2', 'x. A @10.0.0.3', 'x. AAAA @10.0.0.3'],
    result: 'EAI_AGAIN',
  },
  {
    title: 'only the first 3 nameservers; REFUSED by all is TRY_AGAIN', conf: `${THREE}nameserver 10.0.0.4\noptions attempts:1\n`, name: 'x.', script: { 'x.': 'refused' },
    queries: ['x. A', 'x. AAAA', 'x. A @10.0.0.2', 'x. AAAA @10.0.0.2', 'x. A @10.0.0.3', 'x. AAAA @10.0.0.3'], result: 'EAI_AGAIN',
  },
  {
    title: 'rotate: each res_send starts one server further', conf: `search a b\n${THREE}options rotate\n`, name: 'web', rotateOffset: 1,
    queries: ['web.a. A @10.0.0.2', 'web.a. AAAA @10.0.0.2', 'web.b. A @10.0.0.3', 'web.b. AAAA @10.0.0.3', 'web. A', 'web. AAAA'], result: 'EAI_NONAME',
  },
  {
    title: 'an unreachable server (ECONNREFUSED): retried, then glibc gives up at once', name: 'web', script: Object.fromEntries(C('web').map((n) => [n, 'unreachable'])),
    queries: pairs(C('web')[0]!, C('web')[0]!), result: 'EAI_AGAIN',
  },
  {
    title: 'the first server unreachable, the second answers', conf: 'nameserver 10.0.0.1\nnameserver 10.0.0.2\n', name: 'x.',
    script: { 'x. @10.0.0.1': 'unreachable', 'x.': ['10.0.0.5'] } as Script, queries: ['x. A', 'x. AAAA', 'x. A @10.0.0.2', 'x. AAAA @10.0.0.2'], result: '10.0.0.5',
  },
  { title: 'attempts:0: no query at all, EAI_AGAIN', conf: CLUSTER_FIRST.replace('ndots:5', 'ndots:5 attempts:0'), name: 'web', queries: [], result: 'EAI_AGAIN' },
  { title: 'no-aaaa: A only for AF_UNSPEC', conf: 'nameserver 10.0.0.1\noptions no-aaaa\n', name: 'x.', script: { 'x.': ['10.0.0.5', 'fd00::5'] }, queries: ['x. A'], result: '10.0.0.5' },
  { title: 'AF_INET: A only', name: 'web', script: { 'web.svc.cluster.local.': ['10.0.0.5'] }, family: 'inet', queries: C('web').slice(0, 2).map((n) => `${n} A`), result: '10.0.0.5' },
  { title: 'AF_INET6: AAAA only', name: 'web.', script: { 'web.': ['10.0.0.5', 'fd00::5'] }, family: 'inet6', queries: ['web. AAAA'], result: 'fd00::5' },
  { title: 'not a host name: no query, EAI_NONAME', name: 'we b', queries: [], result: 'EAI_NONAME' },
  { title: 'a leading dash: no query', name: '-web', queries: [], result: 'EAI_NONAME' },
  {
    title: 'a candidate too long to build ends the search list; the name as typed follows', name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(47)}`,
    queries: pairs(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(47)}.`), result: 'EAI_NONAME',
  },
];

describe('glibc', () => {
  for (const row of ROWS) {
    test(row.title, () => {
      const r = run('glibc', row.conf ?? CLUSTER_FIRST, row.name, row.script ?? {}, {
        ...(row.family === undefined ? {} : { family: row.family }), ...(row.rotateOffset === undefined ? {} : { rotateOffset: row.rotateOffset }),
      });
      assert.deepEqual(r.queries, row.queries, 'queries');
      assert.equal(r.result, row.result, 'result');
      if (row.groups !== undefined) assert.deepEqual(r.groups.map((g) => g.length), row.groups, 'groups');
    });
  }

  test('per-server waits: timeout << i, divided by the server count for i > 0, at least 1 s', () => {
    const r = run('glibc', THREE, 'x.', { 'x.': 'timeout' });
    assert.deepEqual(r.sim.queries.filter((q) => q.type === 'A').map((q) => q.waitMs), [5000, 3000, 6000, 5000, 3000, 6000]);
    const fast = run('glibc', 'nameserver 10.0.0.1\nnameserver 10.0.0.2\noptions timeout:1 attempts:2\n', 'x.', { 'x.': 'timeout' });
    assert.deepEqual(fast.sim.queries.filter((q) => q.type === 'A').map((q) => `${q.server} ${q.waitMs}`), ['10.0.0.1 1000', '10.0.0.2 1000', '10.0.0.1 1000', '10.0.0.2 1000']);
  });

  test('edns0 and trust-ad: an OPT of 1200 bytes and the AD bit; neither by default', () => {
    const on = run('glibc', 'nameserver 10.0.0.1\noptions edns0 trust-ad\n', 'x.');
    assert.deepEqual(on.sim.queries.map((q) => [q.edns, q.ad]), [[1200, true], [1200, true]]);
    const off = run('glibc', 'nameserver 10.0.0.1\n', 'x.');
    assert.deepEqual(off.sim.queries.map((q) => [q.edns, q.ad]), [[null, false], [null, false]]);
  });

  test('the too-long candidate is listed, without a query', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(47)}`;
    const r = run('glibc', CLUSTER_FIRST, long);
    assert.deepEqual(r.sim.candidates.map((c) => c.name), [`${long}.ns.svc.cluster.local.`, `${long}.`]);
    assert.ok(r.sim.trace.some((e) => e.kind === 'note' && /cannot be encoded/.test(e.text)));
  });

  test('the fallback to single-request is explained in the trace', () => {
    const r = run('glibc', FAST, 'v4only.', { 'v4only. A': ['10.96.0.60'], 'v4only. AAAA': 'timeout' });
    const notes = r.sim.trace.filter((e) => e.kind === 'note').map((e) => (e.kind === 'note' ? e.text : ''));
    assert.ok(notes.some((t) => /switches this process to single-request/.test(t)), notes.join('\n'));
    assert.ok(notes.some((t) => /single-request-reopen/.test(t)));
    assert.match(r.sim.queries[5]!.why, /new socket/);
  });
});
