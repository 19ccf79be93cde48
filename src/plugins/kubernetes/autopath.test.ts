import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { Request } from '../../core/request.ts';
import type { Message } from '../../dns/types.ts';
import { ClusterStore } from '../../cluster/store.ts';
import type { ClusterObject } from '../../cluster/model.ts';
import { namespace, pod } from '../../testing/fixture.ts';
import { autoPather } from './autopath.ts';
import { parseResolvSearch } from '../../dns/resolvconf.ts';
import { parseKubernetes } from './setup.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8s-autopath-'));
const resolvConf = join(dir, 'resolv.conf');
writeFileSync(resolvConf, 'nameserver 10.0.0.2\nsearch ec2.internal Corp.Example.\noptions ndots:2\n');

function config(stanza: string, zones = 'cluster.local') {
  const d = parseCorefile(`${zones} {\n${stanza}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;
  return parseKubernetes(d, zones.split(' ').map((z) => (z === '.' ? '.' : `${z}.`)));
}

function req(name: string, client: string): Request {
  const msg: Message = {
    id: 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type: 1, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: client, port: 40000, family: client.includes(':') ? 6 : 4 }, 'udp');
}

const objects: ClusterObject[] = [
  namespace('shop'), namespace('infra'),
  pod('shop', 'web-1', ['10.244.1.10', 'fd00:244::1:a']),
  pod('shop', 'web-1-old', ['10.244.1.20']), pod('shop', 'web-1-new', ['10.244.1.20']), // same namespace: fine
  pod('shop', 'job-old', ['10.244.1.30']), pod('infra', 'tool', ['10.244.1.30']), // reused across namespaces
  pod('infra', 'node-agent', ['172.18.0.5'], true), // hostNetwork
];

test('kubernetes autopath: the search path of the pod behind the client IP', () => {
  const p = autoPather(ClusterStore.from(objects), config('kubernetes {\npods verified\n}'), { resolvConf });
  const shop = ['shop.svc.cluster.local.', 'svc.cluster.local.', 'cluster.local.', 'ec2.internal.', 'corp.example.', ''];
  const cases: Array<[string, string, readonly string[] | null]> = [
    ['x.shop.svc.cluster.local.', '10.244.1.10', shop],
    ['X.Shop.SVC.cluster.local.', '10.244.1.10', shop],
    ['x.shop.svc.cluster.local.', '::ffff:10.244.1.10', shop], // a dual-stack socket's view of an IPv4 client
    ['x.shop.svc.cluster.local.', 'fd00:244::1:a', shop],
    ['x.shop.svc.cluster.local.', '10.244.1.20', shop], // two pods, one namespace
    ['x.shop.svc.cluster.local.', '10.244.1.30', null], // pods of two namespaces hold the IP
    ['x.infra.svc.cluster.local.', '172.18.0.5', null], // hostNetwork
    ['x.shop.svc.cluster.local.', '10.9.9.9', null], // not a pod
    ['www.example.com.', '10.244.1.10', null], // not in the plugin's zones
  ];
  for (const [name, client, want] of cases) assert.deepEqual(p.searchPath(req(name, client)), want, `${name} from ${client}`);
});

test('kubernetes autopath: only with pods verified, and only once the state has synced', () => {
  for (const mode of ['disabled', 'insecure']) {
    const p = autoPather(ClusterStore.from(objects), config(`kubernetes {\npods ${mode}\n}`), { resolvConf });
    assert.equal(p.searchPath(req('x.shop.svc.cluster.local.', '10.244.1.10')), null, mode);
  }
  const store = new ClusterStore();
  store.replace(objects);
  const p = autoPather(store, config('kubernetes {\npods verified\n}'), { resolvConf });
  assert.equal(p.searchPath(req('x.shop.svc.cluster.local.', '10.244.1.10')), null, 'not synced yet');
  store.markSynced();
  assert.equal(p.searchPath(req('x.shop.svc.cluster.local.', '10.244.1.10'))?.[0], 'shop.svc.cluster.local.');
  // The pod goes away (or its IP moves): no path any more.
  store.remove(pod('shop', 'web-1', []));
  assert.equal(p.searchPath(req('x.shop.svc.cluster.local.', '10.244.1.10')), null);
});

test('kubernetes autopath: the zone matched is the one used; root zone; no resolv.conf', () => {
  const p = autoPather(ClusterStore.from(objects), config('kubernetes cluster.local example.org {\npods verified\n}'), { resolvConf: join(dir, 'missing') });
  assert.deepEqual(p.searchPath(req('a.shop.svc.example.org.', '10.244.1.10')), ['shop.svc.example.org.', 'svc.example.org.', 'example.org.', '']);
  const root = autoPather(ClusterStore.from(objects), config('kubernetes {\npods verified\n}', '.'), { resolvConf: join(dir, 'missing') });
  assert.deepEqual(root.searchPath(req('a.shop.svc.', '10.244.1.10')), ['shop.svc.', 'svc.', '.', '']);
  // The same array each time: no allocation per query.
  assert.equal(p.searchPath(req('a.shop.svc.example.org.', '10.244.1.10')), p.searchPath(req('b.shop.svc.example.org.', '10.244.1.10')));
});

test('kubernetes autopath: resolv.conf search lists', () => {
  assert.deepEqual(parseResolvSearch('search a.com b.com\nsearch C.com\n'), ['c.com.']);
  assert.deepEqual(parseResolvSearch('domain x.org\n'), ['x.org.']);
  assert.deepEqual(parseResolvSearch('nameserver 1.1.1.1\n'), []);
});
