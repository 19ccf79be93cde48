// log end to end: a real DnsServer on 127.0.0.1 queried with dig; every query is logged, the one
// answered from the server's answer cache too, in CoreDNS's format through the server's logger.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { plugins } from '../registry.ts';
import { DnsServer } from '../../server/server.ts';
import { capturingLogger } from '../../testing/context.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';
import { testAnswerer } from '../../testing/answerer.ts';

const answerer = testAnswerer();

describe('log: a running server', () => {
  const lines: string[] = [];
  let server: DnsServer;
  let port: number;
  before(async () => {
    port = await freePort();
    const text = `example.org:${port} {\n  log\n  answerer\n}\nexample.net:${port} {\n  log . {\n    class denial\n    format json\n  }\n  answerer\n}\n`;
    server = DnsServer.create(parseCorefile(text, { file: 'Corefile' }), {
      manifests: [], log: capturingLogger(lines), defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
      plugins: new Map([...plugins, ['answerer', answerer.definition]]),
    });
    await server.start();
  });
  after(async () => {
    await server.stop();
  });

  test('one common-format line per query, answer-cache hits included', async () => {
    const calls = answerer.calls;
    await dig(port, 'WWW.example.org', 'A');
    await dig(port, 'WWW.example.org', 'A');
    await dig(port, '+tcp', 'nx.example.org', 'AAAA');
    assert.equal(answerer.calls - calls, 2, 'the repeated query came from the answer cache');
    const logged = lines.filter((l) => l.startsWith('[INFO] 127.0.0.1:'));
    assert.equal(logged.length, 3);
    const udp = /^\[INFO\] 127\.0\.0\.1:\d+ - \d+ "A IN www\.example\.org\. udp \d+ false 1232" NOERROR qr,aa,rd \d+ \d+\.\d+s$/;
    assert.match(logged[0]!, udp);
    assert.match(logged[1]!, udp);
    assert.match(logged[2]!, /^\[INFO\] 127\.0\.0\.1:\d+ - \d+ "AAAA IN nx\.example\.org\. tcp \d+ false 65535" NXDOMAIN qr,rd \d+ \d+\.\d+s$/);
  });

  test('format json and class denial: only denials, as JSON lines', async () => {
    await dig(port, 'www.example.net', 'A');
    await dig(port, 'nx.example.net', 'A');
    const json = lines.filter((l) => l.startsWith('{'));
    assert.equal(json.length, 1);
    const o = JSON.parse(json[0]!) as Record<string, unknown>;
    assert.equal(o.qname, 'nx.example.net.');
    assert.equal(o.rcode, 'NXDOMAIN');
    assert.equal(o.zone, 'example.net.');
    assert.equal(o.client_ip, '127.0.0.1');
    assert.equal(typeof o.duration_seconds, 'number');
  });
});
