// The hosts-file format as CoreDNS (and Go's net/hosts.go) reads it, line by line, including the
// lines a real /etc/hosts contains that are not entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddress, parseHostsText } from './hostsfile.ts';

const ALL = ['.'];

function entries(text: string, origins = ALL, autoReverse = true) {
  const m = parseHostsText(text, origins, autoReverse);
  return { v4: Object.fromEntries(m.name4), v6: Object.fromEntries(m.name6), addr: Object.fromEntries(m.addr), size: m.size };
}

test('hosts file: one line at a time', () => {
  const cases: Array<[string, string, Record<string, string[]>, Record<string, string[]>]> = [
    // [what, line, v4 by name, v6 by name]
    ['plain', '10.0.0.1 example.org', { 'example.org.': ['10.0.0.1'] }, {}],
    ['several names, tabs and spaces', '10.0.0.1\texample.org   alias\t\twww.example.org', { 'example.org.': ['10.0.0.1'], 'alias.': ['10.0.0.1'], 'www.example.org.': ['10.0.0.1'] }, {}],
    ['names lower-cased, absolute names kept', '10.0.0.1 WWW.Example.ORG. Host', { 'www.example.org.': ['10.0.0.1'], 'host.': ['10.0.0.1'] }, {}],
    ['comment line', '# 10.0.0.1 example.org', {}, {}],
    ['trailing comment', '10.0.0.1 example.org # the web server', { 'example.org.': ['10.0.0.1'] }, {}],
    ['comment glued to a name', '10.0.0.1 example.org#comment', { 'example.org.': ['10.0.0.1'] }, {}],
    ['comment right after the address', '10.0.0.1#example.org', {}, {}],
    ['address only', '10.0.0.1', {}, {}],
    ['address and comment only', '10.0.0.1 # example.org', {}, {}],
    ['blank and white-space lines', '   \t  ', {}, {}],
    ['CRLF line ending', '10.0.0.1 example.org\r', { 'example.org.': ['10.0.0.1'] }, {}],
    ['leading white space', '    10.0.0.1 example.org', { 'example.org.': ['10.0.0.1'] }, {}],
    ['NBSP and NEL separate fields (Go unicode.IsSpace)', '10.0.0.1\u00a0a.org\u0085b.org', { 'a.org.': ['10.0.0.1'], 'b.org.': ['10.0.0.1'] }, {}],
    ['not an address', 'example.org 10.0.0.1', {}, {}],
    ['IPv4 with a leading zero is not an address (Go ≥ 1.17)', '010.0.0.1 example.org', {}, {}],
    ['IPv4 out of range', '10.0.0.256 example.org', {}, {}],
    ['short IPv4', '10.1 example.org', {}, {}],
    ['CIDR is not an address', '10.0.0.0/8 example.org', {}, {}],
    ['IPv6', '::1 localhost ip6-localhost', {}, { 'localhost.': ['::1'], 'ip6-localhost.': ['::1'] }],
    ['IPv6 canonicalised', 'FDFC:A744:27B5:3B0E:0:0:0:1 example.com', {}, { 'example.com.': ['fdfc:a744:27b5:3b0e::1'] }],
    ['IPv6 zone dropped', 'fe80::1%eth0 router', {}, { 'router.': ['fe80::1'] }],
    ['IPv4-mapped IPv6 is IPv4 (Go To4)', '::FFFF:10.0.0.2 example.com', { 'example.com.': ['10.0.0.2'] }, {}],
    ['IPv4-compatible IPv6 stays IPv6', '::10.0.0.2 example.com', {}, { 'example.com.': ['::a00:2'] }],
    ['empty label is no DNS name', '10.0.0.1 bad..name good', { 'good.': ['10.0.0.1'] }, {}],
    ['label over 63 octets', `10.0.0.1 ${'a'.repeat(64)}.org ok.org`, { 'ok.org.': ['10.0.0.1'] }, {}],
    ['wildcard owner', '10.0.0.9 *.example.com', { '*.example.com.': ['10.0.0.9'] }, {}],
  ];
  for (const [what, line, v4, v6] of cases) {
    const got = entries(line);
    assert.deepEqual(got.v4, v4, what);
    assert.deepEqual(got.v6, v6, what);
  }
});

test('hosts file: repeated names gather addresses in file order; reverse entries per address', () => {
  const got = entries([
    '127.0.0.1 localhost localhost.domain',
    '::1 localhost localhost.domain',
    '10.0.0.1 example.org',
    '10.0.0.3 example.org',
    '10.0.0.1 www.example.org',
    '10.0.0.9 *.example.org',
  ].join('\n'));
  assert.deepEqual(got.v4, {
    'localhost.': ['127.0.0.1'], 'localhost.domain.': ['127.0.0.1'],
    'example.org.': ['10.0.0.1', '10.0.0.3'], 'www.example.org.': ['10.0.0.1'], '*.example.org.': ['10.0.0.9'],
  });
  assert.deepEqual(got.addr, {
    '127.0.0.1': ['localhost.', 'localhost.domain.'], '::1': ['localhost.', 'localhost.domain.'],
    '10.0.0.1': ['example.org.', 'www.example.org.'], '10.0.0.3': ['example.org.'],
  }, 'no reverse entry for the wildcard');
  // CoreDNS Map.Len(): 8 forward addresses (wildcard included) + 7 reverse names.
  assert.equal(got.size, 8 + 7);
});

test('hosts file: names outside the zones are dropped; no_reverse keeps no reverse entries', () => {
  const text = '10.0.0.1 a.example.org example.org b.example.net localhost\n10.0.0.2 c.example.net';
  const got = entries(text, ['example.org.']);
  assert.deepEqual(got.v4, { 'a.example.org.': ['10.0.0.1'], 'example.org.': ['10.0.0.1'] });
  assert.deepEqual(got.addr, { '10.0.0.1': ['a.example.org.', 'example.org.'] });
  const none = entries(text, ['example.org.'], false);
  assert.deepEqual(none.addr, {});
  assert.equal(none.size, 2);
});

test('hosts file: address parsing like Go net.ParseIP', () => {
  assert.deepEqual(parseAddress('192.168.1.10'), [4, '192.168.1.10']);
  assert.deepEqual(parseAddress('::ffff:192.168.1.10'), [4, '192.168.1.10']);
  assert.deepEqual(parseAddress('2001:DB8::1%lo'), [6, '2001:db8::1']);
  for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '::g', '1:2:3:4:5:6:7:8:9', '%eth0']) assert.equal(parseAddress(bad), null, bad);
});
