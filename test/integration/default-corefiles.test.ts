// The Corefiles operators actually run, on podns unchanged: kubeadm's default and NodeLocal
// DNSCache's. Only what cannot be used on a test machine is substituted, and said here:
// listen ports (53 → a free port; DNS on 127.0.0.1), HTTP listeners (health, ready, prometheus →
// 127.0.0.1 on a free port, through DnsServer's httpAddress option), `/etc/resolv.conf` → a
// resolv.conf naming a scripted upstream on 127.0.0.153:53 (resolv.conf has no port syntax), and
// NodeLocal DNSCache's __PILLAR__ placeholders, filled as its node-cache wrapper would.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../src/corefile/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { RRType } from '../../src/dns/types.ts';
import { DnsServer } from '../../src/server/server.ts';
import { kubeadmCorefile } from '../../src/cli/default-corefile.ts';
import { rr } from '../../src/testing/rr.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import type { Upstream } from '../../src/testing/upstream.ts';
import { ROOT, dig, digAt, freePort, tempDir } from './harness.ts';

const EXAMPLES = join(ROOT, 'examples/cluster');

function start(text: string, file: string): DnsServer {
  return DnsServer.create(parseCorefile(text, { file }), {
    manifests: [EXAMPLES], log: silentLogger, defaultBind: ['127.0.0.1'],
    httpAddress: () => '127.0.0.1:0', onFatal: (m) => { throw new Error(`fatal: ${m}`); },
  });
}

async function get(server: DnsServer, address: string, path: string): Promise<{ status: number; body: string }> {
  const a = server.httpAddresses().get(address);
  assert.ok(a !== undefined, `no HTTP listener for ${address}`);
  const r = await fetch(`http://127.0.0.1:${a.port}${path}`);
  return { status: r.status, body: await r.text() };
}

describe("kubeadm's default Corefile and NodeLocal DNSCache's, unchanged", () => {
  let upstream: Upstream;
  let kubeadm: DnsServer;
  let nodelocal: DnsServer;
  let kubeadmPort: number;
  let nodelocalPort: number;
  before(async () => {
    upstream = await startUpstream((q) => {
      const name = q.questions[0]!.name;
      if (q.questions[0]!.type === RRType.A && name.toLowerCase() === 'example.com.') {
        return answerTo(q, { answers: [rr('example.com. 300 IN A 93.184.215.14')] });
      }
      return answerTo(q, { rcode: 3, authorities: [rr('. 300 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400')] });
    }, 53, '127.0.0.153');
    const dir = tempDir();
    const resolv = join(dir, 'resolv.conf');
    writeFileSync(resolv, 'nameserver 127.0.0.153\noptions ndots:1\n');
    kubeadmPort = await freePort();
    const kubeadmText = kubeadmCorefile.replace('.:53 {', `.:${kubeadmPort} {`).replace('/etc/resolv.conf', resolv);
    kubeadm = start(kubeadmText, 'kubeadm/Corefile');
    await kubeadm.start();

    nodelocalPort = await freePort();
    const pillars: Record<string, string> = {
      __PILLAR__DNS__DOMAIN__: 'cluster.local',
      __PILLAR__LOCAL__DNS__: '127.0.0.1',
      __PILLAR__DNS__SERVER__: '127.0.0.2',
      __PILLAR__CLUSTER__DNS__: `127.0.0.1:${kubeadmPort}`,
      __PILLAR__UPSTREAM__SERVERS__: upstream.address,
    };
    let text = NODELOCAL_COREFILE.replaceAll(':53 {', `:${nodelocalPort} {`);
    for (const [k, v] of Object.entries(pillars)) text = text.replaceAll(k, v);
    nodelocal = start(text, 'node-local-dns/Corefile');
    await nodelocal.start();
  });
  after(async () => {
    await nodelocal?.stop();
    await kubeadm?.stop();
    await upstream?.close();
  });

  test('kubeadm: cluster names, forwarded names with a cache, health, ready, metrics', async () => {
    const web = await dig(kubeadmPort, 'web.shop.svc.cluster.local', 'A');
    assert.equal(web.status, 'NOERROR');
    assert.deepEqual(web.answer, ['web.shop.svc.cluster.local. 30 IN A 10.96.100.10']);
    const asked = (): number => upstream.queries.filter((q) => q.msg.questions[0]!.name.toLowerCase() === 'example.com.').length;
    const before = asked();
    const ext = await dig(kubeadmPort, 'example.com', 'A');
    assert.equal(ext.status, 'NOERROR');
    assert.match(ext.answer[0] ?? '', /^example\.com\. \d+ IN A 93\.184\.215\.14$/);
    assert.ok(Number(ext.answer[0]!.split(' ')[1]) <= 30, 'cache 30 caps the TTL');
    const again = await dig(kubeadmPort, 'example.com', 'A');
    assert.equal(again.answer.length, 1);
    assert.equal(asked() - before, 1, 'the second lookup came from the cache');
    assert.deepEqual(await get(kubeadm, ':8080', '/health'), { status: 200, body: 'OK' });
    assert.equal((await get(kubeadm, ':8181', '/ready')).status, 200);
    const metrics = (await get(kubeadm, ':9153', '/metrics')).body;
    assert.match(metrics, /coredns_dns_requests_total\{[^}]*server="dns:\/\/:\d+"[^}]*\} \d+/);
    assert.match(metrics, /coredns_cache_hits_total\{/);
    assert.match(metrics, /coredns_proxy_request_duration_seconds_count\{[^}]*proxy_name="forward"/);
  });

  test('NodeLocal DNSCache: cluster names over TCP to the cluster DNS, external names upstream, both addresses', async () => {
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const r = await digAt(host, nodelocalPort, 'web.shop.svc.cluster.local', 'A');
      assert.equal(r.status, 'NOERROR', host);
      assert.deepEqual(r.answer.map((l) => l.replace(/ \d+ IN /, ' IN ')), ['web.shop.svc.cluster.local. IN A 10.96.100.10']);
    }
    const ptr = await dig(nodelocalPort, '-x', '10.96.100.10');
    assert.equal(ptr.status, 'NOERROR');
    assert.match(ptr.answer[0] ?? '', /PTR web\.shop\.svc\.cluster\.local\.$/);
    const ext = await dig(nodelocalPort, 'example.com', 'A');
    assert.match(ext.answer[0] ?? '', /IN A 93\.184\.215\.14$/);
    const cluster = (await get(kubeadm, ':9153', '/metrics')).body;
    assert.match(cluster, /coredns_dns_requests_total\{[^}]*proto="tcp"[^}]*\} [1-9]/, 'force_tcp reached the cluster DNS over TCP');
    assert.equal((await get(nodelocal, '127.0.0.1:8080', '/health')).status, 200);
    assert.match((await get(nodelocal, ':9253', '/metrics')).body, /coredns_dns_requests_total/);
  });
});

/** kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml, ConfigMap node-local-dns. */
const NODELOCAL_COREFILE = readFileSync(join(ROOT, 'test/fixtures/corefiles/nodelocaldns.Corefile'), 'utf8');
