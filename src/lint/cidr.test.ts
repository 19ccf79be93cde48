import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, inferRanges, parseCIDR } from './cidr.ts';

test('cidrContains: by family and prefix', () => {
  const c = parseCIDR('10.96.0.0/12')!;
  assert.equal(cidrContains(c, '10.96.0.1'), true);
  assert.equal(cidrContains(c, '10.111.255.255'), true);
  assert.equal(cidrContains(c, '10.112.0.0'), false);
  assert.equal(cidrContains(c, '::ffff:10.96.0.1'), false);
  assert.equal(cidrContains(parseCIDR('fd00::/8')!, 'fd12::1'), true);
  assert.equal(cidrContains(parseCIDR('0.0.0.0/0')!, '192.0.2.1'), true);
});

test('inferRanges: the /16 or /64 around each address, once', () => {
  assert.deepEqual(inferRanges(['10.96.0.10', '10.96.200.1', '10.244.1.5', 'fd00:10:96::a', 'x']).map((c) => c.text), ['10.96.0.0/16', '10.244.0.0/16', 'fd00:10:96::/64']);
});
