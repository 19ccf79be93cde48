// prometheus end to end: a real DnsServer on 127.0.0.1, queried with dig over UDP and TCP, its
// /metrics scraped over HTTP. A test-only plugin answers and marks its reply cacheable, so the
// repeated query is answered from the server's answer cache without reaching the chain.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { plugins } from '../registry.ts';
import { DnsServer } from '../../server/server.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';
import { testAnswerer } from '../../testing/answerer.ts';

const answerer = testAnswerer();

describe('prometheus: /metrics of a running server', () => {
  let server: DnsServer;
  let port: number;
  before(async () => {
    port = await freePort();
    const text = `example.org:${port} {\n  bind 127.0.0.1\n  prometheus :9153\n  answerer\n}\n`;
    server = DnsServer.create(parseCorefile(text, { file: 'Corefile' }), {
      manifests: [], log: silentLogger, httpAddress: () => '127.0.0.1:0',
      plugins: new Map([...plugins, ['answerer', answerer.definition]]),
    });
    await server.start();
  });
  after(async () => { await server.stop(); });

  async function scrape(): Promise<string> {
    const a = server.httpAddresses().get(':9153');
    assert.ok(a !== undefined);
    const r = await fetch(`http://127.0.0.1:${a.port}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return r.text();
  }

  function count(text: string, line: string): number {
    const m = text.split('\n').find((l) => l.startsWith(`${line} `));
    return m === undefined ? 0 : Number(m.slice(m.lastIndexOf(' ') + 1));
  }

  test('requests and responses move with the right labels, answer-cache hits included', async () => {
    const labels = `server="dns://127.0.0.1:${port}",zone="example.org.",view=""`;
    const req = (proto: string, type: string): string => `coredns_dns_requests_total{${labels},proto="${proto}",family="1",type="${type}"}`;
    const resp = `coredns_dns_responses_total{${labels},rcode="NOERROR",plugin="answerer"}`;
    const before = await scrape();
    const calls = answerer.calls;

    const first = await dig(port, 'www.example.org', 'A');
    assert.equal(first.status, 'NOERROR');
    const second = await dig(port, 'www.example.org', 'A');
    assert.deepEqual(second.answer, first.answer);
    assert.equal(answerer.calls - calls, 1, 'the repeated query came from the answer cache');
    await dig(port, '+tcp', 'www.example.org', 'TXT');
    await dig(port, 'www.example.org', 'NAPTR');

    const after = await scrape();
    assert.equal(count(after, req('udp', 'A')) - count(before, req('udp', 'A')), 2);
    assert.equal(count(after, req('tcp', 'TXT')) - count(before, req('tcp', 'TXT')), 1);
    assert.equal(count(after, req('udp', 'other')) - count(before, req('udp', 'other')), 1);
    assert.equal(count(after, resp) - count(before, resp), 4);
    assert.equal(count(after, `coredns_dns_request_duration_seconds_count{${labels}}`) - count(before, `coredns_dns_request_duration_seconds_count{${labels}}`), 4);
    assert.equal(count(after, `coredns_dns_response_size_bytes_count{${labels},proto="tcp"}`) - count(before, `coredns_dns_response_size_bytes_count{${labels},proto="tcp"}`), 1);
    // Every plugin of the block that handles queries; bind (setup only) is not one.
    const enabled = (name: string): number => count(after, `coredns_plugin_enabled{server="dns://127.0.0.1:${port}",zone="example.org.",view="",name="${name}"}`);
    assert.deepEqual(['prometheus', 'answerer', 'bind'].map(enabled), [1, 1, 0]);
  });

  test('a query outside the block is REFUSED by the server and counted under the zone "dropped"', async () => {
    const labels = `server="dns://127.0.0.1:${port}",zone="dropped",view=""`;
    const req = `coredns_dns_requests_total{${labels},proto="udp",family="1",type="A"}`;
    const resp = `coredns_dns_responses_total{${labels},rcode="REFUSED",plugin=""}`;
    const before = await scrape();
    const r = await dig(port, 'www.example.com', 'A');
    assert.equal(r.status, 'REFUSED');
    const after = await scrape();
    assert.doesNotMatch(after, /zone="(www\.)?example\.com\."/);
    assert.equal(count(after, req) - count(before, req), 1);
    assert.equal(count(after, resp) - count(before, resp), 1);
  });
});

describe('prometheus: several blocks on one address share one endpoint', () => {
  test('both blocks are counted on the one /metrics', async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    const text = `a.test:${p1} {\n  prometheus :9153\n  answerer\n}\nb.test:${p2} {\n  prometheus :9153\n  answerer\n}\n`;
    const server = DnsServer.create(parseCorefile(text, { file: 'Corefile' }), {
      manifests: [], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
      plugins: new Map([...plugins, ['answerer', answerer.definition]]),
    });
    await server.start();
    try {
      await dig(p1, 'x.a.test', 'A');
      await dig(p2, 'x.b.test', 'A');
      const a = server.httpAddresses().get(':9153')!;
      const body = await (await fetch(`http://127.0.0.1:${a.port}/metrics`)).text();
      assert.match(body, new RegExp(`coredns_dns_requests_total\\{server="dns://:${p1}",zone="a.test.",[^}]*\\} 1`));
      assert.match(body, new RegExp(`coredns_dns_requests_total\\{server="dns://:${p2}",zone="b.test.",[^}]*\\} 1`));
    } finally {
      await server.stop();
    }
  });

  test('prometheus twice in one block is refused', () => {
    const text = '. {\n  prometheus :9153\n  prometheus :9154\n}\n';
    assert.throws(() => DnsServer.create(parseCorefile(text, { file: 'Corefile' }), { manifests: [], log: silentLogger }),
      { message: 'Corefile:3 - Error during setup: plugin/prometheus: this plugin can only be used once per Server Block' });
  });
});
