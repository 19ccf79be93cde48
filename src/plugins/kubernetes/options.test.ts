/** Tests for options.ts: zone normalisation and the defaults of an empty `kubernetes` block. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultKubernetesOptions, isReverseZone, normalizeZone } from './options.ts';

describe('kubernetes options', () => {
  it('normalises zones and picks the first forward zone as primary', () => {
    const o = defaultKubernetesOptions(['in-addr.arpa', 'Cluster.Local', 'ip6.arpa.']);
    assert.deepEqual(o.zones, ['in-addr.arpa.', 'cluster.local.', 'ip6.arpa.']);
    assert.equal(o.primaryZone, 'cluster.local.');
  });
  it('has CoreDNS defaults', () => {
    const o = defaultKubernetesOptions(['cluster.local.']);
    assert.equal(o.pods, 'disabled');
    assert.equal(o.ttl, 5);
    assert.equal(o.endpointPodNames, false);
    assert.equal(o.namespaces, null);
    assert.equal(o.noEndpoints, false);
    assert.equal(o.ignoreEmptyService, false);
    assert.deepEqual(o.localAddresses, []);
  });
  it('rejects a zone list without a forward zone', () => {
    assert.throws(() => defaultKubernetesOptions(['in-addr.arpa.', '10.in-addr.arpa.']));
  });
  it('recognises reverse zones', () => {
    assert.equal(isReverseZone('in-addr.arpa.'), true);
    assert.equal(isReverseZone('96.10.in-addr.arpa.'), true);
    assert.equal(isReverseZone('ip6.arpa.'), true);
    assert.equal(isReverseZone('8.b.d.0.1.0.0.2.ip6.arpa.'), true);
    assert.equal(isReverseZone('arpa.'), false);
    assert.equal(isReverseZone('cluster.local.'), false);
    assert.equal(normalizeZone('A.B'), 'a.b.');
    assert.equal(normalizeZone('.'), '.');
  });
});
