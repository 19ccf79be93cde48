/** Tests for the zone-file text helper used by table tests. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RRType } from '../dns/types.ts';
import { ANY_TTL, formatRR, recordLines, rr } from './rr.ts';

describe('testing/rr', () => {
  const lines = [
    'web.shop.svc.cluster.local. 5 IN A 10.96.0.20',
    'WeB.x. 30 IN AAAA fd00::1',
    'a. 5 IN CNAME b.example.',
    'dns-version.cluster.local. 28800 IN TXT "1.1.0" "a \\"q\\""',
    '_http._tcp.web. 5 IN SRV 0 50 80 web.shop.',
    'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5',
    'm. 5 IN MX 10 mail.m.',
    'x. 5 IN TYPE65534 \\# 2 abcd',
  ];
  for (const line of lines) it(`round-trips ${line}`, () => assert.equal(formatRR(rr(line)), line));
  it('parses fields', () => {
    assert.deepEqual(rr('_s._t.x. 7 IN SRV 1 2 3 t.'), { name: '_s._t.x.', type: RRType.SRV, class: 1, ttl: 7, data: { priority: 1, weight: 2, port: 3, target: 't.' } });
    assert.deepEqual(rr('t. 1 IN TXT "a b" "c"').data, ['a b', 'c']);
  });
  it('`*` TTL matches any TTL', () => {
    assert.equal(rr('a. * IN A 1.2.3.4').ttl, ANY_TTL);
    const { actual, expected } = recordLines([rr('a. 30 IN A 1.2.3.4'), rr('b. 5 IN A 1.2.3.5')], ['b. 5 IN A 1.2.3.5', 'a. * IN A 1.2.3.4']);
    assert.deepEqual(actual, expected);
  });
  it('a wrong TTL or record does not match', () => {
    const r = recordLines([rr('a. 30 IN A 1.2.3.4')], ['a. 5 IN A 1.2.3.4']);
    assert.notDeepEqual(r.actual, r.expected);
    const o = recordLines([rr('a. 5 IN A 1.2.3.4'), rr('b. 5 IN A 1.2.3.5')], ['b. 5 IN A 1.2.3.5', 'a. 5 IN A 1.2.3.4'], true);
    assert.notDeepEqual(o.actual, o.expected);
  });
});
