// Go's pure resolver (golang.ts): one table row per rule. (Checked against Go's source and the
// spec's observations of Go 1.19; no Go toolchain runs in these tests.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER_FIRST, clusterCandidates, pairs, run } from '../../test/explain/table.ts';
import type { Script } from '../../test/explain/table.ts';

const C = clusterCandidates;
const my = (first: Script[string]): Script => ({ 'myservice.ns.svc.cluster.local.': first, 'myservice.cluster.local.': ['10.96.0.40'] });
const TWO = 'nameserver 10.0.0.1\nnameserver 10.0.0.2\n';

interface Row {
  readonly title: string;
  readonly conf?: string;
  readonly name: string;
  readonly script?: Script;
  readonly family?: 'unspec' | 'inet' | 'inet6';
  /** Queries in order (parallel lanes are listed A-lane first within a step). */
  readonly queries: string[];
  readonly result: string;
  readonly goError?: string;
  readonly groups?: number[];
}

const ROWS: readonly Row[] = [
  { title: 'ClusterFirst example.com: four NXDOMAIN pairs, then the name; A and AAAA at once', name: 'example.com', script: { 'example.com.': ['93.184.215.14'] }, queries: pairs(...C('example.com')), result: '93.184.215.14', groups: [2, 2, 2, 2, 2] },
  { title: 'dots ≥ ndots: the name first, then the search list', name: 'a.b.c.d.e.f', script: { 'a.b.c.d.e.f.svc.cluster.local.': ['10.0.0.1'] }, queries: pairs('a.b.c.d.e.f.', ...C('a.b.c.d.e.f').slice(0, 2)), result: '10.0.0.1' },
  { title: 'NODATA mid-search: Go goes on', name: 'myservice', script: my('nodata'), queries: pairs(...C('myservice').slice(0, 3)), result: '10.96.0.40' },
  {
    title: 'SERVFAIL: each type tries again (attempts), then the next candidate', name: 'myservice', script: my('servfail'),
    queries: [...pairs(C('myservice')[0]!, C('myservice')[0]!), ...pairs(...C('myservice').slice(1, 3))], result: '10.96.0.40', groups: [4, 2, 2],
  },
  { title: 'REFUSED: the same', name: 'myservice', script: my('refused'), queries: [...pairs(C('myservice')[0]!, C('myservice')[0]!), ...pairs(...C('myservice').slice(1, 3))], result: '10.96.0.40' },
  { title: 'a timeout: the same', name: 'myservice', script: my('timeout'), queries: [...pairs(C('myservice')[0]!, C('myservice')[0]!), ...pairs(...C('myservice').slice(1, 3))], result: '10.96.0.40' },
  {
    title: 'the error reported is the as-typed name\'s when it was tried', name: 'x', script: { 'x.ns.svc.cluster.local.': 'servfail' },
    queries: [...pairs(C('x')[0]!, C('x')[0]!), ...pairs(...C('x').slice(1))], result: 'EAI_NONAME', goError: 'no such host',
  },
  {
    title: '…or else the first error met', conf: CLUSTER_FIRST.replace('ndots:5', 'ndots:1'), name: 'x.y', script: { 'x.y.': 'servfail' },
    queries: [...pairs('x.y.', 'x.y.'), ...pairs(...C('x.y').slice(0, 4))], result: 'EAI_AGAIN', goError: 'server misbehaving',
  },
  { title: 'REFUSED as the final error: EAI_FAIL ("server misbehaving", not temporary)', conf: 'nameserver 10.0.0.1\noptions attempts:1\n', name: 'x.', script: { 'x.': 'refused' }, queries: pairs('x.'), result: 'EAI_FAIL', goError: 'server misbehaving' },
  { title: 'timeouts everywhere: "i/o timeout"', conf: 'nameserver 10.0.0.1\noptions attempts:1\n', name: 'x.', script: { 'x.': 'timeout' }, queries: pairs('x.'), result: 'EAI_AGAIN', goError: 'i/o timeout' },
  { title: 'A NXDOMAIN, AAAA data: the AAAA is kept', name: 'odd', script: { 'odd.ns.svc.cluster.local. A': 'nx', 'odd.ns.svc.cluster.local. AAAA': ['fd00::99'] }, queries: pairs(C('odd')[0]!), result: 'fd00::99' },
  {
    title: 'two servers: NXDOMAIN from the first is final for that type', conf: TWO, name: 'x.', script: { 'x. @10.0.0.1': 'nx', 'x.': ['10.0.0.5'] } as Script,
    queries: pairs('x.'), result: 'EAI_NONAME',
  },
  {
    title: 'two servers: SERVFAIL from the first moves on to the second', conf: TWO, name: 'x.', script: { 'x. @10.0.0.1': 'servfail', 'x.': ['10.0.0.5'] } as Script,
    queries: ['x. A', 'x. AAAA', 'x. A @10.0.0.2', 'x. AAAA @10.0.0.2'], result: '10.0.0.5',
  },
  {
    title: 'unreachable: the next server at once', conf: TWO, name: 'x.', script: { 'x. @10.0.0.1': 'unreachable', 'x.': ['10.0.0.5'] } as Script,
    queries: ['x. A', 'x. AAAA', 'x. A @10.0.0.2', 'x. AAAA @10.0.0.2'], result: '10.0.0.5',
  },
  {
    title: 'single-request: A, then AAAA, one at a time', conf: 'search a.example\nnameserver 10.0.0.1\noptions single-request\n', name: 'web', script: { 'web.a.example.': ['10.0.0.5'] },
    queries: pairs('web.a.example.'), result: '10.0.0.5', groups: [1, 1],
  },
  { title: 'TC: the same question over TCP', name: 'big.', script: { 'big. A udp': 'tc', 'big. A': ['10.0.0.7'], 'big. AAAA': 'nodata' }, queries: ['big. A', 'big. AAAA', 'big. A tcp'], result: '10.0.0.7' },
  { title: 'use-vc: TCP only', conf: 'nameserver 10.0.0.1\noptions use-vc\n', name: 'x.', script: { 'x.': ['10.0.0.5'] }, queries: ['x. A tcp', 'x. AAAA tcp'], result: '10.0.0.5' },
  {
    title: 'rotate: a counter from 0, one step per lookup of one type', conf: `search a\n${TWO}options rotate\n`, name: 'web',
    queries: ['web.a. A', 'web.a. AAAA @10.0.0.2', 'web. A', 'web. AAAA @10.0.0.2'], result: 'EAI_NONAME',
  },
  { title: 'search "." is dropped', conf: 'search .\nnameserver 10.0.0.1\n', name: 'foo', queries: pairs('foo.'), result: 'EAI_NONAME' },
  { title: 'an all-numeric name is not a domain name: no query', name: '1234', queries: [], result: 'EAI_NONAME', goError: 'no such host' },
  { title: '.onion is never asked', conf: 'nameserver 10.0.0.1\n', name: 'secret.onion', queries: [], result: 'EAI_NONAME' },
  { title: 'ip4: A only', name: 'web', family: 'inet', script: { 'web.ns.svc.cluster.local.': ['10.0.0.5'] }, queries: [`${C('web')[0]} A`], result: '10.0.0.5' },
];

describe('Go', () => {
  for (const row of ROWS) {
    test(row.title, () => {
      const r = run('go', row.conf ?? CLUSTER_FIRST, row.name, row.script ?? {}, row.family === undefined ? {} : { family: row.family });
      assert.deepEqual(r.queries, row.queries, 'queries');
      assert.equal(r.result, row.result, 'result');
      if (row.goError !== undefined) assert.equal(r.sim.result.goError, row.goError, 'goError');
      if (row.groups !== undefined) assert.deepEqual(r.groups.map((g) => g.length), row.groups, 'groups');
    });
  }

  test('EDNS0 with 1232 bytes on every query; AD with trust-ad', () => {
    assert.deepEqual(run('go', 'nameserver 10.0.0.1\n', 'x.').sim.queries.map((q) => [q.edns, q.ad]), [[1232, false], [1232, false]]);
    assert.deepEqual(run('go', 'nameserver 10.0.0.1\noptions trust-ad\n', 'x.').sim.queries.map((q) => q.ad), [true, true]);
  });

  test('a dual-stack answer with nothing reachable: the order is the arrival order, flagged', () => {
    const r = run('go', CLUSTER_FIRST, 'web.shop.svc.cluster.local.', { 'web.shop.svc.cluster.local.': ['10.96.0.30', 'fd00:10:96::30'] });
    assert.equal(r.sim.result.orderVaries, true);
    const v4only = run('go', CLUSTER_FIRST, 'web.shop.svc.cluster.local.', { 'web.shop.svc.cluster.local.': ['10.96.0.30', 'fd00:10:96::30'] }, { sources: ['10.244.1.9'] });
    assert.equal(v4only.result, '10.96.0.30 fd00:10:96::30');
    assert.equal(v4only.sim.result.orderVaries, undefined);
  });

  test('waits: timeout per try', () => {
    assert.deepEqual(run('go', 'nameserver 10.0.0.1\noptions timeout:2\n', 'x.', { 'x.': 'timeout' }).sim.queries.map((q) => q.waitMs), [2000, 2000, 2000, 2000]);
  });
});
