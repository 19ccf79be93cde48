// musl's lookup (musl.ts), for 1.2.4+ (`musl`) and 1.2.3 (`musl-1.2.3`): one table row per rule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER_FIRST, clusterCandidates, pairs, run } from '../../test/explain/table.ts';
import type { Script } from '../../test/explain/table.ts';
import type { ResolverKind } from './types.ts';

const C = clusterCandidates;
const my = (first: Script[string]): Script => ({ 'myservice.ns.svc.cluster.local.': first, 'myservice.cluster.local.': ['10.96.0.40'] });
const TWO = 'nameserver 10.0.0.1\nnameserver 10.0.0.2\n';

interface Row {
  readonly title: string;
  readonly conf?: string;
  readonly name: string;
  readonly script?: Script;
  readonly family?: 'unspec' | 'inet' | 'inet6';
  /** Expected queries ({ modern, old } when 1.2.4+ and 1.2.3 differ). */
  readonly queries: string[] | V<string[]>;
  readonly result: string | V<string>;
  readonly groups?: number[] | V<number[]>;
  /** Compare the queries as a sorted list (order inside rounds not fixed). */
  readonly sorted?: boolean;
}

const ROWS: readonly Row[] = [
  { title: 'ClusterFirst example.com: four NXDOMAIN pairs, then the name', name: 'example.com', script: { 'example.com.': ['93.184.215.14'] }, queries: pairs(...C('example.com')), result: '93.184.215.14', groups: [2, 2, 2, 2, 2] },
  { title: 'dots ≥ ndots: the name only, no search list', name: 'a.b.c.d.e.f', script: { 'a.b.c.d.e.f.svc.cluster.local.': ['10.0.0.1'] }, queries: pairs('a.b.c.d.e.f.'), result: 'EAI_NONAME' },
  { title: 'NXDOMAIN: next candidate', name: 'myservice', script: my('nx'), queries: pairs(...C('myservice').slice(0, 3)), result: '10.96.0.40' },
  { title: 'NODATA stops the search: EAI_NODATA (1.2.4+), EAI_NONAME (1.2.3)', name: 'myservice', script: my('nodata'), queries: pairs(C('myservice')[0]!), result: { modern: 'EAI_NODATA', old: 'EAI_NONAME' } },
  {
    title: 'an NXDOMAIN for either of the pair means "no such name": next candidate', name: 'odd',
    script: { 'odd.ns.svc.cluster.local. A': 'nx', 'odd.ns.svc.cluster.local. AAAA': ['fd00::99'], 'odd.svc.cluster.local. A': ['10.0.0.9'], 'odd.svc.cluster.local. AAAA': 'nx' },
    queries: pairs(...C('odd').slice(0, 5)), result: 'EAI_NONAME',
  },
  {
    title: 'SERVFAIL: re-sent at once (2 × queries per round), every round; then EAI_AGAIN', name: 'myservice', script: my('servfail'), sorted: true,
    queries: Array.from({ length: 6 }, () => pairs(C('myservice')[0]!)).flat().sort(), result: 'EAI_AGAIN', groups: [6, 6],
  },
  {
    title: 'SERVFAIL, AF_INET: two re-sends per round', name: 'myservice', family: 'inet', script: my('servfail'),
    queries: Array.from({ length: 6 }, () => `${C('myservice')[0]!} A`), result: 'EAI_AGAIN', groups: [3, 3],
  },
  { title: 'REFUSED is ignored like silence: both rounds, then EAI_AGAIN', name: 'myservice', script: my('refused'), queries: pairs(C('myservice')[0]!, C('myservice')[0]!), result: 'EAI_AGAIN', groups: [2, 2] },
  { title: 'a timeout: both rounds, then EAI_AGAIN (the search stops)', name: 'myservice', script: my('timeout'), queries: pairs(C('myservice')[0]!, C('myservice')[0]!), result: 'EAI_AGAIN' },
  { title: 'A answered, AAAA silent: the next round re-sends only AAAA', name: 'v4.', script: { 'v4. A': ['10.0.0.1'], 'v4. AAAA': 'timeout' }, queries: ['v4. A', 'v4. AAAA', 'v4. AAAA'], result: 'EAI_AGAIN', groups: [2, 1] },
  {
    title: 'two servers: every query to both at once; the first usable reply wins', conf: TWO, name: 'x.', sorted: true,
    script: { 'x. @10.0.0.1': 'refused', 'x.': ['10.0.0.5'] } as Script, queries: ['x. A', 'x. A @10.0.0.2', 'x. AAAA', 'x. AAAA @10.0.0.2'].sort(), result: '10.0.0.5', groups: [4],
  },
  {
    title: 'a truncated reply: TCP to that server (1.2.4+); kept as it is, empty (1.2.3)', name: 'big.', script: { 'big. A udp': 'tc', 'big. A': ['10.0.0.7'], 'big. AAAA': 'nodata' },
    queries: { modern: ['big. A', 'big. AAAA', 'big. A tcp'], old: ['big. A', 'big. AAAA'] }, result: { modern: '10.0.0.7', old: 'EAI_NONAME' },
  },
  {
    title: 'TCP SERVFAIL (1.2.4+) ends the exchange: EAI_AGAIN', name: 'big.', script: { 'big. A udp': 'tc', 'big. A tcp': 'servfail', 'big. AAAA': 'nodata' },
    queries: { modern: ['big. A', 'big. AAAA', 'big. A tcp'], old: ['big. A', 'big. AAAA'] }, result: { modern: 'EAI_AGAIN', old: 'EAI_NONAME' },
  },
  {
    title: 'search ".": 1.2.4+ skips foo..; 1.2.3 sends a malformed foo.. and times out', conf: 'search .\nnameserver 10.0.0.1\noptions timeout:1 attempts:1\n', name: 'foo',
    queries: { modern: pairs('foo.'), old: pairs('foo..') }, result: { modern: 'EAI_NONAME', old: 'EAI_AGAIN' },
  },
  { title: 'attempts:0: the process dies (SIGFPE) before sending', conf: 'nameserver 10.0.0.1\noptions attempts:0\n', name: 'x.', queries: [], result: 'CRASH' },
  { title: 'timeout:0: nothing is sent, EAI_AGAIN', conf: 'nameserver 10.0.0.1\noptions timeout:0\n', name: 'x.', queries: [], result: 'EAI_AGAIN' },
  {
    title: 'attempts:3 with timeout:5 gives 4 rounds (every 1666 ms, the last at 4998 ms)', conf: 'nameserver 10.0.0.1\noptions attempts:3\n', name: 'x.', script: { 'x.': 'refused' },
    queries: pairs('x.', 'x.', 'x.', 'x.'), result: 'EAI_AGAIN', groups: [2, 2, 2, 2],
  },
  {
    title: 'options musl ignores: use-vc, single-request, edns0, rotate', conf: 'nameserver 10.0.0.1\nnameserver 10.0.0.2\noptions use-vc single-request edns0 rotate\n', name: 'x.', sorted: true,
    script: { 'x.': ['10.0.0.5'] }, queries: ['x. A', 'x. A @10.0.0.2', 'x. AAAA', 'x. AAAA @10.0.0.2'].sort(), result: '10.0.0.5', groups: [4],
  },
  { title: 'an empty label: no query, EAI_NONAME', name: 'a..b', queries: [], result: 'EAI_NONAME' },
  { title: 'two trailing dots: EAI_NONAME', name: 'foo..', queries: [], result: 'EAI_NONAME' },
  { title: 'a name of 255 characters: EAI_NONAME', name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`, queries: [], result: 'EAI_NONAME' },
  { title: 'AF_INET: A only', name: 'web', family: 'inet', script: { 'web.ns.svc.cluster.local.': ['10.0.0.5'] }, queries: [`${C('web')[0]} A`], result: '10.0.0.5' },
  {
    title: 'a dual-stack answer: IPv4 before a ULA', name: 'web.shop', script: { 'web.shop.svc.cluster.local.': ['10.96.0.30', 'fd00:10:96::30'] },
    queries: pairs(...C('web.shop').slice(0, 2)), result: '10.96.0.30 fd00:10:96::30',
  },
];

/** A value for 1.2.4+ and one for 1.2.3, when they differ. */
interface V<T> { readonly modern: T; readonly old: T }

function pick<T>(v: T | V<T>, kind: ResolverKind): T {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'modern' in v) return kind === 'musl' ? v.modern : v.old;
  return v as T;
}

describe('musl', () => {
  for (const row of ROWS) {
    for (const kind of ['musl', 'musl-1.2.3'] as const) {
      test(`${kind}: ${row.title}`, () => {
        const r = run(kind, row.conf ?? CLUSTER_FIRST, row.name, row.script ?? {}, row.family === undefined ? {} : { family: row.family });
        const queries = pick(row.queries, kind);
        assert.deepEqual(row.sorted === true ? [...r.queries].sort() : r.queries, queries, 'queries');
        assert.equal(r.result, pick(row.result, kind), 'result');
        if (row.groups !== undefined) assert.deepEqual(r.groups.map((g) => g.length), pick(row.groups, kind), 'groups');
      });
    }
  }

  test('round waits: timeout/attempts each, and what is left for the last', () => {
    const r = run('musl', 'nameserver 10.0.0.1\noptions attempts:3\n', 'x.', { 'x.': 'refused' });
    assert.deepEqual(r.sim.queries.filter((q) => q.type === 'A').map((q) => q.waitMs), [1666, 1666, 1666, 2]);
    const d = run('musl-1.2.3', 'nameserver 10.0.0.1\n', 'x.', { 'x.': 'timeout' });
    assert.deepEqual(d.sim.queries.map((q) => q.waitMs), [2500, 2500, 2500, 2500]);
  });

  test('no EDNS and no AD bit, whatever the options', () => {
    const r = run('musl', 'nameserver 10.0.0.1\noptions edns0 trust-ad\n', 'x.');
    assert.deepEqual(r.sim.queries.map((q) => [q.edns, q.ad]), [[null, false], [null, false]]);
  });

  test('1.2.3 marks the foo.. queries malformed', () => {
    const r = run('musl-1.2.3', 'search .\nnameserver 10.0.0.1\noptions timeout:1 attempts:1\n', 'foo');
    assert.deepEqual(r.sim.queries.map((q) => q.malformed), [true, true]);
  });
});
