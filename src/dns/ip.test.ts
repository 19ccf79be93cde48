import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import {
  canonicalIP, clientBytes, ipBytes, ipFamily, ipFromReverse, ipText, ipv4Bytes, ipv4Text, ipv6Bytes, ipv6Text, maskBits,
  parseCIDR, prefixContains, reverseName,
} from './ip.ts';

test('canonicalIP table', () => {
  const cases: [string, string | null][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
    ['010.0.0.1', null], // leading zero: ambiguous (octal to inet_aton)
    ['256.0.0.1', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['1.2.3.', null],
    [' 1.2.3.4', null],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8::', '2001:db8::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed (RFC 5952 §4.2.2)
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], // equal runs: the first is compressed (§4.2.3)
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest run wins
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::FFFF:0102:0304', '::ffff:1.2.3.4'], // IPv4-mapped shown dotted (§5)
    ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::102:304'], // IPv4-compatible (deprecated) is plain hex
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1:2:3:4:5:6:7', null],
    ['1::2::3', null],
    [':::', null],
    ['1:', null],
    [':1', null],
    ['12345::', null],
    ['fe80::1%eth0', null],
    ['::ffff:1.2.3.04', null],
    ['1:2:3:4:5:6:7::8', null], // "::" must stand for at least one group
    ['', null],
    ['example.com', null],
  ];
  for (const [input, want] of cases) {
    assert.equal(canonicalIP(input), want, input);
    const family = want === null ? 0 : want.includes(':') ? 6 : 4;
    assert.equal(ipFamily(input), family, `family of ${input}`);
    // Node agrees on validity (except leading-zero IPv4 inside IPv6, which both refuse anyway).
    if (want !== null) assert.equal(isIP(input), family, `net.isIP(${input})`);
  }
});

test('bytes ↔ text', () => {
  assert.deepEqual(ipv4Bytes('192.0.2.1'), new Uint8Array([192, 0, 2, 1]));
  assert.equal(ipv4Bytes('::1'), null);
  assert.deepEqual(ipv6Bytes('::ffff:1.2.3.4'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]));
  assert.deepEqual(ipv6Bytes('2001:db8::'), new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(ipv6Bytes('1.2.3.4'), null);
  assert.equal(ipv4Text(new Uint8Array([9, 9, 10, 0, 0, 1]), 2), '10.0.0.1');
  assert.equal(ipv6Text(new Uint8Array(16)), '::');
  const bytes = new Uint8Array(16);
  bytes[15] = 1;
  assert.equal(ipv6Text(bytes), '::1');
});

test('reverseName and ipFromReverse table (round trip)', () => {
  const cases: [string, string][] = [
    ['1.2.3.4', '4.3.2.1.in-addr.arpa.'],
    ['10.0.0.255', '255.0.0.10.in-addr.arpa.'],
    ['2001:db8::', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.'],
    ['2001:db8::567:89ab', 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.'],
    ['::ffff:1.2.3.4', '4.0.3.0.2.0.1.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.'],
  ];
  for (const [ip, name] of cases) {
    assert.equal(reverseName(ip), name);
    assert.equal(ipFromReverse(name), ip);
    assert.equal(ipFromReverse(name.toUpperCase()), ip, 'case-insensitive');
    assert.equal(ipFromReverse(name.slice(0, -1)), ip, 'trailing dot optional');
  }
  assert.equal(reverseName('2001:DB8:0::1'), reverseName('2001:db8::1'));
  assert.throws(() => reverseName('not-an-ip'), RangeError);
});

test('ipFromReverse refuses partial and malformed names', () => {
  const bad = [
    '3.2.1.in-addr.arpa.', // partial (a /24 zone)
    '5.4.3.2.1.in-addr.arpa.',
    '04.3.2.1.in-addr.arpa.', // leading zero
    '256.3.2.1.in-addr.arpa.',
    'in-addr.arpa.',
    '4.3.2.1.in-addr.arpa.example.',
    '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.', // 24 nibbles
    '00.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.',
    'g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.',
    'web.shop.svc.cluster.local.',
  ];
  for (const name of bad) assert.equal(ipFromReverse(name), null, name);
});

test('ipBytes, ipText, maskBits and prefixContains: the pieces of a CIDR', () => {
  assert.deepEqual([...ipBytes('10.96.0.10')!], [10, 96, 0, 10]);
  assert.equal(ipBytes('fd00::1')!.length, 16);
  assert.equal(ipBytes('10.96.0'), null);
  assert.equal(ipText(maskBits(ipBytes('10.97.255.3')!, 12)), '10.96.0.0');
  assert.equal(ipText(maskBits(ipBytes('fd00:1:2:3:4:5:6:7')!, 52)), 'fd00:1:2::');
  assert.equal(ipText(maskBits(ipBytes('192.168.1.200')!, 0)), '0.0.0.0');
  assert.equal(ipText(maskBits(ipBytes('192.168.1.200')!, 32)), '192.168.1.200');
  const net = maskBits(ipBytes('10.96.0.0')!, 12);
  assert.equal(prefixContains(net, 12, ipBytes('10.111.255.255')!), true);
  assert.equal(prefixContains(net, 12, ipBytes('10.112.0.0')!), false);
  assert.equal(prefixContains(net, 12, ipBytes('::ffff:10.96.0.1')!), false, 'families are not mixed');
});

test('parseCIDR: masked, canonical, Go net.ParseCIDR forms; malformed is null', () => {
  assert.equal(parseCIDR('10.96.0.10/12')?.text, '10.96.0.0/12');
  assert.equal(parseCIDR('FD00:10:96::1/108')?.text, 'fd00:10:96::/108');
  assert.equal(parseCIDR('::ffff:10.0.0.1/104')?.bytes.length, 16, 'an IPv4-mapped network is an IPv6 one');
  for (const bad of ['10.96.0.0', '10.96.0.0/33', '::/129', 'x/8', '10.96.0.0/', '/8', '010.0.0.0/8', 'fe80::1%eth0/64']) assert.equal(parseCIDR(bad), null, bad);
});

test('clientBytes: IPv4, IPv4-mapped IPv6 as IPv4 (Go To4), IPv6, zones dropped', () => {
  assert.deepEqual([...clientBytes('10.0.0.1')!], [10, 0, 0, 1]);
  assert.deepEqual([...clientBytes('::ffff:10.0.0.1')!], [10, 0, 0, 1]);
  assert.deepEqual([...clientBytes('::FFFF:a00:1')!], [10, 0, 0, 1]);
  assert.equal(clientBytes('::1')!.length, 16);
  assert.equal(clientBytes('64:ff9b::10.0.0.1')!.length, 16, 'NAT64 is not IPv4-mapped');
  assert.equal(clientBytes('::10.0.0.1')!.length, 16, 'IPv4-compatible is not IPv4-mapped');
  assert.equal(ipText(clientBytes('fe80::1%eth0')!), 'fe80::1');
  assert.equal(clientBytes('nope'), null);
});
