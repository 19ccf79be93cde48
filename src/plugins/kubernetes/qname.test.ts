/** Tests for qname.ts: the query-name grammar, reverse-name parsing and the local IP helpers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIP, parseQname, reverseAddress, splitLabels, trimZone } from './qname.ts';

describe('splitLabels', () => {
  it('splits plain names', () => assert.deepEqual(splitLabels('a.b.c'), ['a', 'b', 'c']));
  it('returns [] for the empty name', () => assert.deepEqual(splitLabels(''), []));
  it('keeps escaped dots inside a label', () => assert.deepEqual(splitLabels('a\\.b.c'), ['a\\.b', 'c']));
  it('keeps decimal escapes', () => assert.deepEqual(splitLabels('\\046x.y'), ['\\046x', 'y']));
  it('yields empty labels for ".."', () => assert.deepEqual(splitLabels('a..b'), ['a', '', 'b']));
});

describe('trimZone', () => {
  it('apex → ""', () => assert.equal(trimZone('cluster.local.', 'cluster.local.'), ''));
  it('below', () => assert.equal(trimZone('a.b.cluster.local.', 'cluster.local.'), 'a.b'));
  it('not a label boundary → null', () => assert.equal(trimZone('xcluster.local.', 'cluster.local.'), null));
  it('outside → null', () => assert.equal(trimZone('example.org.', 'cluster.local.'), null));
  it('root zone', () => assert.equal(trimZone('a.b.', '.'), 'a.b'));
});

describe('parseQname (spec B.2)', () => {
  const Z = 'cluster.local.';
  const svc = (namespace: string, service: string, endpoint = '', port = '', protocol = '') =>
    ({ kind: 'svc', namespace, service, endpoint, port, protocol });
  const table: [string, unknown][] = [
    ['cluster.local.', { kind: 'empty' }],
    ['svc.cluster.local.', { kind: 'empty' }],
    ['pod.cluster.local.', { kind: 'empty' }],
    ['shop.svc.cluster.local.', svc('shop', '')],
    ['shop.pod.cluster.local.', { kind: 'pod', namespace: 'shop', service: '', endpoint: '', port: '', protocol: '' }],
    ['web.shop.svc.cluster.local.', svc('shop', 'web')],
    ['x.web.shop.svc.cluster.local.', svc('shop', 'web', 'x')],
    ['_http._tcp.web.shop.svc.cluster.local.', svc('shop', 'web', '', 'http', 'tcp')],
    ['http.tcp.web.shop.svc.cluster.local.', svc('shop', 'web', '', 'http', 'tcp')],
    ['__x._tcp.web.shop.svc.cluster.local.', svc('shop', 'web', '', '_x', 'tcp')],
    ['_http..web.shop.svc.cluster.local.', svc('shop', 'web', '', 'http', '')],
    ['1-2-3-4.shop.pod.cluster.local.', { kind: 'pod', namespace: 'shop', service: '1-2-3-4', endpoint: '', port: '', protocol: '' }],
    ['x.1-2-3-4.shop.pod.cluster.local.', { kind: 'pod', namespace: 'shop', service: '1-2-3-4', endpoint: 'x', port: '', protocol: '' }],
    ['a.b.c.web.shop.svc.cluster.local.', { kind: 'invalid' }],
    ['foo.cluster.local.', { kind: 'invalid' }],
    ['web.shop.cluster.local.', { kind: 'invalid' }],
    ['dns-version.cluster.local.', { kind: 'invalid' }],
    ['example.org.', { kind: 'invalid' }],
  ];
  for (const [name, want] of table) it(name, () => assert.deepEqual({ ...parseQname(name, Z) }, want));
});

describe('reverseAddress', () => {
  const table: [string, string][] = [
    ['20.0.96.10.in-addr.arpa.', '10.96.0.20'],
    ['0.0.0.0.in-addr.arpa.', '0.0.0.0'],
    ['1.0.10.in-addr.arpa.', ''],
    ['1.20.0.96.10.in-addr.arpa.', ''],
    ['020.0.96.10.in-addr.arpa.', ''],
    ['256.0.96.10.in-addr.arpa.', ''],
    ['in-addr.arpa.', ''],
    ['web.shop.svc.cluster.local.', ''],
    ['0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa.', 'fd00:96::30'],
    ['0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.', '2001:db8::'],
    ['4.1.0.0.0.6.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.', '10.96.0.20'],
    ['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.', '::1'],
    ['0.0.d.f.ip6.arpa.', ''],
    ['x.0.0.d.f.ip6.arpa.', ''],
    ['g.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa.', ''],
  ];
  for (const [name, want] of table) it(`${name} → ${want || '""'}`, () => assert.equal(reverseAddress(name), want));
});

describe('parseIP (Go net.ParseIP + String())', () => {
  const table: [string, string | null, (4 | 6)?][] = [
    ['1.2.3.4', '1.2.3.4', 4],
    ['01.2.3.4', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['fd00:0:0:0:0:0:0:1', 'fd00::1', 6],
    ['FD00::1', 'fd00::1', 6],
    ['1::2:3:4', '1::2:3:4', 6],
    ['2001:db8::', '2001:db8::', 6],
    ['2001:db8:0:1:0:0:0:5', '2001:db8:0:1::5', 6],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1', 6],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4', 6],
    ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0', 6],
    ['::ffff:a00:1', '10.0.0.1', 4],
    ['::ffff:10.0.0.1', '10.0.0.1', 4],
    ['::a00:1', '::a00:1', 6],
    ['1:2:3', null],
    ['12345::1', null],
    ['1:::2', null],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8::', null],
    ['fe80::1%eth0', null],
    ['not-an-ip', null],
  ];
  for (const [text, want, family] of table) {
    it(`${text} → ${String(want)}`, () => {
      const ip = parseIP(text);
      if (want === null) assert.equal(ip, null);
      else assert.deepEqual(ip, { family, text: want });
    });
  }
});
