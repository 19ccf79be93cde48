// The static candidate lists (names.ts; pod-dns spec §4.2) and the name checks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER_FIRST, clusterCandidates } from '../../test/explain/table.ts';
import { glibcHostnameOk, goDomainNameOk, muslMkquery, searchCandidates } from './names.ts';
import { readResolvConf } from './resolvconf.ts';
import type { ResolverKind } from './types.ts';

function names(kind: ResolverKind, conf: string, name: string): string[] {
  return searchCandidates(kind, readResolvConf(kind, conf), name).map((c) => c.name);
}

const LONG239 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(47)}`;

type Row = readonly [title: string, conf: string, name: string, glibc: string[], musl: string[], go: string[], musl123?: string[]];

const ROWS: readonly Row[] = [
  ['ClusterFirst, a short name: search domains, then the name', CLUSTER_FIRST, 'web', clusterCandidates('web'), clusterCandidates('web'), clusterCandidates('web')],
  ['ClusterFirst, example.com (1 dot < 5)', CLUSTER_FIRST, 'example.com', clusterCandidates('example.com'), clusterCandidates('example.com'), clusterCandidates('example.com')],
  [
    'ClusterFirst, 4 dots: still searched first', CLUSTER_FIRST, 'kubernetes.default.svc.cluster.local',
    clusterCandidates('kubernetes.default.svc.cluster.local'), clusterCandidates('kubernetes.default.svc.cluster.local'), clusterCandidates('kubernetes.default.svc.cluster.local'),
  ],
  [
    '5 dots ≥ ndots: glibc and Go the name first, then search; musl the name only', CLUSTER_FIRST, 'a.b.c.d.e.f',
    ['a.b.c.d.e.f.', ...clusterCandidates('a.b.c.d.e.f').slice(0, 4)], ['a.b.c.d.e.f.'], ['a.b.c.d.e.f.', ...clusterCandidates('a.b.c.d.e.f').slice(0, 4)],
  ],
  ['a trailing dot: the name only, everywhere', CLUSTER_FIRST, 'web.shop.svc.cluster.local.', ['web.shop.svc.cluster.local.'], ['web.shop.svc.cluster.local.'], ['web.shop.svc.cluster.local.']],
  [
    'ndots:2, x.y.z (2 dots)', 'search a.example b.example\noptions ndots:2\n', 'x.y.z',
    ['x.y.z.', 'x.y.z.a.example.', 'x.y.z.b.example.'], ['x.y.z.'], ['x.y.z.', 'x.y.z.a.example.', 'x.y.z.b.example.'],
  ],
  ['ndots:0: even a single label goes as typed first', 'search a.example\noptions ndots:0\n', 'web', ['web.', 'web.a.example.'], ['web.'], ['web.', 'web.a.example.']],
  ['no search list', 'nameserver 10.0.0.1\n', 'web', ['web.'], ['web.'], ['web.']],
  [
    'search ".": glibc asks the name there and not again; Go drops it; musl 1.2.4+ skips foo.., 1.2.3 sends it',
    'search .\n', 'foo', ['foo.'], ['foo..', 'foo.'], ['foo.'], ['foo..', 'foo.'],
  ],
  ['a "." entry in the middle', 'search a.example . b.example\n', 'foo', ['foo.a.example.', 'foo.', 'foo.b.example.'], ['foo.a.example.', 'foo..', 'foo.b.example.', 'foo.'], ['foo.a.example.', 'foo.b.example.', 'foo.'], ['foo.a.example.', 'foo..', 'foo.b.example.', 'foo.']],
  ['a search entry with a trailing dot', 'search cluster.local.\n', 'foo', ['foo.cluster.local.', 'foo.'], ['foo.cluster.local.', 'foo.'], ['foo.cluster.local.', 'foo.']],
  ['glibc strips a leading dot from a search entry; musl 1.2.3 stops at foo..example', 'search .example\n', 'foo', ['foo.example.', 'foo.'], ['foo..example.', 'foo.'], ['foo..example.', 'foo.'], ['foo..example.']],
  ['duplicate search entries are asked twice', 'search a.example a.example\n', 'foo', ['foo.a.example.', 'foo.a.example.', 'foo.'], ['foo.a.example.', 'foo.a.example.', 'foo.'], ['foo.a.example.', 'foo.a.example.', 'foo.']],
  [
    'a 239-character name: glibc stops at the first domain that does not fit; musl and Go skip it',
    CLUSTER_FIRST, LONG239, [`${LONG239}.ns.svc.cluster.local.`, `${LONG239}.`], [`${LONG239}.cluster.local.`, `${LONG239}.`], [`${LONG239}.cluster.local.`, `${LONG239}.`],
  ],
  ['no-tld-query: a single label is not asked as typed (glibc only)', 'search a.example\noptions no-tld-query\n', 'web', ['web.a.example.'], ['web.a.example.', 'web.'], ['web.a.example.', 'web.']],
  ['no-tld-query does not apply to dotted names', 'search a.example\noptions no-tld-query ndots:5\n', 'web.x', ['web.x.a.example.', 'web.x.'], ['web.x.a.example.', 'web.x.'], ['web.x.a.example.', 'web.x.']],
  ['Go never asks for .onion names', 'search a.example\n', 'secret.onion', ['secret.onion.', 'secret.onion.a.example.'], ['secret.onion.'], ['secret.onion.a.example.']],
];

describe('candidate names per resolver', () => {
  for (const [title, conf, name, glibc, musl, go, musl123] of ROWS) {
    test(title, () => {
      const got = {
        glibc: names('glibc', conf, name), musl: names('musl', conf, name), go: names('go', conf, name), 'musl-1.2.3': names('musl-1.2.3', conf, name),
      };
      // musl 1.2.4+ lists an unbuildable candidate too (marked skipped); only its name is compared.
      assert.deepEqual(got, { glibc, musl, go, 'musl-1.2.3': musl123 ?? musl });
    });
  }

  test('musl 1.2.4+ marks foo.. as skipped, 1.2.3 as a malformed packet', () => {
    assert.match(searchCandidates('musl', readResolvConf('musl', 'search .\n'), 'foo')[0]!.why, /cannot be built — skipped/);
    assert.match(searchCandidates('musl-1.2.3', readResolvConf('musl-1.2.3', 'search .\n'), 'foo')[0]!.why, /malformed/);
  });

  test('musl: a candidate of 254-255 characters fits the search check but not res_mkquery', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}`; // 242
    const conf = 'search cluster.local\noptions ndots:5\n'; // 242 + 1 + 13 = 256 > 255: skipped by the length check
    assert.deepEqual(names('musl', conf, name), [`${name}.`]);
    const conf2 = 'search cluster.loc\noptions ndots:5\n'; // 242 + 1 + 11 = 254: built, then refused by res_mkquery
    assert.deepEqual(names('musl', conf2, name), [`${name}.cluster.loc.`, `${name}.`]);
    assert.match(searchCandidates('musl', readResolvConf('musl', conf2), name)[0]!.why, /skipped/);
    assert.deepEqual(names('musl-1.2.3', conf2, name), [`${name}.cluster.loc.`], 'musl 1.2.3 stops there');
  });
});

describe('name checks', () => {
  const cases: ReadonlyArray<readonly [string, boolean, boolean]> = [
    // name, glibc res_hnok, Go isDomainName
    ['web', true, true],
    ['web.shop.svc.cluster.local.', true, true],
    ['_http._tcp.web', true, true],
    ['-web', false, false],
    ['web-', true, false],
    ['1234', true, false],
    ['10.0.0.1.nip', true, true],
    ['we b', false, false],
    ['web..shop', false, false],
    ['a'.repeat(64), false, false],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, true, true],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, false, false],
    ['ünicode', false, false],
  ];
  for (const [name, glibc, go] of cases) {
    test(`${name.length > 20 ? `${name.slice(0, 12)}…(${name.length})` : JSON.stringify(name)}: glibc ${glibc}, Go ${go}`, () => {
      assert.equal(glibcHostnameOk(name), glibc);
      assert.equal(goDomainNameOk(name), go);
    });
  }

  test('musl res_mkquery', () => {
    assert.equal(muslMkquery('musl', 'web.'), 'ok');
    assert.equal(muslMkquery('musl', 'web..'), 'fail');
    assert.equal(muslMkquery('musl-1.2.3', 'web..'), 'malformed');
    assert.equal(muslMkquery('musl-1.2.3', 'a..b'), 'fail');
    assert.equal(muslMkquery('musl', 'x'.repeat(64)), 'fail');
    assert.equal(muslMkquery('musl', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`), 'ok');
    assert.equal(muslMkquery('musl', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`), 'fail');
  });
});
