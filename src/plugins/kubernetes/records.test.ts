/**
 * Table tests for records.ts over the fixture cluster (src/testing/fixture.ts). Every expectation
 * was written by hand from the spec (kubernetes-dns.md Parts B and F), not copied from output.
 * A case compares the rcode, the answer and additional sections (sorted zone-file text unless
 * `ordered`), the authority section (default: the zone's SOA exactly when the answer is empty and
 * the rcode is not REFUSED), `chase` and `nameError` (default: NXDOMAIN or SERVFAIL).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterState } from '../../cluster/state.ts';
import { RRType, rcodeName } from '../../dns/types.ts';
import type { RRTypeName } from '../../dns/types.ts';
import { FIXTURE_SERIAL, fixtureState, unsyncedFixtureState } from '../../testing/fixture.ts';
import { recordLines } from '../../testing/rr.ts';
import { defaultKubernetesOptions } from './options.ts';
import type { KubernetesOptions } from './options.ts';
import { answer } from './records.ts';

const ZONES = ['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.'];
const BASE = defaultKubernetesOptions(ZONES);
const STATE = fixtureState();
const UNSYNCED = unsyncedFixtureState();

interface Case {
  /** "name TYPE" */
  readonly q: string;
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  readonly answer?: readonly string[];
  readonly extra?: readonly string[];
  readonly ns?: readonly string[];
  readonly chase?: { readonly target: string; readonly type: RRTypeName } | null;
  readonly ordered?: boolean;
  readonly nameError?: boolean;
  readonly opts?: Partial<KubernetesOptions>;
  readonly state?: ClusterState;
  /** Overrides the zone handed to answer() (default: longest matching zone of the options). */
  readonly zone?: string;
  readonly note?: string;
}

/** The SOA line CoreDNS puts in negative answers: owner = the zone as spelled in the query. */
function soa(zone: string, ttl = 5): string {
  return `${zone} ${Math.min(ttl, 300)} IN SOA ns.dns.${zone} hostmaster.${zone} ${FIXTURE_SERIAL} 7200 1800 86400 ${ttl}`;
}

function longestZone(lname: string, zones: readonly string[]): string {
  let best = '';
  for (const z of zones) if ((lname === z || lname.endsWith(`.${z}`)) && z.length > best.length) best = z;
  assert.notEqual(best, '', `no zone for ${lname}`);
  return best;
}

function run(c: Case): void {
  const [name, typeText] = c.q.split(' ') as [string, RRTypeName];
  const opts: KubernetesOptions = { ...BASE, ...c.opts };
  const zone = c.zone ?? longestZone(name.toLowerCase(), opts.zones);
  const type = RRType[typeText];
  assert.equal(typeof type, 'number', `unknown type ${typeText}`);
  const a = answer(c.state ?? STATE, { name, type, zone }, opts);

  assert.equal(rcodeName(a.rcode), c.rcode, 'rcode');
  const ans = recordLines(a.answers, c.answer ?? [], c.ordered ?? false);
  assert.deepEqual(ans.actual, ans.expected, 'answer section');
  const ext = recordLines(a.additionals, c.extra ?? []);
  assert.deepEqual(ext.actual, ext.expected, 'additional section');
  const emptyAnswer = (c.answer ?? []).length === 0;
  const defaultNs = emptyAnswer && c.rcode !== 'REFUSED' ? [soa(name.slice(name.length - zone.length), opts.ttl)] : [];
  const auth = recordLines(a.authorities, c.ns ?? defaultNs);
  assert.deepEqual(auth.actual, auth.expected, 'authority section');
  const chase = c.chase === undefined || c.chase === null ? null : { target: c.chase.target, type: RRType[c.chase.type] };
  assert.deepEqual(a.chase, chase, 'chase');
  assert.equal(a.nameError, c.nameError ?? (c.rcode === 'NXDOMAIN' || c.rcode === 'SERVFAIL'), 'nameError');
  if (a.chase !== null) {
    const nd = recordLines(a.nodataAuthorities, [soa(name.slice(name.length - zone.length), opts.ttl)]);
    assert.deepEqual(nd.actual, nd.expected, 'nodataAuthorities');
  } else {
    assert.deepEqual(a.nodataAuthorities, [], 'nodataAuthorities');
  }
}

function table(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const c of cases) it(c.note === undefined ? c.q : `${c.q} — ${c.note}`, () => run(c));
  });
}

const insecure: Partial<KubernetesOptions> = { pods: 'insecure' };
const verified: Partial<KubernetesOptions> = { pods: 'verified' };
const podNames: Partial<KubernetesOptions> = { endpointPodNames: true };
const noEndpoints: Partial<KubernetesOptions> = { noEndpoints: true };
const ignoreEmpty: Partial<KubernetesOptions> = { ignoreEmptyService: true };
const onlyShop: Partial<KubernetesOptions> = { namespaces: new Set(['shop']) };

// ------------------------------------------------------------------------------------------------
table('B.2 query-name grammar', [
  { q: 'cluster.local. A', rcode: 'NOERROR', note: 'apex → NODATA' },
  { q: 'svc.cluster.local. A', rcode: 'NOERROR', note: 'bare svc → NODATA' },
  { q: 'pod.cluster.local. A', rcode: 'NOERROR', note: 'bare pod → NODATA (pods disabled)' },
  { q: 'shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'existing namespace → NODATA' },
  { q: 'empty-ns.svc.cluster.local. A', rcode: 'NOERROR', note: 'namespace without services → NODATA' },
  { q: 'nope.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'unknown namespace' },
  { q: 'ghost.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'services exist but the Namespace does not' },
  { q: 'shop.pod.cluster.local. A', rcode: 'NXDOMAIN', note: 'pods disabled' },
  { q: 'shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, note: 'pods insecure → NODATA' },
  { q: 'nope.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure },
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'] },
  { q: '10-244-1-10.web.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['10-244-1-10.web.shop.svc.cluster.local. 5 IN A 10.244.1.10'], note: 'endpoint of a ClusterIP service' },
  {
    q: '_http._tcp.web.shop.svc.cluster.local. SRV', rcode: 'NOERROR',
    answer: ['_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.'],
    extra: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  {
    q: 'http.tcp.web.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'underscores are optional',
    answer: ['http.tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.'],
    extra: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  { q: '_http._tcp.web.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['_http._tcp.web.shop.svc.cluster.local. 5 IN A 10.96.0.20'], note: 'port form also answers A' },
  { q: '_http._udp.web.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'port form with no matching port' },
  { q: '10-244-5-5.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, answer: ['10-244-5-5.shop.pod.cluster.local. 5 IN A 10.244.5.5'] },
  { q: 'a.b.c.web.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'too long' },
  { q: 'a.b.c.1-2-3-4.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure, note: 'too long (pod)' },
  { q: 'foo.cluster.local. A', rcode: 'NXDOMAIN', note: 'second label not svc/pod' },
  { q: 'web.shop.cluster.local. A', rcode: 'NXDOMAIN', note: 'rightmost label not svc/pod' },
  { q: 'x.y.z.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: '*.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'wildcards removed in 1.9.0' },
  { q: 'any.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'wildcards removed in 1.9.0' },
  { q: '*.*.web.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN', note: 'wildcard port/proto is literal' },
]);

// ------------------------------------------------------------------------------------------------
table('B.3 response rules per query type', [
  { q: 'web.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', note: 'existing name, other family → NODATA' },
  { q: 'nope.shop.svc.cluster.local. AAAA', rcode: 'NXDOMAIN' },
  { q: 'web.shop.svc.cluster.local. TXT', rcode: 'NOERROR', note: 'existing name → NODATA' },
  { q: 'nope.shop.svc.cluster.local. TXT', rcode: 'NXDOMAIN' },
  { q: 'empty-headless.shop.svc.cluster.local. TXT', rcode: 'NXDOMAIN' },
  { q: 'dns-version.cluster.local. TXT', rcode: 'NOERROR', answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'] },
  { q: 'dns-version.cluster.local. TXT', rcode: 'NOERROR', opts: { ttl: 30 }, answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'], note: 'ttl option does not apply' },
  { q: 'DNS-Version.Cluster.Local. TXT', rcode: 'NOERROR', answer: ['DNS-Version.Cluster.Local. 28800 IN TXT "1.1.0"'] },
  { q: 'dns-version.cluster.local. A', rcode: 'NXDOMAIN', note: 'quirk: only the TXT path knows the name' },
  { q: 'dns-version.cluster.local. AAAA', rcode: 'NXDOMAIN' },
  { q: 'dns-version.cluster.local. MX', rcode: 'NXDOMAIN' },
  { q: 'dns-version.cluster.local. SOA', rcode: 'NOERROR', note: 'SOA below apex → NODATA' },
  { q: 'x.dns-version.cluster.local. TXT', rcode: 'NXDOMAIN' },
  { q: 'web.shop.svc.cluster.local. CNAME', rcode: 'NOERROR', note: 'IP-backed → NODATA' },
  { q: 'nope.shop.svc.cluster.local. CNAME', rcode: 'NXDOMAIN' },
  { q: 'ext.shop.svc.cluster.local. CNAME', rcode: 'NOERROR', answer: ['ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.'] },
  { q: 'web.shop.svc.cluster.local. PTR', rcode: 'NOERROR', note: 'forward name that exists → NODATA' },
  { q: 'nope.shop.svc.cluster.local. PTR', rcode: 'NXDOMAIN' },
  { q: 'web.shop.svc.cluster.local. MX', rcode: 'NOERROR' },
  { q: 'nope.shop.svc.cluster.local. MX', rcode: 'NXDOMAIN' },
  { q: 'cluster.local. MX', rcode: 'NOERROR' },
  { q: 'web.shop.svc.cluster.local. NS', rcode: 'NOERROR', opts: { localAddresses: ['10.244.0.5'] }, note: 'NS below apex → like other' },
  { q: 'nope.shop.svc.cluster.local. NS', rcode: 'NXDOMAIN' },
  { q: 'cluster.local. SOA', rcode: 'NOERROR', answer: [soa('cluster.local.')], ns: [] },
  { q: 'web.shop.svc.cluster.local. SOA', rcode: 'NOERROR' },
  { q: 'nope.shop.svc.cluster.local. SOA', rcode: 'NOERROR', note: 'SOA below apex: NODATA even for a non-existent name' },
  { q: 'a.b.c.d.e.cluster.local. SOA', rcode: 'NOERROR' },
  { q: 'shop.pod.cluster.local. SOA', rcode: 'NOERROR', note: 'even with pods disabled' },
  { q: 'web.shop.svc.cluster.local. AXFR', rcode: 'REFUSED', nameError: false },
  { q: 'cluster.local. AXFR', rcode: 'REFUSED', nameError: false },
  { q: 'cluster.local. IXFR', rcode: 'REFUSED', nameError: false },
  { q: 'web.shop.svc.cluster.local. HINFO', rcode: 'NOERROR' },
  { q: 'nope.shop.svc.cluster.local. HINFO', rcode: 'NXDOMAIN' },
  { q: 'web.shop.svc.cluster.local. CAA', rcode: 'NOERROR' },
  { q: 'web.shop.svc.cluster.local. HTTPS', rcode: 'NOERROR' },
  { q: 'nope.shop.svc.cluster.local. HTTPS', rcode: 'NXDOMAIN' },
  { q: 'db.shop.svc.cluster.local. SVCB', rcode: 'NOERROR' },
  { q: 'empty-headless.shop.svc.cluster.local. HTTPS', rcode: 'NXDOMAIN', note: 'hidden A lookup decides' },
  { q: 'web.shop.svc.cluster.local. ANY', rcode: 'NOERROR' },
  { q: 'cluster.local. A', rcode: 'NOERROR' },
  { q: 'cluster.local. AAAA', rcode: 'NOERROR' },
  { q: 'cluster.local. SRV', rcode: 'NOERROR' },
  { q: 'cluster.local. HINFO', rcode: 'NOERROR' },
  { q: 'cluster.local. CNAME', rcode: 'NOERROR' },
  { q: 'cluster.local. PTR', rcode: 'NOERROR' },
  { q: 'cluster.local. TXT', rcode: 'NXDOMAIN', note: 'Services TXT: Records() finds nothing at the apex → NXDOMAIN' },
  { q: 'svc.cluster.local. TXT', rcode: 'NXDOMAIN', note: 'Records() empty → NXDOMAIN (A is NODATA)' },
  { q: 'shop.svc.cluster.local. TXT', rcode: 'NXDOMAIN', note: 'Records() empty for a namespace → NXDOMAIN' },
  { q: 'ns.dns.cluster.local. TXT', rcode: 'NXDOMAIN', note: 'Records() rejects ns.dns → NXDOMAIN' },
  { q: 'shop.svc.cluster.local. SRV', rcode: 'NOERROR' },
  { q: 'svc.cluster.local. AAAA', rcode: 'NOERROR' },
  { q: 'pod.cluster.local. SRV', rcode: 'NOERROR' },
]);

table('B.3 not synced: would-be NXDOMAIN → SERVFAIL with SOA', [
  { q: 'nope.shop.svc.cluster.local. A', rcode: 'SERVFAIL', state: UNSYNCED },
  { q: 'nope.svc.cluster.local. TXT', rcode: 'SERVFAIL', state: UNSYNCED },
  { q: '_http._udp.web.shop.svc.cluster.local. SRV', rcode: 'SERVFAIL', state: UNSYNCED },
  { q: '5.5.244.10.in-addr.arpa. PTR', rcode: 'SERVFAIL', state: UNSYNCED },
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', state: UNSYNCED, answer: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'] },
  { q: 'web.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', state: UNSYNCED, note: 'NODATA is unaffected' },
  { q: 'nope.shop.svc.cluster.local. SOA', rcode: 'NOERROR', state: UNSYNCED },
]);

// ------------------------------------------------------------------------------------------------
table('B.4 services, endpoints, hostnames', [
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'], note: '2 ports, ClusterIP once' },
  {
    q: 'db.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'headless: ready addresses of every slice, de-duplicated',
    answer: [
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.1',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.2',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.3',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.4',
    ],
  },
  {
    q: 'db.shop.svc.cluster.local. A', rcode: 'NOERROR', ordered: true, note: 'index order: slices, then endpoints',
    answer: [
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.1',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.2',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.3',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.4',
    ],
  },
  { q: 'db.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['db.shop.svc.cluster.local. 5 IN AAAA fd00:244::3:1'] },
  {
    q: 'db-1.db.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'duplicate hostnames: both addresses',
    answer: ['db-1.db.shop.svc.cluster.local. 5 IN A 10.244.3.2', 'db-1.db.shop.svc.cluster.local. 5 IN A 10.244.3.4'],
  },
  { q: 'db-0.db.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['db-0.db.shop.svc.cluster.local. 5 IN A 10.244.3.1'] },
  { q: 'db-0.db.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['db-0.db.shop.svc.cluster.local. 5 IN AAAA fd00:244::3:1'] },
  { q: '10-244-3-3.db.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['10-244-3-3.db.shop.svc.cluster.local. 5 IN A 10.244.3.3'], note: 'dashed IP, address in two slices' },
  { q: '10-244-3-1.db.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'endpoint has a hostname; the dashed IP is not a name' },
  { q: 'db-2.db.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'pod name without endpoint_pod_names' },
  { q: 'db-9.db.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'db-0.nope.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'db-2.db.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: podNames, answer: ['db-2.db.shop.svc.cluster.local. 5 IN A 10.244.3.3'] },
  { q: '10-244-3-3.db.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: podNames, note: 'pod name replaces the dashed IP' },
  { q: 'db-0.db.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: podNames, answer: ['db-0.db.shop.svc.cluster.local. 5 IN A 10.244.3.1'], note: 'hostname beats pod name' },
  { q: 'db-1b.db.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: podNames, note: 'hostname beats pod name' },
  { q: 'web-1.web.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: podNames, answer: ['web-1.web.shop.svc.cluster.local. 5 IN A 10.244.1.10'] },
  { q: 'web-1.web.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'web-b.web.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['web-b.web.shop.svc.cluster.local. 5 IN A 10.244.1.11'] },
  { q: '10-244-1-11.web.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: '10-244-1-10.web.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', note: 'endpoint exists, other family' },
  { q: `${'q'.repeat(63)}.longpod.shop.svc.cluster.local. A`, rcode: 'NOERROR', opts: podNames, answer: [`${'q'.repeat(63)}.longpod.shop.svc.cluster.local. 5 IN A 10.244.7.2`], note: 'pod name of 63 chars' },
  { q: `${'p'.repeat(64)}.longpod.shop.svc.cluster.local. A`, rcode: 'NXDOMAIN', opts: podNames, note: 'pod name of 64 chars is ignored' },
  { q: '10-244-7-1.longpod.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: podNames, answer: ['10-244-7-1.longpod.shop.svc.cluster.local. 5 IN A 10.244.7.1'], note: 'falls back to the dashed IP' },
  { q: '2001-db8--0.v6-headless.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['2001-db8--0.v6-headless.shop.svc.cluster.local. 5 IN AAAA 2001:db8::'], note: 'trailing :: → --0' },
  { q: '2001-db8-0-1--5.v6-headless.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['2001-db8-0-1--5.v6-headless.shop.svc.cluster.local. 5 IN AAAA 2001:db8:0:1::5'] },
  { q: '2001-db8--.v6-headless.shop.svc.cluster.local. AAAA', rcode: 'NXDOMAIN' },
  {
    q: 'v6-headless.shop.svc.cluster.local. AAAA', rcode: 'NOERROR',
    answer: ['v6-headless.shop.svc.cluster.local. 5 IN AAAA 2001:db8::', 'v6-headless.shop.svc.cluster.local. 5 IN AAAA 2001:db8:0:1::5'],
  },
  { q: 'v6-headless.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'headless, only IPv6 slices → A NODATA' },
  { q: 'empty-headless.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'headless with no ready endpoints' },
  { q: 'empty-headless.shop.svc.cluster.local. AAAA', rcode: 'NXDOMAIN' },
  { q: 'empty-headless.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN' },
  { q: 'empty-svc.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['empty-svc.shop.svc.cluster.local. 5 IN A 10.96.0.80'], note: 'ClusterIP without endpoints still resolves' },
  { q: 'noport.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['noport.shop.svc.cluster.local. 5 IN A 10.96.0.60'], note: 'port-less service (sentinel port)' },
  { q: 'portless-headless.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['portless-headless.shop.svc.cluster.local. 5 IN A 10.244.4.1'] },
  { q: '10-244-4-1.portless-headless.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['10-244-4-1.portless-headless.shop.svc.cluster.local. 5 IN A 10.244.4.1'] },
  { q: 'sel-less.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['sel-less.shop.svc.cluster.local. 5 IN A 10.96.0.70'] },
  { q: '192-168-1-5.sel-less.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['192-168-1-5.sel-less.shop.svc.cluster.local. 5 IN A 192.168.1.5'] },
  { q: 'kubernetes.default.svc.cluster.local. A', rcode: 'NOERROR', answer: ['kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1'] },
  { q: 'phantom.ghost.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'namespace does not exist' },
  { q: 'gone.infra.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'slices without a service' },
  { q: '10-244-8-8.gone.infra.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'db.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: noEndpoints, note: 'noendpoints: headless' },
  { q: '10-244-1-10.web.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: noEndpoints, note: 'noendpoints: endpoint query' },
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: noEndpoints, answer: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'], note: 'noendpoints: ClusterIP unaffected' },
]);

table('F.11 dual-stack', [
  { q: 'dual.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['dual.shop.svc.cluster.local. 5 IN A 10.96.0.30'] },
  { q: 'dual.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['dual.shop.svc.cluster.local. 5 IN AAAA fd00:96::30'] },
  { q: 'v6only.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'family NODATA' },
  { q: 'v6only.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['v6only.shop.svc.cluster.local. 5 IN AAAA fd00:96::40'] },
  { q: '10-244-2-1.dual.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['10-244-2-1.dual.shop.svc.cluster.local. 5 IN A 10.244.2.1'] },
  { q: 'fd00-244--2-1.dual.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['fd00-244--2-1.dual.shop.svc.cluster.local. 5 IN AAAA fd00:244::2:1'] },
  { q: 'fd00-244--2-1.dual.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'IPv6 endpoint, A → NODATA' },
]);

// ------------------------------------------------------------------------------------------------
const DB_SRV_EXTRA = [
  'db-0.db.shop.svc.cluster.local. 5 IN A 10.244.3.1',
  'db-1.db.shop.svc.cluster.local. 5 IN A 10.244.3.2',
  '10-244-3-3.db.shop.svc.cluster.local. 5 IN A 10.244.3.3',
  'db-1.db.shop.svc.cluster.local. 5 IN A 10.244.3.4',
  'db-0.db.shop.svc.cluster.local. 5 IN AAAA fd00:244::3:1',
];
table('B.5 SRV', [
  {
    q: 'db.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: '6 entries before de-dup → weight 16; de-dup on target+port',
    answer: [
      'db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-0.db.shop.svc.cluster.local.',
      'db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-1.db.shop.svc.cluster.local.',
      'db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 10-244-3-3.db.shop.svc.cluster.local.',
    ],
    extra: DB_SRV_EXTRA,
  },
  {
    q: '_pg._tcp.db.shop.svc.cluster.local. SRV', rcode: 'NOERROR',
    answer: [
      '_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-0.db.shop.svc.cluster.local.',
      '_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-1.db.shop.svc.cluster.local.',
      '_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 10-244-3-3.db.shop.svc.cluster.local.',
    ],
    extra: DB_SRV_EXTRA,
  },
  {
    q: '_PG._TCP.db.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'port/proto case-insensitive, owner echoed',
    answer: [
      '_PG._TCP.db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-0.db.shop.svc.cluster.local.',
      '_PG._TCP.db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-1.db.shop.svc.cluster.local.',
      '_PG._TCP.db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 10-244-3-3.db.shop.svc.cluster.local.',
    ],
    extra: DB_SRV_EXTRA,
  },
  {
    q: '_pg..db.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'empty protocol label = any',
    answer: [
      '_pg..db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-0.db.shop.svc.cluster.local.',
      '_pg..db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 db-1.db.shop.svc.cluster.local.',
      '_pg..db.shop.svc.cluster.local. 5 IN SRV 0 16 5432 10-244-3-3.db.shop.svc.cluster.local.',
    ],
    extra: DB_SRV_EXTRA,
  },
  { q: '_pg._udp.db.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN', note: 'protocol mismatch → NXDOMAIN' },
  { q: '_http._tcp.db.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN', note: 'port mismatch → NXDOMAIN' },
  {
    q: 'db-1.db.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'endpoint SRV: 2 entries → 50, one SRV, two extras',
    answer: ['db-1.db.shop.svc.cluster.local. 5 IN SRV 0 50 5432 db-1.db.shop.svc.cluster.local.'],
    extra: ['db-1.db.shop.svc.cluster.local. 5 IN A 10.244.3.2', 'db-1.db.shop.svc.cluster.local. 5 IN A 10.244.3.4'],
  },
  {
    q: 'db-0.db.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'dual-family endpoint name: A and AAAA extras',
    answer: ['db-0.db.shop.svc.cluster.local. 5 IN SRV 0 50 5432 db-0.db.shop.svc.cluster.local.'],
    extra: ['db-0.db.shop.svc.cluster.local. 5 IN A 10.244.3.1', 'db-0.db.shop.svc.cluster.local. 5 IN AAAA fd00:244::3:1'],
  },
  {
    q: 'dual.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'dual-stack: 2 entries → 50, one SRV, A + AAAA extras',
    answer: ['dual.shop.svc.cluster.local. 5 IN SRV 0 50 53 dual.shop.svc.cluster.local.'],
    extra: ['dual.shop.svc.cluster.local. 5 IN A 10.96.0.30', 'dual.shop.svc.cluster.local. 5 IN AAAA fd00:96::30'],
  },
  {
    q: '_dns._udp.dual.shop.svc.cluster.local. SRV', rcode: 'NOERROR',
    answer: ['_dns._udp.dual.shop.svc.cluster.local. 5 IN SRV 0 50 53 dual.shop.svc.cluster.local.'],
    extra: ['dual.shop.svc.cluster.local. 5 IN A 10.96.0.30', 'dual.shop.svc.cluster.local. 5 IN AAAA fd00:96::30'],
  },
  { q: '_dns._tcp.dual.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN' },
  {
    q: 'web.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'bare name: one SRV per port, 2 entries → 50',
    answer: [
      'web.shop.svc.cluster.local. 5 IN SRV 0 50 80 web.shop.svc.cluster.local.',
      'web.shop.svc.cluster.local. 5 IN SRV 0 50 443 web.shop.svc.cluster.local.',
    ],
    extra: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  {
    q: 'unnamed.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'bare name includes unnamed ports',
    answer: ['unnamed.shop.svc.cluster.local. 5 IN SRV 0 100 8080 unnamed.shop.svc.cluster.local.'],
    extra: ['unnamed.shop.svc.cluster.local. 5 IN A 10.96.0.50'],
  },
  { q: '_http._tcp.unnamed.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN', note: 'unnamed ports have no _port._proto form' },
  { q: 'noport.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'sentinel port → no SRV → NODATA' },
  { q: '_http._tcp.noport.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN' },
  { q: 'portless-headless.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'port-less headless → NODATA' },
  { q: '_http._tcp.portless-headless.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN' },
  {
    q: 'kube-dns.kube-system.svc.cluster.local. SRV', rcode: 'NOERROR', note: '3 entries → 33; two ports 53 collapse on target+port',
    answer: [
      'kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.',
      'kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.',
    ],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },
  {
    q: '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local. SRV', rcode: 'NOERROR',
    answer: ['_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.'],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },
  {
    q: '10-244-1-10.web.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'endpoint SRV uses slice ports',
    answer: [
      '10-244-1-10.web.shop.svc.cluster.local. 5 IN SRV 0 50 8080 10-244-1-10.web.shop.svc.cluster.local.',
      '10-244-1-10.web.shop.svc.cluster.local. 5 IN SRV 0 50 8443 10-244-1-10.web.shop.svc.cluster.local.',
    ],
    extra: ['10-244-1-10.web.shop.svc.cluster.local. 5 IN A 10.244.1.10'],
  },
  {
    q: 'v6only.shop.svc.cluster.local. SRV', rcode: 'NOERROR',
    answer: ['v6only.shop.svc.cluster.local. 5 IN SRV 0 100 80 v6only.shop.svc.cluster.local.'],
    extra: ['v6only.shop.svc.cluster.local. 5 IN AAAA fd00:96::40'],
  },
  {
    q: '_http._tcp.sel-less.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'selector-less service',
    answer: ['_http._tcp.sel-less.shop.svc.cluster.local. 5 IN SRV 0 100 80 sel-less.shop.svc.cluster.local.'],
    extra: ['sel-less.shop.svc.cluster.local. 5 IN A 10.96.0.70'],
  },
  {
    q: '_http._tcp.v6-headless.shop.svc.cluster.local. SRV', rcode: 'NOERROR',
    answer: [
      '_http._tcp.v6-headless.shop.svc.cluster.local. 5 IN SRV 0 50 80 2001-db8--0.v6-headless.shop.svc.cluster.local.',
      '_http._tcp.v6-headless.shop.svc.cluster.local. 5 IN SRV 0 50 80 2001-db8-0-1--5.v6-headless.shop.svc.cluster.local.',
    ],
    extra: [
      '2001-db8--0.v6-headless.shop.svc.cluster.local. 5 IN AAAA 2001:db8::',
      '2001-db8-0-1--5.v6-headless.shop.svc.cluster.local. 5 IN AAAA 2001:db8:0:1::5',
    ],
  },
  {
    q: '_HTTP._TCP.WeB.ShOp.svc.Cluster.Local. SRV', rcode: 'NOERROR', note: 'targets: object labels + query spelling of the zone',
    answer: ['_HTTP._TCP.WeB.ShOp.svc.Cluster.Local. 5 IN SRV 0 100 80 web.shop.svc.Cluster.Local.'],
    extra: ['web.shop.svc.Cluster.Local. 5 IN A 10.96.0.20'],
  },
  {
    q: 'DB-1.DB.shop.svc.CLUSTER.local. SRV', rcode: 'NOERROR',
    answer: ['DB-1.DB.shop.svc.CLUSTER.local. 5 IN SRV 0 50 5432 db-1.db.shop.svc.CLUSTER.local.'],
    extra: ['db-1.db.shop.svc.CLUSTER.local. 5 IN A 10.244.3.2', 'db-1.db.shop.svc.CLUSTER.local. 5 IN A 10.244.3.4'],
  },
  {
    q: '1-2-3-4.shop.pod.cluster.local. SRV', rcode: 'NOERROR', opts: insecure, note: 'pod entries have port 0',
    answer: ['1-2-3-4.shop.pod.cluster.local. 5 IN SRV 0 100 0 1-2-3-4.shop.pod.cluster.local.'],
    extra: ['1-2-3-4.shop.pod.cluster.local. 5 IN A 1.2.3.4'],
  },
]);

// ------------------------------------------------------------------------------------------------
table('B.6 ExternalName', [
  { q: 'ext.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.'], chase: { target: 'api.example.com.', type: 'A' } },
  { q: 'ext.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.'], chase: { target: 'api.example.com.', type: 'AAAA' } },
  { q: 'ext.shop.svc.cluster.local. TXT', rcode: 'NOERROR', note: 'Services TXT: the ExternalName exists → NODATA, no CNAME' },
  { q: 'EXT.Shop.svc.Cluster.Local. A', rcode: 'NOERROR', answer: ['EXT.Shop.svc.Cluster.Local. 5 IN CNAME api.example.com.'], chase: { target: 'api.example.com.', type: 'A' } },
  { q: 'ext.shop.svc.cluster.local. CNAME', rcode: 'NOERROR', answer: ['ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.'], note: 'CNAME qtype: no chase' },
  {
    q: 'ext-in.shop.svc.cluster.local. A', rcode: 'NOERROR', ordered: true, note: 'in-zone target resolved internally, CNAME first',
    answer: ['ext-in.shop.svc.cluster.local. 5 IN CNAME web.shop.svc.cluster.local.', 'web.shop.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  {
    q: 'Ext-In.Shop.svc.cluster.local. A', rcode: 'NOERROR', ordered: true,
    answer: ['Ext-In.Shop.svc.cluster.local. 5 IN CNAME web.shop.svc.cluster.local.', 'web.shop.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  { q: 'ext-in.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', note: 'target has no AAAA: CNAME dropped → NODATA' },
  { q: 'ext-in.shop.svc.cluster.local. CNAME', rcode: 'NOERROR', answer: ['ext-in.shop.svc.cluster.local. 5 IN CNAME web.shop.svc.cluster.local.'] },
  {
    q: 'ext-upper.shop.svc.cluster.local. A', rcode: 'NOERROR', ordered: true, note: 'target spelling kept as owner',
    answer: ['ext-upper.shop.svc.cluster.local. 5 IN CNAME Web.Shop.svc.cluster.local.', 'Web.Shop.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  {
    q: 'chain1.shop.svc.cluster.local. A', rcode: 'NOERROR', ordered: true, note: 'chained ExternalNames',
    answer: [
      'chain1.shop.svc.cluster.local. 5 IN CNAME chain2.shop.svc.cluster.local.',
      'chain2.shop.svc.cluster.local. 5 IN CNAME ext-in.shop.svc.cluster.local.',
      'ext-in.shop.svc.cluster.local. 5 IN CNAME web.shop.svc.cluster.local.',
      'web.shop.svc.cluster.local. 5 IN A 10.96.0.20',
    ],
  },
  {
    q: 'ext-chain-out.shop.svc.cluster.local. A', rcode: 'NOERROR', ordered: true, note: 'chain ending outside the zone → chase',
    answer: [
      'ext-chain-out.shop.svc.cluster.local. 5 IN CNAME ext.shop.svc.cluster.local.',
      'ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.',
    ],
    chase: { target: 'api.example.com.', type: 'A' },
  },
  { q: 'loop-a.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'loop → nothing → NODATA' },
  { q: 'loop-a.shop.svc.cluster.local. CNAME', rcode: 'NOERROR', answer: ['loop-a.shop.svc.cluster.local. 5 IN CNAME loop-b.shop.svc.cluster.local.'] },
  { q: 'self.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'self-loop skipped' },
  { q: 'self.shop.svc.cluster.local. CNAME', rcode: 'NOERROR', answer: ['self.shop.svc.cluster.local. 5 IN CNAME self.shop.svc.cluster.local.'] },
  { q: 'ext-missing.shop.svc.cluster.local. A', rcode: 'NOERROR', note: 'in-zone target NXDOMAIN is swallowed → NODATA' },
  {
    q: 'c4.chain.svc.cluster.local. A', rcode: 'NOERROR', ordered: true, note: 'a chain of 8 CNAMEs is followed (len(previousRecords) > 7 stops)',
    answer: [
      'c4.chain.svc.cluster.local. 5 IN CNAME c5.chain.svc.cluster.local.',
      'c5.chain.svc.cluster.local. 5 IN CNAME c6.chain.svc.cluster.local.',
      'c6.chain.svc.cluster.local. 5 IN CNAME c7.chain.svc.cluster.local.',
      'c7.chain.svc.cluster.local. 5 IN CNAME c8.chain.svc.cluster.local.',
      'c8.chain.svc.cluster.local. 5 IN CNAME c9.chain.svc.cluster.local.',
      'c9.chain.svc.cluster.local. 5 IN CNAME c10.chain.svc.cluster.local.',
      'c10.chain.svc.cluster.local. 5 IN CNAME c11.chain.svc.cluster.local.',
      'c11.chain.svc.cluster.local. 5 IN CNAME web.shop.svc.cluster.local.',
      'web.shop.svc.cluster.local. 5 IN A 10.96.0.20',
    ],
  },
  { q: 'c3.chain.svc.cluster.local. A', rcode: 'NOERROR', note: 'a chain of 9 CNAMEs exceeds the cap → NODATA' },
  { q: 'ext-ip.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'IP-literal externalName' },
  { q: 'ext-ip.shop.svc.cluster.local. CNAME', rcode: 'NXDOMAIN' },
  { q: 'ext-ip.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN' },
  { q: 'ext.shop.svc.cluster.local. SRV', rcode: 'NOERROR', note: 'SRV on ExternalName → NODATA' },
  { q: '_http._tcp.ext.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN' },
  { q: '_http._tcp.ext.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'foo.ext.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', note: 'names below an ExternalName do not exist' },
  { q: 'foo.ext.shop.svc.cluster.local. CNAME', rcode: 'NXDOMAIN' },
  { q: 'ext.shop.svc.cluster.local. MX', rcode: 'NOERROR' },
  { q: 'ext.shop.svc.cluster.local. HINFO', rcode: 'NOERROR' },
  { q: 'ext.shop.svc.cluster.local. PTR', rcode: 'NOERROR' },
  { q: 'ext.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: ignoreEmpty, answer: ['ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.'], chase: { target: 'api.example.com.', type: 'A' }, note: 'ignore empty_service never hides it' },
]);

// ------------------------------------------------------------------------------------------------
const FD00_96_30 = '0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa.';
const FD00_244_3_1 = '1.0.0.0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.0.d.f.ip6.arpa.';
const V4MAPPED_10_96_0_20 = '4.1.0.0.0.6.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.';
const DB8_ZERO = '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.';
table('B.7 PTR', [
  { q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local.'], note: 'first ClusterIP owner only' },
  { q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', opts: { namespaces: new Set(['other']) }, answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR shadow.other.svc.cluster.local.'], note: 'namespaces filter skips the first' },
  { q: '10.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['10.0.96.10.in-addr.arpa. 5 IN PTR kube-dns.kube-system.svc.cluster.local.'] },
  { q: '30.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['30.0.96.10.in-addr.arpa. 5 IN PTR dual.shop.svc.cluster.local.'] },
  { q: `${FD00_96_30} PTR`, rcode: 'NOERROR', answer: [`${FD00_96_30} 5 IN PTR dual.shop.svc.cluster.local.`], note: 'IPv6 ClusterIP' },
  {
    q: '1.3.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', note: 'address selected by two services → two PTRs',
    answer: ['1.3.244.10.in-addr.arpa. 5 IN PTR db-0.db.shop.svc.cluster.local.', '1.3.244.10.in-addr.arpa. 5 IN PTR 10-244-3-1.metrics.infra.svc.cluster.local.'],
  },
  { q: '1.3.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', opts: onlyShop, answer: ['1.3.244.10.in-addr.arpa. 5 IN PTR db-0.db.shop.svc.cluster.local.'] },
  {
    q: '1.3.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', opts: podNames,
    answer: ['1.3.244.10.in-addr.arpa. 5 IN PTR db-0.db.shop.svc.cluster.local.', '1.3.244.10.in-addr.arpa. 5 IN PTR db-0.metrics.infra.svc.cluster.local.'],
  },
  { q: '3.3.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['3.3.244.10.in-addr.arpa. 5 IN PTR 10-244-3-3.db.shop.svc.cluster.local.'], note: 'same address in two slices → one PTR' },
  { q: '3.3.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', opts: podNames, answer: ['3.3.244.10.in-addr.arpa. 5 IN PTR db-2.db.shop.svc.cluster.local.'] },
  { q: '4.3.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['4.3.244.10.in-addr.arpa. 5 IN PTR db-1.db.shop.svc.cluster.local.'] },
  { q: `${FD00_244_3_1} PTR`, rcode: 'NOERROR', answer: [`${FD00_244_3_1} 5 IN PTR db-0.db.shop.svc.cluster.local.`], note: 'IPv6 endpoint' },
  { q: `${DB8_ZERO} PTR`, rcode: 'NOERROR', answer: [`${DB8_ZERO} 5 IN PTR 2001-db8--0.v6-headless.shop.svc.cluster.local.`] },
  { q: `${V4MAPPED_10_96_0_20} PTR`, rcode: 'NOERROR', answer: [`${V4MAPPED_10_96_0_20} 5 IN PTR web.shop.svc.cluster.local.`], note: 'IPv4-mapped → looked up as IPv4 (Go)' },
  { q: '10.1.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['10.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-10.web.shop.svc.cluster.local.'], note: 'endpoint of a ClusterIP service' },
  { q: '11.1.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['11.1.244.10.in-addr.arpa. 5 IN PTR web-b.web.shop.svc.cluster.local.'] },
  { q: '5.1.168.192.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['5.1.168.192.in-addr.arpa. 5 IN PTR 192-168-1-5.sel-less.shop.svc.cluster.local.'] },
  { q: '8.8.244.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['8.8.244.10.in-addr.arpa. 5 IN PTR 10-244-8-8.gone.infra.svc.cluster.local.'], note: 'orphan slice still answers' },
  { q: '99.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', answer: ['99.0.96.10.in-addr.arpa. 5 IN PTR phantom.ghost.svc.cluster.local.'], note: 'no namespaces option: no namespace check' },
  { q: '99.0.96.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', opts: { namespaces: new Set(['ghost']) }, note: 'namespaces option: namespace must exist' },
  { q: '99.0.96.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', opts: onlyShop },
  { q: '5.5.244.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', note: 'pod IP that is not an endpoint' },
  { q: '10.113.0.203.in-addr.arpa. PTR', rcode: 'NXDOMAIN', note: 'externalIPs have no PTR' },
  { q: '3.3.244.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', opts: noEndpoints },
  { q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', opts: noEndpoints, answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local.'] },
  { q: '1.0.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', note: 'not a full address' },
  { q: '1.20.0.96.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN' },
  { q: '020.0.96.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', note: 'leading zero is not an address' },
  { q: 'in-addr.arpa. PTR', rcode: 'NOERROR', note: 'reverse apex → NODATA' },
  { q: '0.0.d.f.ip6.arpa. PTR', rcode: 'NXDOMAIN' },
  { q: 'ip6.arpa. PTR', rcode: 'NOERROR' },
  { q: 'web.shop.svc.in-addr.arpa. A', rcode: 'NXDOMAIN', note: 'service-shaped name in a reverse zone' },
  { q: 'web.shop.svc.in-addr.arpa. PTR', rcode: 'NXDOMAIN' },
  { q: '20.0.96.10.in-addr.arpa. A', rcode: 'NXDOMAIN', note: 'A of a reverse name' },
  { q: '20.0.96.10.in-addr.arpa. SOA', rcode: 'NOERROR' },
  { q: 'in-addr.arpa. SOA', rcode: 'NOERROR', answer: [soa('in-addr.arpa.')], ns: [] },
  { q: 'ip6.arpa. SOA', rcode: 'NOERROR', answer: [soa('ip6.arpa.')], ns: [] },
  {
    q: '20.0.96.10.IN-ADDR.ARPA. PTR', rcode: 'NOERROR', note: 'owner echoed; target in the primary zone',
    answer: ['20.0.96.10.IN-ADDR.ARPA. 5 IN PTR web.shop.svc.cluster.local.'],
  },
  {
    q: '5.5.244.10.In-Addr.Arpa. PTR', rcode: 'NXDOMAIN',
    ns: ['In-Addr.Arpa. 5 IN SOA ns.dns.In-Addr.Arpa. hostmaster.In-Addr.Arpa. 1700000000 7200 1800 86400 5'],
  },
  {
    q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', note: 'primary zone = first forward zone',
    opts: defaultKubernetesOptions(['in-addr.arpa.', 'k8s.example.', 'cluster.local.']),
    answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.k8s.example.'],
  },
  {
    q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', note: 'reverse sub-zone',
    opts: defaultKubernetesOptions(['cluster.local.', '96.10.in-addr.arpa.']),
    answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local.'],
  },
  {
    q: '1.1.96.10.in-addr.arpa. PTR', rcode: 'NXDOMAIN', note: 'SOA of the matching reverse sub-zone',
    opts: defaultKubernetesOptions(['cluster.local.', '96.10.in-addr.arpa.']),
    ns: ['96.10.in-addr.arpa. 5 IN SOA ns.dns.96.10.in-addr.arpa. hostmaster.96.10.in-addr.arpa. 1700000000 7200 1800 86400 5'],
  },
  { q: '20.0.96.10.in-addr.arpa. PTR', rcode: 'NOERROR', opts: { ttl: 30 }, answer: ['20.0.96.10.in-addr.arpa. 30 IN PTR web.shop.svc.cluster.local.'] },
]);

// ------------------------------------------------------------------------------------------------
const kubeDnsLocal: Partial<KubernetesOptions> = { localAddresses: ['10.244.0.5'] };
const plainLocal: Partial<KubernetesOptions> = { localAddresses: ['192.0.2.53', '2001:db8::53'] };
table('B.8 apex: SOA, NS, ns.dns', [
  { q: 'Cluster.Local. SOA', rcode: 'NOERROR', answer: ['Cluster.Local. 5 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local. 1700000000 7200 1800 86400 5'], ns: [] },
  { q: 'cluster.local. SOA', rcode: 'NOERROR', opts: { ttl: 30 }, answer: ['cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30'], ns: [] },
  { q: 'cluster.local. SOA', rcode: 'NOERROR', opts: { ttl: 600 }, answer: ['cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 600'], ns: [], note: 'SOA TTL capped at 300' },
  { q: 'cluster.local. SOA', rcode: 'NOERROR', opts: { ttl: 0 }, answer: ['cluster.local. 0 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 0'], ns: [] },
  {
    q: 'cluster.local. NS', rcode: 'NOERROR', opts: kubeDnsLocal, note: 'own address is a kube-dns endpoint',
    answer: ['cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.'],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },
  {
    q: 'cluster.local. NS', rcode: 'NOERROR', opts: { ...kubeDnsLocal, ttl: 30 },
    answer: ['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.'],
    extra: ['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10'],
  },
  {
    q: 'Cluster.Local. NS', rcode: 'NOERROR', opts: kubeDnsLocal, note: 'NS target keeps the query spelling of the zone',
    answer: ['Cluster.Local. 5 IN NS kube-dns.kube-system.svc.Cluster.Local.'],
    extra: ['kube-dns.kube-system.svc.Cluster.Local. 5 IN A 10.96.0.10'],
  },
  {
    q: 'cluster.local. NS', rcode: 'NOERROR', opts: { localAddresses: ['10.244.0.5', '10.244.0.6'] }, note: 'one NS per name, glue per match',
    answer: ['cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.'],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10', 'kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },
  {
    q: 'cluster.local. NS', rcode: 'NOERROR', opts: { localAddresses: ['10.244.9.1'] }, note: 'headless: every address of the slice under its hostname',
    answer: ['cluster.local. 5 IN NS ns1.dns-headless.infra.svc.cluster.local.', 'cluster.local. 5 IN NS 10-244-9-2.dns-headless.infra.svc.cluster.local.'],
    extra: ['ns1.dns-headless.infra.svc.cluster.local. 5 IN A 10.244.9.1', '10-244-9-2.dns-headless.infra.svc.cluster.local. 5 IN A 10.244.9.2'],
  },
  {
    q: 'cluster.local. NS', rcode: 'NOERROR', opts: plainLocal, note: 'no endpoint match → ns.dns.<zone> with the local addresses',
    answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'],
    extra: ['ns.dns.cluster.local. 5 IN A 192.0.2.53', 'ns.dns.cluster.local. 5 IN AAAA 2001:db8::53'],
  },
  {
    q: 'cluster.local. NS', rcode: 'NOERROR', opts: { ...kubeDnsLocal, noEndpoints: true }, note: 'noendpoints: no endpoint match',
    answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'],
    extra: ['ns.dns.cluster.local. 5 IN A 10.244.0.5'],
  },
  { q: 'cluster.local. NS', rcode: 'NOERROR', note: 'no local addresses → NODATA' },
  {
    q: 'in-addr.arpa. NS', rcode: 'NOERROR', opts: kubeDnsLocal, note: 'reverse apex: names built on the reverse zone',
    answer: ['in-addr.arpa. 5 IN NS kube-dns.kube-system.svc.in-addr.arpa.'],
    extra: ['kube-dns.kube-system.svc.in-addr.arpa. 5 IN A 10.96.0.10'],
  },
  { q: 'ns.dns.cluster.local. A', rcode: 'NOERROR', opts: plainLocal, answer: ['ns.dns.cluster.local. 5 IN A 192.0.2.53'] },
  { q: 'ns.dns.cluster.local. AAAA', rcode: 'NOERROR', opts: plainLocal, answer: ['ns.dns.cluster.local. 5 IN AAAA 2001:db8::53'] },
  { q: 'NS.DNS.cluster.local. A', rcode: 'NOERROR', opts: plainLocal, answer: ['NS.DNS.cluster.local. 5 IN A 192.0.2.53'] },
  { q: 'ns.dns.cluster.local. A', rcode: 'NOERROR', opts: kubeDnsLocal, answer: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'], note: 'nsAddrs: the DNS service ClusterIP when a local address is its endpoint' },
  { q: 'ns.dns.cluster.local. AAAA', rcode: 'NOERROR', opts: kubeDnsLocal, note: 'no IPv6 local address → NODATA' },
  { q: 'ns.dns.cluster.local. A', rcode: 'NOERROR', note: 'no local addresses → NODATA' },
  { q: 'ns.dns.cluster.local. SRV', rcode: 'NOERROR', opts: plainLocal },
  { q: 'ns.dns.cluster.local. HINFO', rcode: 'NOERROR', opts: plainLocal },
  { q: 'x.ns.dns.cluster.local. A', rcode: 'NXDOMAIN', opts: plainLocal },
  { q: 'dns.cluster.local. A', rcode: 'NXDOMAIN', opts: plainLocal },
]);

// ------------------------------------------------------------------------------------------------
table('B.9 pods', [
  { q: '10-244-5-5.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', note: 'pods disabled' },
  { q: '1-2-3-4.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, answer: ['1-2-3-4.shop.pod.cluster.local. 5 IN A 1.2.3.4'], note: 'insecure: any IP' },
  { q: '1-2-3-4.SHOP.Pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, answer: ['1-2-3-4.SHOP.Pod.cluster.local. 5 IN A 1.2.3.4'] },
  { q: '1-2-3-4.nope.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure, note: 'insecure still needs the namespace' },
  { q: '1-2-3-4.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: { pods: 'insecure', namespaces: new Set(['infra']) }, note: 'namespace not exposed' },
  { q: '1-2-3-4.shop.pod.cluster.local. AAAA', rcode: 'NOERROR', opts: insecure },
  { q: '1-2-3-4.shop.pod.cluster.local. TXT', rcode: 'NOERROR', opts: insecure },
  { q: '1-2-3-4.shop.pod.cluster.local. MX', rcode: 'NOERROR', opts: insecure },
  { q: '1-2-3-4.shop.pod.cluster.local. CNAME', rcode: 'NOERROR', opts: insecure },
  { q: 'fd00-244--3-1.shop.pod.cluster.local. AAAA', rcode: 'NOERROR', opts: insecure, answer: ['fd00-244--3-1.shop.pod.cluster.local. 5 IN AAAA fd00:244::3:1'] },
  { q: 'fd00-0-0-0-0-0-0-1.shop.pod.cluster.local. AAAA', rcode: 'NOERROR', opts: insecure, answer: ['fd00-0-0-0-0-0-0-1.shop.pod.cluster.local. 5 IN AAAA fd00::1'], note: 'address printed canonically' },
  { q: 'x.1-2-3-4.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, answer: ['x.1-2-3-4.shop.pod.cluster.local. 5 IN A 1.2.3.4'], note: 'extra label ignored' },
  { q: '_a._b.1-2-3-4.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, answer: ['_a._b.1-2-3-4.shop.pod.cluster.local. 5 IN A 1.2.3.4'] },
  { q: 'not-an-ip.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure },
  { q: '1-2-3.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure, note: 'two dashes → tried as IPv6' },
  { q: '256-1-1-1.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure },
  { q: '01-2-3-4.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: insecure },
  { q: '1--2-3-4.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, note: "'--' → IPv6 1::2:3:4, A is NODATA" },
  { q: '1--2-3-4.shop.pod.cluster.local. AAAA', rcode: 'NOERROR', opts: insecure, answer: ['1--2-3-4.shop.pod.cluster.local. 5 IN AAAA 1::2:3:4'] },
  { q: '--ffff-a00-1.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: insecure, answer: ['--ffff-a00-1.shop.pod.cluster.local. 5 IN A 10.0.0.1'], note: 'IPv4-mapped → A (Go HostType)' },
  { q: '10-244-5-5.shop.pod.cluster.local. A', rcode: 'NOERROR', opts: verified, answer: ['10-244-5-5.shop.pod.cluster.local. 5 IN A 10.244.5.5'] },
  { q: '10-244-5-5.infra.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: verified, note: 'pod is in another namespace' },
  { q: '10-244-6-6.infra.pod.cluster.local. A', rcode: 'NOERROR', opts: verified, answer: ['10-244-6-6.infra.pod.cluster.local. 5 IN A 10.244.6.6'] },
  { q: '1-2-3-4.shop.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: verified, note: 'no such pod' },
  { q: 'fd00-244--3-1.shop.pod.cluster.local. AAAA', rcode: 'NOERROR', opts: verified, answer: ['fd00-244--3-1.shop.pod.cluster.local. 5 IN AAAA fd00:244::3:1'] },
  { q: 'fd00-244-0-0-0-0-3-1.shop.pod.cluster.local. AAAA', rcode: 'NXDOMAIN', opts: verified, note: 'verified compares the IP text exactly' },
  { q: 'shop.pod.cluster.local. A', rcode: 'NOERROR', opts: verified },
  { q: 'ghost.pod.cluster.local. A', rcode: 'NXDOMAIN', opts: verified },
]);

table('B.9 other options', [
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: { ttl: 30 }, answer: ['web.shop.svc.cluster.local. 30 IN A 10.96.0.20'] },
  { q: 'nope.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: { ttl: 30 }, ns: ['cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30'] },
  { q: 'web.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', opts: { ttl: 3600 }, ns: ['cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 3600'] },
  {
    q: '_http._tcp.web.shop.svc.cluster.local. SRV', rcode: 'NOERROR', opts: { ttl: 30 },
    answer: ['_http._tcp.web.shop.svc.cluster.local. 30 IN SRV 0 100 80 web.shop.svc.cluster.local.'],
    extra: ['web.shop.svc.cluster.local. 30 IN A 10.96.0.20'],
  },
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: onlyShop, answer: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'] },
  { q: 'kube-dns.kube-system.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: onlyShop, note: 'namespace not in the namespaces list' },
  { q: 'kube-system.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: onlyShop },
  { q: 'shop.svc.cluster.local. A', rcode: 'NOERROR', opts: onlyShop },
  { q: 'nope.empty-ns.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'phantom.ghost.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: { namespaces: new Set(['ghost']) }, note: 'listed but not existing' },
  { q: 'empty-svc.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: ignoreEmpty, note: 'ignore empty_service' },
  { q: 'unnamed.shop.svc.cluster.local. SRV', rcode: 'NXDOMAIN', opts: ignoreEmpty },
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: ignoreEmpty, answer: ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20'], note: 'has endpoints' },
  {
    q: 'db.shop.svc.cluster.local. A', rcode: 'NOERROR', opts: ignoreEmpty, note: 'never applies to headless',
    answer: [
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.1',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.2',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.3',
      'db.shop.svc.cluster.local. 5 IN A 10.244.3.4',
    ],
  },
  { q: 'web.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: { ignoreEmptyService: true, noEndpoints: true }, note: 'noendpoints + ignore: nothing has endpoints' },
  { q: 'empty-headless.shop.svc.cluster.local. A', rcode: 'NXDOMAIN', opts: ignoreEmpty },
]);

// ------------------------------------------------------------------------------------------------
table('F.10 case echo', [
  { q: 'WeB.ShOp.svc.Cluster.Local. A', rcode: 'NOERROR', answer: ['WeB.ShOp.svc.Cluster.Local. 5 IN A 10.96.0.20'] },
  { q: 'WEB.SHOP.SVC.CLUSTER.LOCAL. A', rcode: 'NOERROR', answer: ['WEB.SHOP.SVC.CLUSTER.LOCAL. 5 IN A 10.96.0.20'] },
  {
    q: 'NoPe.ShOp.svc.Cluster.Local. A', rcode: 'NXDOMAIN',
    ns: ['Cluster.Local. 5 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local. 1700000000 7200 1800 86400 5'],
  },
  {
    q: 'WeB.ShOp.svc.Cluster.Local. AAAA', rcode: 'NOERROR',
    ns: ['Cluster.Local. 5 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local. 1700000000 7200 1800 86400 5'],
  },
  { q: 'Db-1.DB.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['Db-1.DB.shop.svc.cluster.local. 5 IN A 10.244.3.2', 'Db-1.DB.shop.svc.cluster.local. 5 IN A 10.244.3.4'] },
  { q: 'WEB-B.web.shop.svc.cluster.local. A', rcode: 'NOERROR', answer: ['WEB-B.web.shop.svc.cluster.local. 5 IN A 10.244.1.11'] },
  { q: 'FD00-244--2-1.dual.shop.svc.cluster.local. AAAA', rcode: 'NOERROR', answer: ['FD00-244--2-1.dual.shop.svc.cluster.local. 5 IN AAAA fd00:244::2:1'] },
  { q: 'ShOp.SVC.cluster.local. A', rcode: 'NOERROR' },
  { q: 'SVC.cluster.local. A', rcode: 'NOERROR' },
  { q: 'Kube-DNS.Kube-System.svc.cluster.local. A', rcode: 'NOERROR', answer: ['Kube-DNS.Kube-System.svc.cluster.local. 5 IN A 10.96.0.10'] },
]);

table('F.1 search-path candidates are NXDOMAIN', [
  { q: 'kubernetes.default.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'kubernetes.default.svc.cluster.local. A', rcode: 'NOERROR', answer: ['kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1'] },
  { q: 'kubernetes.default.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'www.google.com.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'www.google.com.shop.svc.cluster.local. AAAA', rcode: 'NXDOMAIN' },
  { q: 'www.google.com.svc.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'www.google.com.cluster.local. A', rcode: 'NXDOMAIN' },
  { q: 'google.com.shop.svc.cluster.local. A', rcode: 'NXDOMAIN' },
]);

table('caller errors', [
  { q: 'example.org. A', rcode: 'REFUSED', zone: 'cluster.local.', nameError: false, note: 'name outside the given zone' },
]);

describe('answer() shape', () => {
  it('keeps CNAME before the target records and reports the serial of the state', () => {
    const a = answer(STATE, { name: 'ext-in.shop.svc.cluster.local.', type: RRType.A, zone: 'cluster.local.' }, BASE);
    assert.deepEqual(a.answers.map((r) => r.type), [RRType.CNAME, RRType.A]);
    const n = answer(STATE, { name: 'nope.shop.svc.cluster.local.', type: RRType.A, zone: 'cluster.local.' }, BASE);
    const soaRR = n.authorities[0];
    assert.ok(soaRR !== undefined && soaRR.type === RRType.SOA);
    assert.equal((soaRR.data as { serial: number }).serial, FIXTURE_SERIAL);
  });
  it('SOA serial follows state.modified', () => {
    const wrapped: ClusterState = {
      synced: true, revision: 1, modified: 42,
      scope: (ns, negative) => STATE.scope(ns, negative),
      hasNamespace: (n) => STATE.hasNamespace(n),
      service: (ns, n) => STATE.service(ns, n),
      slicesOf: (ns, s) => STATE.slicesOf(ns, s),
      servicesByIP: (ip) => STATE.servicesByIP(ip),
      slicesByIP: (ip) => STATE.slicesByIP(ip),
      podsByIP: (ip) => STATE.podsByIP(ip),
      services: () => STATE.services(),
    };
    run({ q: 'cluster.local. SOA', rcode: 'NOERROR', state: wrapped, answer: ['cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5'], ns: [] });
  });
});
