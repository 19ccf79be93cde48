// End to end: a real DnsServer on 127.0.0.1 with `cache` in front of the real `forward` plugin
// and a scripted upstream (src/testing/upstream.ts), queried with dig over UDP; and `cache` in
// front of `kubernetes`, whose answers must never be cached by the cache plugin (a Service
// created after an NXDOMAIN resolves as soon as the cluster state has it).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { answerTo, startUpstream } from '../../testing/upstream.ts';
import type { Upstream } from '../../testing/upstream.ts';
import { rr } from '../../testing/rr.ts';
import { dig, eventually, freePort } from '../../../test/integration/harness.ts';
import { cacheEntries, cacheHits, cacheRequests } from './metrics.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/cluster', import.meta.url));
const SOA = 'example.org. 300 IN SOA ns.example.org. host.example.org. 1 7200 1800 86400 60';

async function metric(m: typeof cacheHits | typeof cacheEntries, labels: Record<string, string>): Promise<number> {
  const v = (await m.get()).values.find((x) => Object.entries(labels).every(([k, l]) => (x.labels as Record<string, unknown>)[k] === l));
  return v?.value ?? 0;
}

describe('cache in front of forward', () => {
  let upstream: Upstream;
  let server: DnsServer;
  let port = 0;
  before(async () => {
    upstream = await startUpstream((q) => {
      const name = q.questions[0]!.name.toLowerCase();
      if (name.startsWith('nx.')) return answerTo(q, { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA)] });
      return answerTo(q, { answers: [rr(`${q.questions[0]!.name} 300 IN A 192.0.2.1`)] });
    });
    port = await freePort();
    const corefile = `.:${port} {\n    cache 30\n    forward . ${upstream.address}\n}\n`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), { manifests: [], log: silentLogger, defaultBind: ['127.0.0.1'] });
    await server.start();
  });
  after(async () => {
    await server.stop();
    await upstream.close();
  });

  test('answers are stored once, clamped to the cache TTL, and count down', async () => {
    const first = await dig(port, 'www.example.org', 'A');
    assert.equal(first.status, 'NOERROR');
    assert.deepEqual(first.answer, ['www.example.org. 30 IN A 192.0.2.1'], 'TTL 300 clamped to `cache 30`');
    const second = await dig(port, 'WWW.example.ORG', 'A');
    assert.deepEqual(second.answer, ['www.example.org. 30 IN A 192.0.2.1'], 'from the cache: records as stored');
    assert.equal(upstream.queries.length, 1, 'one upstream query');
    assert.ok(!second.flags.includes('aa'), 'a forwarded answer stays non-authoritative from the cache');
    await new Promise((r) => setTimeout(r, 1100));
    const later = await dig(port, 'www.example.org', 'A');
    assert.match(later.answer[0]!, /^www\.example\.org\. (28|29) IN A 192\.0\.2\.1$/);
    assert.equal(upstream.queries.length, 1);
    const labels = { server: `dns://:${port}`, zones: '.', view: '' };
    assert.equal(await metric(cacheHits, { ...labels, type: 'success' }), 2);
    assert.equal(await metric(cacheEntries, { ...labels, type: 'success' }), 1);
  });

  test('repeated hits (replayed by the server as bytes) are counted as hits, count down, and end with the entry', async () => {
    const labels = { server: `dns://:${port}`, zones: '.', view: '' };
    const hits = await metric(cacheHits, { ...labels, type: 'success' });
    const before = upstream.queries.length;
    const first = await dig(port, 'replay.example.org', 'A');
    assert.deepEqual(first.answer, ['replay.example.org. 30 IN A 192.0.2.1']);
    for (let i = 0; i < 5; i++) assert.deepEqual((await dig(port, 'replay.example.org', 'A')).answer, ['replay.example.org. 30 IN A 192.0.2.1']);
    assert.equal(await metric(cacheHits, { ...labels, type: 'success' }), hits + 5, 'every replay is a hit');
    await new Promise((r) => setTimeout(r, 1100));
    assert.match((await dig(port, 'replay.example.org', 'A')).answer[0]!, /^replay\.example\.org\. (28|29) IN A 192\.0\.2\.1$/);
    assert.match((await dig(port, 'replay.example.org', 'A')).answer[0]!, /^replay\.example\.org\. (28|29) IN A 192\.0\.2\.1$/);
    assert.equal(upstream.queries.length, before + 1);
  });

  test('NXDOMAIN with SOA is stored in the denial cache; DO is part of the key', async () => {
    const before = upstream.queries.length;
    const a = await dig(port, 'nx.example.org', 'A');
    const b = await dig(port, 'nx.example.org', 'A');
    assert.equal(a.status, 'NXDOMAIN');
    assert.equal(b.status, 'NXDOMAIN');
    assert.deepEqual(b.authority, ['example.org. 30 IN SOA ns.example.org. host.example.org. 1 7200 1800 86400 60']);
    assert.equal(upstream.queries.length, before + 1);
    await dig(port, 'nx.example.org', 'A', '+dnssec');
    assert.equal(upstream.queries.length, before + 2, 'DO=1 is another key');
    assert.equal(upstream.queries.at(-1)!.msg.edns?.do, true);
  });
});

describe('cache in front of kubernetes', () => {
  let dir: string;
  let upstream: Upstream;
  let server: DnsServer;
  let port = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podns-cache-'));
    cpSync(EXAMPLES, dir, { recursive: true });
    upstream = await startUpstream((q) => answerTo(q, { answers: [rr(`${q.questions[0]!.name} 300 IN A 192.0.2.1`)] }));
    port = await freePort();
    const corefile = `.:${port} {\n    cache 30\n    kubernetes cluster.local\n    forward . ${upstream.address}\n}\n`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), { manifests: [dir], log: silentLogger, defaultBind: ['127.0.0.1'] });
    await server.start();
  });
  after(async () => {
    await server.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('cluster answers pass through; a new Service resolves right after an NXDOMAIN', async () => {
    const web = await dig(port, 'web.shop.svc.cluster.local', 'A');
    assert.deepEqual(web.answer, ['web.shop.svc.cluster.local. 5 IN A 10.96.100.10'], 'the kubernetes TTL, not rewritten');
    assert.ok(web.flags.includes('aa'));
    const missing = await dig(port, 'late.shop.svc.cluster.local', 'A');
    assert.equal(missing.status, 'NXDOMAIN');
    const labels = { server: `dns://:${port}`, zones: '.', view: '' };
    assert.equal(await metric(cacheEntries, { ...labels, type: 'denial' }), 0, 'the NXDOMAIN was not stored');
    writeFileSync(join(dir, 'late.yaml'), [
      'apiVersion: v1', 'kind: Service', 'metadata: { name: late, namespace: shop }',
      'spec: { type: ClusterIP, clusterIP: 10.96.100.99, clusterIPs: [10.96.100.99], ports: [{ name: http, port: 80 }] }', '',
    ].join('\n'));
    await eventually(async () => (await dig(port, 'late.shop.svc.cluster.local', 'A')).status === 'NOERROR', 3000);
    // Forwarded names are still cached.
    await dig(port, 'www.example.com', 'A');
    await dig(port, 'www.example.com', 'A');
    assert.equal(upstream.queries.length, 1);
    assert.ok(await metric(cacheRequests, labels) >= 3);
  });
});
