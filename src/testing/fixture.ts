/**
 * Test helper: a rich fixture cluster for DNS table tests, plus small constructors for the slim
 * model objects. `fixtureState()` is a synced ClusterStore whose SOA serial is FIXTURE_SERIAL.
 *
 * Contents (zone cluster.local; IPs are what the tests expect back):
 *   namespaces: default, shop, infra, kube-system, other, chain, empty-ns  (NOT "ghost")
 *   default/kubernetes     ClusterIP 10.96.0.1 https/443; slice 172.18.0.2 https/6443
 *   kube-system/kube-dns   ClusterIP 10.96.0.10 dns/53/udp dns-tcp/53/tcp metrics/9153/tcp;
 *                          slice 10.244.0.5 (pod coredns-1), 10.244.0.6 (pod coredns-2)
 *   shop/web               ClusterIP 10.96.0.20 http/80 https/443, externalIPs 203.0.113.10;
 *                          slice ports http/8080 https/8443: 10.244.1.10 (pod web-1),
 *                          10.244.1.11 (hostname web-b, pod web-2)
 *   shop/dual              ClusterIP 10.96.0.30 + fd00:96::30, dns/53/udp; slices v4 10.244.2.1,
 *                          v6 fd00:244::2:1 (ports dns/5353/udp)
 *   shop/v6only            ClusterIP fd00:96::40, unnamed 80/tcp, no slices
 *   shop/unnamed           ClusterIP 10.96.0.50, unnamed 8080/tcp, no slices
 *   shop/noport            ClusterIP 10.96.0.60, no ports, no slices
 *   shop/empty-svc         ClusterIP 10.96.0.80, http/80, no slices
 *   shop/sel-less          ClusterIP 10.96.0.70 http/80, no selector; mirrored slice 192.168.1.5 http/80
 *   shop/db                headless; slice db-a (pg/5432): 10.244.3.1 host db-0 pod db-0,
 *                          10.244.3.2 host db-1 pod db-1, 10.244.3.3 (no host) pod db-2;
 *                          slice db-b (pg/5432): 10.244.3.3 pod db-2 (same address again),
 *                          10.244.3.4 host db-1 pod db-1b (duplicate hostname);
 *                          slice db-c IPv6 (pg/5432): fd00:244::3:1 host db-0 pod db-0
 *   shop/empty-headless    headless; one slice http/80 with zero (ready) endpoints
 *   shop/portless-headless headless; slice without ports: 10.244.4.1
 *   shop/v6-headless       headless; IPv6 slice http/80: 2001:db8:: , 2001:db8:0:1::5
 *   shop/longpod           headless; slice http/80: 10.244.7.1 pod "p"×64, 10.244.7.2 pod "q"×63
 *   shop/ext               ExternalName api.example.com
 *   shop/ext-in            ExternalName web.shop.svc.cluster.local
 *   shop/ext-ip            ExternalName 10.1.2.3
 *   shop/ext-upper         ExternalName Web.Shop.svc.cluster.local
 *   shop/ext-missing       ExternalName nope.shop.svc.cluster.local
 *   shop/ext-chain-out     ExternalName ext.shop.svc.cluster.local
 *   shop/chain1 → chain2.shop.svc.cluster.local → (chain2) ext-in.shop.svc.cluster.local
 *   shop/loop-a ↔ shop/loop-b;  shop/self → self.shop.svc.cluster.local
 *   chain/c1 … chain/c11   ExternalName c(i+1).chain.svc.cluster.local; c11 → web.shop.svc.cluster.local
 *   infra/metrics          headless; slice metrics/9090: 10.244.3.1 pod db-0 (also in shop/db)
 *   infra/dns-headless     headless; slice dns/53/udp: 10.244.9.1 host ns1, 10.244.9.2
 *   infra slice gone-1     orphan slice of a non-existent service "gone": 10.244.8.8, no ports
 *   other/shadow           ClusterIP 10.96.0.20 (same as shop/web, added after it) http/80
 *   ghost/phantom          ClusterIP 10.96.0.99 http/80 — its namespace does not exist
 *   pods: shop/web-1 10.244.1.10; shop/db-0 10.244.3.1 + fd00:244::3:1; shop/client 10.244.5.5;
 *         infra/tool 10.244.6.6
 */
import { endpointColumns } from '../cluster/model.ts';
import type { ClusterObject, Endpoint, EndpointSlice, Namespace, Pod, Port, Service, ServiceType } from '../cluster/model.ts';
import { ClusterStore } from '../cluster/store.ts';

/** The fixture clock (ms) and the SOA serial it yields. */
export const FIXTURE_NOW = 1_700_000_000_000;
export const FIXTURE_SERIAL = 1_700_000_000;

export function port(name: string, num: number, protocol = 'tcp'): Port {
  return { name, port: num, protocol };
}

export function namespace(name: string): Namespace {
  return { kind: 'Namespace', name };
}

export interface ServiceInit {
  readonly type?: ServiceType;
  readonly clusterIPs?: readonly string[];
  readonly headless?: boolean;
  readonly externalName?: string;
  readonly ports?: readonly Port[];
  readonly externalIPs?: readonly string[];
  readonly hasSelector?: boolean;
}

export function service(ns: string, name: string, init: ServiceInit = {}): Service {
  const type = init.type ?? (init.externalName !== undefined ? 'ExternalName' : 'ClusterIP');
  const headless = init.headless ?? false;
  return {
    kind: 'Service',
    namespace: ns,
    name,
    type,
    headless,
    clusterIPs: headless || type === 'ExternalName' ? [] : (init.clusterIPs ?? []),
    externalName: init.externalName ?? '',
    ports: init.ports ?? [],
    externalIPs: init.externalIPs ?? [],
    hasSelector: init.hasSelector ?? type !== 'ExternalName',
  };
}

export function externalName(ns: string, name: string, target: string): Service {
  return service(ns, name, { externalName: target });
}

export interface EndpointInit {
  readonly hostname?: string;
  readonly podName?: string;
}

export function endpoint(address: string | readonly string[], init: EndpointInit = {}): Endpoint {
  return { addresses: typeof address === 'string' ? [address] : address, hostname: init.hostname ?? '', podName: init.podName ?? '' };
}

/** A slice of the given (ready) endpoints, in columns as sources build it. */
export function slice(
  ns: string, name: string, svc: string, endpoints: readonly Endpoint[], ports: readonly Port[] = [],
  addressType: 'IPv4' | 'IPv6' = 'IPv4',
): EndpointSlice {
  return { kind: 'EndpointSlice', namespace: ns, name, service: svc, addressType, ...endpointColumns(endpoints), ports };
}

export function pod(ns: string, name: string, ips: readonly string[], hostNetwork = false): Pod {
  return { kind: 'Pod', namespace: ns, name, ips, hostNetwork };
}

/** Every object of the fixture cluster, in insertion order (index order follows it). */
export function fixtureObjects(): ClusterObject[] {
  const http80 = [port('http', 80)];
  const pg = [port('pg', 5432)];
  const objects: ClusterObject[] = [
    ...['default', 'shop', 'infra', 'kube-system', 'other', 'chain', 'empty-ns'].map(namespace),

    service('default', 'kubernetes', { clusterIPs: ['10.96.0.1'], ports: [port('https', 443)] }),
    slice('default', 'kubernetes', 'kubernetes', [endpoint('172.18.0.2')], [port('https', 6443)]),

    service('kube-system', 'kube-dns', {
      clusterIPs: ['10.96.0.10'],
      ports: [port('dns', 53, 'udp'), port('dns-tcp', 53, 'tcp'), port('metrics', 9153, 'tcp')],
    }),
    slice('kube-system', 'kube-dns-1', 'kube-dns',
      [endpoint('10.244.0.5', { podName: 'coredns-1' }), endpoint('10.244.0.6', { podName: 'coredns-2' })],
      [port('dns', 53, 'udp'), port('dns-tcp', 53, 'tcp'), port('metrics', 9153, 'tcp')]),

    service('shop', 'web', { clusterIPs: ['10.96.0.20'], ports: [port('http', 80), port('https', 443)], externalIPs: ['203.0.113.10'] }),
    slice('shop', 'web-1', 'web',
      [endpoint('10.244.1.10', { podName: 'web-1' }), endpoint('10.244.1.11', { hostname: 'web-b', podName: 'web-2' })],
      [port('http', 8080), port('https', 8443)]),

    service('shop', 'dual', { clusterIPs: ['10.96.0.30', 'fd00:96::30'], ports: [port('dns', 53, 'udp')] }),
    slice('shop', 'dual-v4', 'dual', [endpoint('10.244.2.1')], [port('dns', 5353, 'udp')]),
    slice('shop', 'dual-v6', 'dual', [endpoint('fd00:244::2:1')], [port('dns', 5353, 'udp')], 'IPv6'),

    service('shop', 'v6only', { clusterIPs: ['fd00:96::40'], ports: [port('', 80)] }),
    service('shop', 'unnamed', { clusterIPs: ['10.96.0.50'], ports: [port('', 8080)] }),
    service('shop', 'noport', { clusterIPs: ['10.96.0.60'] }),
    service('shop', 'empty-svc', { clusterIPs: ['10.96.0.80'], ports: http80 }),

    service('shop', 'sel-less', { clusterIPs: ['10.96.0.70'], ports: http80, hasSelector: false }),
    slice('shop', 'sel-less-1', 'sel-less', [endpoint('192.168.1.5')], http80),

    service('shop', 'db', { headless: true, ports: pg }),
    slice('shop', 'db-a', 'db', [
      endpoint('10.244.3.1', { hostname: 'db-0', podName: 'db-0' }),
      endpoint('10.244.3.2', { hostname: 'db-1', podName: 'db-1' }),
      endpoint('10.244.3.3', { podName: 'db-2' }),
    ], pg),
    slice('shop', 'db-b', 'db', [
      endpoint('10.244.3.3', { podName: 'db-2' }),
      endpoint('10.244.3.4', { hostname: 'db-1', podName: 'db-1b' }),
    ], pg),
    slice('shop', 'db-c', 'db', [endpoint('fd00:244::3:1', { hostname: 'db-0', podName: 'db-0' })], pg, 'IPv6'),

    service('shop', 'empty-headless', { headless: true, ports: http80 }),
    slice('shop', 'empty-headless-1', 'empty-headless', [], http80),

    service('shop', 'portless-headless', { headless: true }),
    slice('shop', 'portless-headless-1', 'portless-headless', [endpoint('10.244.4.1')], []),

    service('shop', 'v6-headless', { headless: true, ports: http80 }),
    slice('shop', 'v6-headless-1', 'v6-headless', [endpoint('2001:db8::'), endpoint('2001:db8:0:1::5')], http80, 'IPv6'),

    service('shop', 'longpod', { headless: true, ports: http80 }),
    slice('shop', 'longpod-1', 'longpod', [
      endpoint('10.244.7.1', { podName: 'p'.repeat(64) }),
      endpoint('10.244.7.2', { podName: 'q'.repeat(63) }),
    ], http80),

    externalName('shop', 'ext', 'api.example.com'),
    externalName('shop', 'ext-in', 'web.shop.svc.cluster.local'),
    externalName('shop', 'ext-ip', '10.1.2.3'),
    externalName('shop', 'ext-upper', 'Web.Shop.svc.cluster.local'),
    externalName('shop', 'ext-missing', 'nope.shop.svc.cluster.local'),
    externalName('shop', 'ext-chain-out', 'ext.shop.svc.cluster.local'),
    externalName('shop', 'chain1', 'chain2.shop.svc.cluster.local'),
    externalName('shop', 'chain2', 'ext-in.shop.svc.cluster.local'),
    externalName('shop', 'loop-a', 'loop-b.shop.svc.cluster.local'),
    externalName('shop', 'loop-b', 'loop-a.shop.svc.cluster.local'),
    externalName('shop', 'self', 'self.shop.svc.cluster.local'),

    service('infra', 'metrics', { headless: true, ports: [port('metrics', 9090)] }),
    slice('infra', 'metrics-1', 'metrics', [endpoint('10.244.3.1', { podName: 'db-0' })], [port('metrics', 9090)]),
    service('infra', 'dns-headless', { headless: true, ports: [port('dns', 53, 'udp')] }),
    slice('infra', 'dns-headless-1', 'dns-headless',
      [endpoint('10.244.9.1', { hostname: 'ns1' }), endpoint('10.244.9.2')], [port('dns', 53, 'udp')]),
    slice('infra', 'gone-1', 'gone', [endpoint('10.244.8.8')], []),

    service('other', 'shadow', { clusterIPs: ['10.96.0.20'], ports: http80 }),
    service('ghost', 'phantom', { clusterIPs: ['10.96.0.99'], ports: http80 }),

    pod('shop', 'web-1', ['10.244.1.10']),
    pod('shop', 'db-0', ['10.244.3.1', 'fd00:244::3:1']),
    pod('shop', 'client', ['10.244.5.5']),
    pod('infra', 'tool', ['10.244.6.6']),
  ];
  for (let i = 1; i <= 11; i++) {
    const target = i < 11 ? `c${i + 1}.chain.svc.cluster.local` : 'web.shop.svc.cluster.local';
    objects.push(externalName('chain', `c${i}`, target));
  }
  return objects;
}

/** The fixture as a synced store (serial FIXTURE_SERIAL). */
export function fixtureState(): ClusterStore {
  return ClusterStore.from(fixtureObjects(), { now: () => FIXTURE_NOW });
}

/** The fixture as a store that has not synced yet (would-be NXDOMAINs become SERVFAIL). */
export function unsyncedFixtureState(): ClusterStore {
  const store = new ClusterStore({ now: () => FIXTURE_NOW });
  store.replace(fixtureObjects());
  return store;
}
