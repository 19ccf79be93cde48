/**
 * Zone transfer content of the kubernetes plugin over the fixture cluster, compared in order with
 * what CoreDNS's plugin/kubernetes/xfr.go produces for it. Every expected line was written by hand
 * from xfr.go (services sorted by name; ClusterIP: addresses, then per port a bare SRV and, when
 * named, a _port._proto SRV, weight 100; headless: per slice and address the service A, the
 * endpoint A and an SRV per named port weighted floor(100 / addresses of the slice); ExternalName:
 * CNAME unless the target is an IP), not copied from output.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterStore } from '../../cluster/store.ts';
import { FIXTURE_NOW, FIXTURE_SERIAL, fixtureObjects, fixtureState, service, port } from '../../testing/fixture.ts';
import { recordLines } from '../../testing/rr.ts';
import { defaultKubernetesOptions } from './options.ts';
import type { KubernetesOptions } from './options.ts';
import type { KubernetesConfig } from './setup.ts';
import { srvWeight, transferer } from './xfr.ts';

const ZONES = ['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.'];

function config(opts: Partial<KubernetesOptions> = {}): KubernetesConfig {
  return {
    options: { ...defaultKubernetesOptions(ZONES), ...opts },
    fallthrough: null, labels: null, namespaceLabels: null, startupTimeoutMs: 5000, kubeconfig: null, endpoint: null, tls: null,
  };
}

const Z = 'cluster.local.';
const SOA = `${Z} 5 IN SOA ns.dns.${Z} hostmaster.${Z} ${FIXTURE_SERIAL} 7200 1800 86400 5`;

/** ClusterIP service lines: addresses, then per port bare SRV (+ named SRV). */
function clusterIP(name: string, ns: string, ips: string[], ports: Array<[string, number, string]>, ttl = 5): string[] {
  const owner = `${name}.${ns}.svc.${Z}`;
  const out = ips.map((ip) => `${owner} ${ttl} IN ${ip.includes(':') ? 'AAAA' : 'A'} ${ip}`);
  for (const [pname, num, proto] of ports) {
    out.push(`${owner} ${ttl} IN SRV 0 100 ${num} ${owner}`);
    if (pname !== '') out.push(`_${pname}._${proto}.${owner} ${ttl} IN SRV 0 100 ${num} ${owner}`);
  }
  return out;
}

/** One headless address: service A, endpoint A, SRV per named port. */
function headless(name: string, ns: string, ip: string, host: string, weight: number, ports: Array<[string, number, string]>, ttl = 5): string[] {
  const owner = `${name}.${ns}.svc.${Z}`;
  const t = ip.includes(':') ? 'AAAA' : 'A';
  const target = `${host}.${owner}`;
  return [
    `${owner} ${ttl} IN ${t} ${ip}`,
    `${target} ${ttl} IN ${t} ${ip}`,
    ...ports.map(([p, num, proto]) => `_${p}._${proto}.${owner} ${ttl} IN SRV 0 ${weight} ${num} ${target}`),
  ];
}

function cname(name: string, ns: string, target: string, ttl = 5): string {
  return `${name}.${ns}.svc.${Z} ${ttl} IN CNAME ${target}`;
}

const pg: Array<[string, number, string]> = [['pg', 5432, 'tcp']];
const http80: Array<[string, number, string]> = [['http', 80, 'tcp']];

/** The whole fixture zone as xfr.go emits it (without the closing SOA), default options. */
const FIXTURE_ZONE: string[] = [
  SOA,
  // no NS: the plugin has no local (non-loopback) address in the default options
  cname('c1', 'chain', 'c2.chain.svc.cluster.local.'),
  cname('c10', 'chain', 'c11.chain.svc.cluster.local.'),
  cname('c11', 'chain', 'web.shop.svc.cluster.local.'),
  ...[2, 3, 4, 5, 6, 7, 8, 9].map((i) => cname(`c${i}`, 'chain', `c${i + 1}.chain.svc.cluster.local.`)),
  cname('chain1', 'shop', 'chain2.shop.svc.cluster.local.'),
  cname('chain2', 'shop', 'ext-in.shop.svc.cluster.local.'),
  // db: slice db-a (3 addresses → 33), db-b (2 → 50), db-c (1 → 100)
  ...headless('db', 'shop', '10.244.3.1', 'db-0', 33, pg),
  ...headless('db', 'shop', '10.244.3.2', 'db-1', 33, pg),
  ...headless('db', 'shop', '10.244.3.3', '10-244-3-3', 33, pg),
  ...headless('db', 'shop', '10.244.3.3', '10-244-3-3', 50, pg),
  ...headless('db', 'shop', '10.244.3.4', 'db-1', 50, pg),
  ...headless('db', 'shop', 'fd00:244::3:1', 'db-0', 100, pg),
  ...headless('dns-headless', 'infra', '10.244.9.1', 'ns1', 50, [['dns', 53, 'udp']]),
  ...headless('dns-headless', 'infra', '10.244.9.2', '10-244-9-2', 50, [['dns', 53, 'udp']]),
  ...clusterIP('dual', 'shop', ['10.96.0.30', 'fd00:96::30'], [['dns', 53, 'udp']]),
  // empty-headless: a slice without endpoints, nothing
  ...clusterIP('empty-svc', 'shop', ['10.96.0.80'], http80),
  cname('ext', 'shop', 'api.example.com.'),
  cname('ext-chain-out', 'shop', 'ext.shop.svc.cluster.local.'),
  cname('ext-in', 'shop', 'web.shop.svc.cluster.local.'),
  // ext-ip: the external name is an IP address, no record
  cname('ext-missing', 'shop', 'nope.shop.svc.cluster.local.'),
  cname('ext-upper', 'shop', 'Web.Shop.svc.cluster.local.'),
  ...clusterIP('kube-dns', 'kube-system', ['10.96.0.10'], [['dns', 53, 'udp'], ['dns-tcp', 53, 'tcp'], ['metrics', 9153, 'tcp']]),
  ...clusterIP('kubernetes', 'default', ['10.96.0.1'], [['https', 443, 'tcp']]),
  ...headless('longpod', 'shop', '10.244.7.1', '10-244-7-1', 50, http80),
  ...headless('longpod', 'shop', '10.244.7.2', '10-244-7-2', 50, http80),
  cname('loop-a', 'shop', 'loop-b.shop.svc.cluster.local.'),
  cname('loop-b', 'shop', 'loop-a.shop.svc.cluster.local.'),
  ...headless('metrics', 'infra', '10.244.3.1', '10-244-3-1', 100, [['metrics', 9090, 'tcp']]),
  ...clusterIP('noport', 'shop', ['10.96.0.60'], []),
  ...headless('portless-headless', 'shop', '10.244.4.1', '10-244-4-1', 100, []),
  ...clusterIP('sel-less', 'shop', ['10.96.0.70'], http80),
  cname('self', 'shop', 'self.shop.svc.cluster.local.'),
  ...clusterIP('shadow', 'other', ['10.96.0.20'], http80),
  // ghost/phantom: its namespace does not exist, left out
  ...clusterIP('unnamed', 'shop', ['10.96.0.50'], [['', 8080, 'tcp']]),
  ...headless('v6-headless', 'shop', '2001:db8::', '2001-db8--0', 50, http80),
  ...headless('v6-headless', 'shop', '2001:db8:0:1::5', '2001-db8-0-1--5', 50, http80),
  ...clusterIP('v6only', 'shop', ['fd00:96::40'], [['', 80, 'tcp']]),
  ...clusterIP('web', 'shop', ['10.96.0.20'], [['http', 80, 'tcp'], ['https', 443, 'tcp']]),
];

function assertZone(actual: readonly import('../../dns/types.ts').ResourceRecord[] | null, expected: readonly string[]): void {
  assert.ok(actual !== null, 'no transfer');
  const { actual: a, expected: e } = recordLines(actual, expected, true);
  assert.deepEqual(a, e);
}

describe('kubernetes transferer (xfr.go)', () => {
  it('offers the forward zones only, with the SOA serial', () => {
    const t = transferer(fixtureState(), config());
    assert.deepEqual(t.zones, ['cluster.local.']);
    assert.equal(t.serial('cluster.local.'), FIXTURE_SERIAL);
  });

  it('transfers the fixture zone in xfr.go order', () => {
    assertZone(transferer(fixtureState(), config()).transfer('cluster.local.'), FIXTURE_ZONE);
  });

  it('the zone as spelled: owner names follow the query', () => {
    const records = transferer(fixtureState(), config()).transfer('Cluster.Local.');
    assert.ok(records !== null);
    assert.equal(records[0]!.name, 'Cluster.Local.');
    assert.ok(records.slice(1).every((r) => r.name.endsWith('.svc.Cluster.Local.')), 'every owner under the spelled zone');
    assert.equal(records.length, FIXTURE_ZONE.length);
  });

  it('not its zone, a name below it, or a reverse zone: null', () => {
    const t = transferer(fixtureState(), config());
    assert.equal(t.transfer('example.org.'), null);
    assert.equal(t.transfer('svc.cluster.local.'), null);
    assert.equal(t.transfer('in-addr.arpa.'), null);
    assert.equal(t.transfer('ip6.arpa.'), null);
  });

  it('NS and glue: the DNS service found through a local address (kubeadm)', () => {
    const records = transferer(fixtureState(), config({ localAddresses: ['10.244.0.5'] })).transfer(Z);
    assertZone(records?.slice(0, 3) ?? null, [
      SOA,
      `${Z} 5 IN NS kube-dns.kube-system.svc.cluster.local.`,
      'kube-dns.kube-system.svc.cluster.local. 0 IN A 10.96.0.10',
    ]);
    assert.equal(records!.length, FIXTURE_ZONE.length + 2);
  });

  it('NS and glue: a dual-stack DNS service gives one NS and both glue records', () => {
    const records = transferer(fixtureState(), config({ localAddresses: ['10.244.2.1'] })).transfer(Z);
    assertZone(records?.slice(0, 4) ?? null, [
      SOA,
      `${Z} 5 IN NS dual.shop.svc.cluster.local.`,
      'dual.shop.svc.cluster.local. 0 IN A 10.96.0.30',
      'dual.shop.svc.cluster.local. 0 IN AAAA fd00:96::30',
    ]);
  });

  it('NS and glue: no endpoint has the local address → ns.dns.<zone> with it', () => {
    const records = transferer(fixtureState(), config({ localAddresses: ['192.0.2.53', '2001:db8::53'] })).transfer(Z);
    assertZone(records?.slice(0, 4) ?? null, [
      SOA,
      `${Z} 5 IN NS ns.dns.cluster.local.`,
      'ns.dns.cluster.local. 0 IN A 192.0.2.53',
      'ns.dns.cluster.local. 0 IN AAAA 2001:db8::53',
    ]);
  });

  it('namespaces: only the listed namespaces', () => {
    const records = transferer(fixtureState(), config({ namespaces: new Set(['default']) })).transfer(Z);
    assertZone(records, [SOA, ...clusterIP('kubernetes', 'default', ['10.96.0.1'], [['https', 443, 'tcp']])]);
  });

  it('ttl applies to every record, the SOA TTL is capped at 300', () => {
    const records = transferer(fixtureState(), config({ ttl: 3600, namespaces: new Set(['default']) })).transfer(Z);
    assertZone(records, [
      `${Z} 300 IN SOA ns.dns.${Z} hostmaster.${Z} ${FIXTURE_SERIAL} 7200 1800 86400 3600`,
      ...clusterIP('kubernetes', 'default', ['10.96.0.1'], [['https', 443, 'tcp']], 3600),
    ]);
  });

  it('noendpoints: headless services contribute nothing', () => {
    const records = transferer(fixtureState(), config({ noEndpoints: true, namespaces: new Set(['infra']) })).transfer(Z);
    assertZone(records, [SOA]);
  });

  it('endpoint_pod_names: endpoints without a hostname are named after their pod (< 64 characters)', () => {
    const records = transferer(fixtureState(), config({ endpointPodNames: true, namespaces: new Set(['shop']) })).transfer(Z);
    assert.ok(records !== null);
    const owners = new Set(records.map((r) => r.name));
    assert.ok(owners.has('db-2.db.shop.svc.cluster.local.'));
    assert.ok(owners.has(`${'q'.repeat(63)}.longpod.shop.svc.cluster.local.`));
    assert.ok(owners.has('10-244-7-1.longpod.shop.svc.cluster.local.'), 'a 64-character pod name is not used');
  });

  it('follows the state: a new service appears after a change, the same list is reused before', () => {
    let now = FIXTURE_NOW;
    const store = ClusterStore.from(fixtureObjects(), { now: () => now });
    const t = transferer(store, config({ namespaces: new Set(['default']) }));
    const first = t.transfer(Z);
    assert.equal(t.transfer(Z), first, 'unchanged state: the built list is reused');
    now += 60_000;
    store.apply(service('default', 'api', { clusterIPs: ['10.96.0.2'], ports: [port('', 8080)] }));
    assertZone(t.transfer(Z), [
      `${Z} 5 IN SOA ns.dns.${Z} hostmaster.${Z} ${FIXTURE_SERIAL + 60} 7200 1800 86400 5`,
      ...clusterIP('api', 'default', ['10.96.0.2'], [['', 8080, 'tcp']]),
      ...clusterIP('kubernetes', 'default', ['10.96.0.1'], [['https', 443, 'tcp']]),
    ]);
    assert.equal(t.serial(Z), FIXTURE_SERIAL + 60);
  });

  it('SRV weight per slice: floor(100 / n), at least 1', () => {
    assert.deepEqual([1, 2, 3, 4, 6, 7, 100, 101, 1000].map(srvWeight), [100, 50, 33, 25, 16, 14, 1, 1, 1]);
  });
});
