// Server block keys and zone arguments: scheme, port, normalised zones and CIDR expansion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyError, normalizeZone, parseCidr, parseServerKey } from './keys.ts';
import type { ServerKey } from './types.ts';

const rev4 = (n: number, tail: string): string[] => Array.from({ length: n }, (_, i) => `${i}.${tail}`);

const cases: Array<[raw: string, want: Omit<ServerKey, 'raw'>]> = [
  ['.', { scheme: 'dns', zones: ['.'], port: null }],
  ['.:53', { scheme: 'dns', zones: ['.'], port: 53 }],
  ['.:0', { scheme: 'dns', zones: ['.'], port: 0 }],
  ['example.org', { scheme: 'dns', zones: ['example.org.'], port: null }],
  ['Example.ORG.:1053', { scheme: 'dns', zones: ['example.org.'], port: 1053 }],
  ['dns://example.org:053', { scheme: 'dns', zones: ['example.org.'], port: 53 }],
  ['tls://example.org', { scheme: 'tls', zones: ['example.org.'], port: null }],
  ['TLS://example.org:853', { scheme: 'tls', zones: ['example.org.'], port: 853 }],
  ['https://.', { scheme: 'https', zones: ['.'], port: null }],
  ['grpc://a.b', { scheme: 'grpc', zones: ['a.b.'], port: null }],
  ['quic://a.b:853', { scheme: 'quic', zones: ['a.b.'], port: 853 }],
  ['https3://a.b:443', { scheme: 'https3', zones: ['a.b.'], port: 443 }],
  ['_tcp.*.svc', { scheme: 'dns', zones: ['_tcp.*.svc.'], port: null }],
  ['10.0.0.1', { scheme: 'dns', zones: ['10.0.0.1.'], port: null }],
  ['10.0.0.0/8', { scheme: 'dns', zones: ['10.in-addr.arpa.'], port: null }],
  ['10.0.0.0/16', { scheme: 'dns', zones: ['0.10.in-addr.arpa.'], port: null }],
  ['10.0.0.0/24', { scheme: 'dns', zones: ['0.0.10.in-addr.arpa.'], port: null }],
  ['10.0.0.5/24:53', { scheme: 'dns', zones: ['0.0.10.in-addr.arpa.'], port: 53 }],
  ['10.0.0.1/32', { scheme: 'dns', zones: ['1.0.0.10.in-addr.arpa.'], port: null }],
  ['0.0.0.0/0', { scheme: 'dns', zones: ['in-addr.arpa.'], port: null }],
  ['10.0.0.0/27', { scheme: 'dns', zones: rev4(32, '0.0.10.in-addr.arpa.'), port: null }],
  ['10.0.0.0/15', { scheme: 'dns', zones: ['0.10.in-addr.arpa.', '1.10.in-addr.arpa.'], port: null }],
  ['172.16.0.0/12', { scheme: 'dns', zones: Array.from({ length: 16 }, (_, i) => `${16 + i}.172.in-addr.arpa.`), port: null }],
  ['192.168.1.128/25', { scheme: 'dns', zones: Array.from({ length: 128 }, (_, i) => `${128 + i}.1.168.192.in-addr.arpa.`), port: null }],
  ['fd00::/8', { scheme: 'dns', zones: ['d.f.ip6.arpa.'], port: null }],
  ['fd00:1:2:3::/64', { scheme: 'dns', zones: ['3.0.0.0.2.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa.'], port: null }],
  ['FD00:ABCD::/32:5353', { scheme: 'dns', zones: ['d.c.b.a.0.0.d.f.ip6.arpa.'], port: 5353 }],
  ['fd00::/7', { scheme: 'dns', zones: ['c.f.ip6.arpa.', 'd.f.ip6.arpa.'], port: null }],
  ['fd00::/6', { scheme: 'dns', zones: ['c.f.ip6.arpa.', 'd.f.ip6.arpa.', 'e.f.ip6.arpa.', 'f.f.ip6.arpa.'], port: null }],
  ['::/0', { scheme: 'dns', zones: ['ip6.arpa.'], port: null }],
  ['2001:db8::1/128', { scheme: 'dns', zones: ['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.'], port: null }],
];
for (const [raw, want] of cases) {
  test(`parseServerKey(${JSON.stringify(raw)})`, () => assert.deepEqual(parseServerKey(raw), { raw, ...want }));
}

const bad: Array<[raw: string, message: RegExp]> = [
  ['example.org:65536', /^invalid port "65536"/],
  ['example.org:-1', /^invalid port "-1"/],
  ['example.org:', /^expecting a port after the last colon/],
  ['example.org:1:2', /^zone "example.org:1" is not a valid domain name/],
  [':53', /^empty zone/],
  ['', /^empty zone/],
  ['dns://', /^empty zone/],
  ['http://example.org', /^unknown scheme "http"/],
  ['unix://x', /^unknown scheme "unix"/],
  ['a..org', /empty label/],
  ['.a', /empty label/],
  [`${'a'.repeat(64)}.org`, /label longer than 63/],
  [Array(130).fill('ab').join('.'), /too long/],
  ['a b', /not a valid domain name/],
  ['(snippet)', /not a valid domain name/],
  ['a,b', /not a valid domain name/],
  ['10.0.0.0/33', /^invalid CIDR "10.0.0.0\/33"/],
  ['10.0.0/8', /^invalid CIDR/],
  ['10.00.0.0/8', /^invalid CIDR/],
  ['256.0.0.0/8', /^invalid CIDR/],
  ['fd00::/129', /^invalid CIDR/],
  ['fd00:::1/64', /^invalid CIDR/],
  ['1:2:3:4:5:6:7:8:9/64', /^invalid CIDR/],
  ['::ffff:10.0.0.0/104', /^invalid CIDR/],
  ['example.org/24', /^invalid CIDR/],
];
for (const [raw, message] of bad) {
  test(`parseServerKey(${JSON.stringify(raw)}) throws`, () => {
    assert.throws(() => parseServerKey(raw), (err: unknown) => err instanceof KeyError && message.test(err.message));
  });
}

test('parseCidr clears host bits and rejects non-CIDRs', () => {
  assert.deepEqual(parseCidr('10.1.2.3/12'), { v6: false, digits: [10, 0, 0, 0], prefix: 12 });
  assert.equal(parseCidr('example.org'), null);
  assert.equal(parseCidr('10.0.0.0/'), null);
});

test('normalizeZone', () => {
  assert.deepEqual(normalizeZone('Cluster.Local'), ['cluster.local.']);
  assert.deepEqual(normalizeZone('in-addr.arpa.'), ['in-addr.arpa.']);
  assert.deepEqual(normalizeZone('10.0.0.0/23'), ['0.0.10.in-addr.arpa.', '1.0.10.in-addr.arpa.']);
});
