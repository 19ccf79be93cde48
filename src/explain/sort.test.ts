// getaddrinfo's result order per resolver (sort.ts; pod-dns spec §4.7).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sortAddresses } from './sort.ts';
import type { ResolverKind } from './types.ts';

type Row = readonly [title: string, input: string[], sources: string[], glibc: string[], musl: string[], go: string[]];

const ULA = ['10.244.1.7', 'fd00:10:244:1::7'];
const GLOBAL = ['93.184.216.34', '2001:db8::34'];

const ROWS: readonly Row[] = [
  ['nothing reachable, IPv4 + ULA: glibc ranks ULA as global IPv6 (40 > 10); musl puts IPv4 (35) above ULA (3); Go keeps the arrival order',
    ULA, [], ['fd00:10:244:1::7', '10.244.1.7'], ['10.244.1.7', 'fd00:10:244:1::7'], ULA],
  ['…Go keeps it either way', [...ULA].reverse(), [], ['fd00:10:244:1::7', '10.244.1.7'], ['10.244.1.7', 'fd00:10:244:1::7'], [...ULA].reverse()],
  ['nothing reachable, IPv4 + global IPv6: IPv6 first in glibc and musl', GLOBAL, [], ['2001:db8::34', '93.184.216.34'], ['2001:db8::34', '93.184.216.34'], GLOBAL],
  ['an IPv4-only pod (a source only for IPv4): IPv4 first everywhere', ULA, ['10.244.1.9'], ['10.244.1.7', 'fd00:10:244:1::7'], ['10.244.1.7', 'fd00:10:244:1::7'], ['10.244.1.7', 'fd00:10:244:1::7']],
  ['…also against global IPv6', [...GLOBAL].reverse(), ['10.244.1.9'], ['93.184.216.34', '2001:db8::34'], ['93.184.216.34', '2001:db8::34'], ['93.184.216.34', '2001:db8::34']],
  ['a dual-stack pod with a ULA address: glibc ULA first; musl and Go IPv4 (RFC 6724 ranks ULA below IPv4)', ULA, ['10.244.1.9', 'fd00:10:244:1::9'], ['fd00:10:244:1::7', '10.244.1.7'], ['10.244.1.7', 'fd00:10:244:1::7'], ['10.244.1.7', 'fd00:10:244:1::7']],
  ['localhost from /etc/hosts: ::1 (precedence 50) first', ['127.0.0.1', '::1'], [], ['::1', '127.0.0.1'], ['::1', '127.0.0.1'], ['::1', '127.0.0.1']],
  ['only IPv4: the order stays', ['10.0.0.2', '10.0.0.1'], [], ['10.0.0.2', '10.0.0.1'], ['10.0.0.2', '10.0.0.1'], ['10.0.0.2', '10.0.0.1']],
  ['a reachable address before an unreachable one (rule 1)', ['fd00::1', '10.0.0.1'], ['10.0.0.9'], ['10.0.0.1', 'fd00::1'], ['10.0.0.1', 'fd00::1'], ['10.0.0.1', 'fd00::1']],
  ['6to4 (2002::/16, 30) against IPv4: above in glibc (10), below in musl and Go (35)', ['10.0.0.1', '2002:c000:204::1'], [], ['2002:c000:204::1', '10.0.0.1'], ['10.0.0.1', '2002:c000:204::1'], ['10.0.0.1', '2002:c000:204::1']],
  ['Teredo (2001::/32): precedence 5 in musl, 40 in glibc', ['10.0.0.1', '2001:0:4136:e378::1'], [], ['2001:0:4136:e378::1', '10.0.0.1'], ['10.0.0.1', '2001:0:4136:e378::1'], ['10.0.0.1', '2001:0:4136:e378::1']],
];

describe('result order', () => {
  for (const [title, input, sources, glibc, musl, go] of ROWS) {
    test(title, () => {
      const got = (k: ResolverKind): readonly string[] => sortAddresses(k, input, sources).addresses;
      assert.deepEqual({ glibc: got('glibc'), musl: got('musl'), 'musl-1.2.3': got('musl-1.2.3'), go: got('go') }, { glibc, musl, 'musl-1.2.3': musl, go });
    });
  }

  test('Go reports that it kept the arrival order of two families it could not rank', () => {
    assert.equal(sortAddresses('go', ULA).arrivalOrderKept, true);
    assert.equal(sortAddresses('go', ULA, ['10.244.1.9']).arrivalOrderKept, false);
    assert.equal(sortAddresses('go', ['10.0.0.1', '10.0.0.2']).arrivalOrderKept, false);
  });
});
