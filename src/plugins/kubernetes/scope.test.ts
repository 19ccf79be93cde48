// What a kubernetes answer depends on (dependsOn): an answer about one namespace's names stays in
// the server's answer cache through churn in other namespaces, and is invalidated by any change in
// its own — or, for a negative answer, by a new SOA serial.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RRType } from '../../dns/types.ts';
import { ClusterStore } from '../../cluster/store.ts';
import { endpoint, fixtureObjects, pod, service, slice } from '../../testing/fixture.ts';
import { dependsOn } from './kubernetes.ts';
import { defaultKubernetesOptions } from './options.ts';
import { answer } from './records.ts';

const ZONE = 'cluster.local.';
const OPTS = defaultKubernetesOptions([ZONE, 'in-addr.arpa.']);

function setup(): { store: ClusterStore; clock: { t: number }; version(name: string, type?: number): { readonly revision: number } } {
  const clock = { t: 1_700_000_000_000 };
  const store = ClusterStore.from(fixtureObjects(), { now: () => clock.t });
  const version = (name: string, type = RRType.A): { readonly revision: number } => {
    const lname = name.toLowerCase();
    const zone = lname.endsWith('in-addr.arpa.') ? 'in-addr.arpa.' : ZONE;
    const a = answer(store, { name, type, zone }, OPTS);
    return dependsOn(store, lname, zone, a.answers, a.additionals);
  };
  return { store, clock, version };
}

test('a positive answer depends on its namespace only', () => {
  const { store, version } = setup();
  const v = version('web.shop.svc.cluster.local.');
  assert.equal(v, store.scope('shop', false));
  const r = v.revision;
  store.apply(service('infra', 'new', { clusterIPs: ['10.96.9.9'] }));
  store.apply(pod('infra', 'p', ['10.244.9.9']));
  assert.equal(v.revision, r, 'churn in infra');
  store.apply(slice('shop', 'db-z', 'db', [endpoint('10.244.9.10')]));
  assert.notEqual(v.revision, r, 'a change in shop');
  // Mixed case, SRV with its additional section, a headless endpoint name: the same scope.
  assert.equal(version('WEB.Shop.svc.cluster.local.'), store.scope('shop', false));
  assert.equal(version('_http._tcp.web.shop.svc.cluster.local.', RRType.SRV), store.scope('shop', false));
});

test('a negative answer depends on its namespace and on the SOA serial', () => {
  const { store, clock, version } = setup();
  const v = version('nope.shop.svc.cluster.local.');
  assert.equal(v, store.scope('shop', true));
  const r = v.revision;
  store.apply(service('infra', 'new', { clusterIPs: ['10.96.9.9'] }));
  assert.equal(v.revision, r, 'same second: the serial did not move');
  clock.t += 5000;
  store.apply(service('infra', 'newer', { clusterIPs: ['10.96.9.8'] }));
  assert.notEqual(v.revision, r, 'a new serial: negative answers show it in their SOA');
});

test('the whole state: apex, namespace wildcards, PTR, and an ExternalName chased into another namespace', () => {
  const { store, version } = setup();
  assert.equal(version('cluster.local.', RRType.SOA), store);
  assert.equal(version('svc.cluster.local.'), store);
  assert.equal(version('web.*.svc.cluster.local.'), store);
  assert.equal(version('10.0.96.10.in-addr.arpa.', RRType.PTR), store);
  store.apply(service('infra', 'cross', { externalName: 'web.shop.svc.cluster.local' }));
  assert.equal(version('cross.infra.svc.cluster.local.'), store, 'its answer holds shop\'s records');
  assert.equal(version('ext-in.shop.svc.cluster.local.'), store.scope('shop', false), 'chased within shop');
});
