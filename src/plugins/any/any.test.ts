import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../corefile/index.ts';
import type { Handler } from '../../core/handler.ts';
import { silentLogger } from '../../core/log.ts';
import { Request, reply } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Message } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { testContext } from '../../testing/context.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';
import { AnyHandler, anyPlugin, parseAny } from './index.ts';

const directive = (text: string) => parseCorefile(`. {\n${text}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;

function request(name: string, type: number): Request {
  const msg: Message = {
    id: 3, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: '10.0.0.1', port: 1, family: 4 }, 'udp');
}

test('any: parse', () => {
  assert.equal(parseAny(directive('any')), null);
  assert.throws(() => parseAny(directive('any foo')), { message: "Corefile:2 - Error during setup: plugin/any: Wrong argument count or unexpected line ending after 'foo'" });
  assert.throws(() => parseAny(directive('any {\nbar\n}')), { message: "Corefile:2 - Error during setup: plugin/any: unknown property 'bar'" });
  assert.ok(anyPlugin.setup(null, testContext()) !== null);
});

test('any: ANY gets one HINFO for the name asked, cacheable; other types go on', async () => {
  const passed: string[] = [];
  const next: Handler = { name: 'next', serveDNS(req, w) { passed.push(req.qname); w.write(reply(req, { rcode: Rcode.NXDOMAIN }), 'next'); return Promise.resolve(); } };
  const h = new AnyHandler(next);
  const w = new Recorder();
  await h.serveDNS(request('Example.ORG.', RRType.ANY), w);
  const m = w.written!;
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.equal(m.aa, false);
  assert.equal(m.answers.length, 1);
  const hinfo = m.answers[0]!;
  assert.equal(hinfo.name, 'Example.ORG.');
  assert.equal(hinfo.type, RRType.HINFO);
  assert.equal(hinfo.ttl, 8482);
  assert.deepEqual(Buffer.from(hinfo.data as Uint8Array).toString('latin1'), '\x0dANY obsoleted\x0cSee RFC 8482');
  assert.equal(w.writtenBy, 'any');
  assert.deepEqual(w.cacheSource, { revision: 0 });
  assert.deepEqual(passed, []);

  for (const type of [RRType.A, RRType.AAAA, RRType.TXT, RRType.HINFO]) {
    const w2 = new Recorder();
    await h.serveDNS(request('example.org.', type), w2);
    assert.equal(w2.writtenBy, 'next');
  }
  assert.equal(passed.length, 4);
});

describe('any end to end', () => {
  let server: DnsServer;
  let port = 0;
  before(async () => {
    const manifests = fileURLToPath(new URL('../../../examples/cluster', import.meta.url));
    port = await freePort();
    server = DnsServer.create(parseCorefile(`cluster.local:${port} {\n    any\n    kubernetes\n}\n`, { file: 'Corefile' }), {
      manifests: [join(manifests)], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });
  after(async () => { await server.stop(); });

  test('dig ANY twice (the second from the answer cache) and A, over UDP and TCP', async () => {
    for (const proto of ['+notcp', '+tcp', '+notcp']) {
      const r = await dig(port, proto, 'Web.shop.svc.cluster.local', 'ANY');
      assert.equal(r.status, 'NOERROR');
      assert.deepEqual(r.answer, ['Web.shop.svc.cluster.local. 8482 IN HINFO "ANY obsoleted" "See RFC 8482"']);
      assert.ok(!r.flags.includes('aa'));
    }
    const a = await dig(port, 'web.shop.svc.cluster.local', 'A');
    assert.deepEqual(a.answer, ['web.shop.svc.cluster.local. 5 IN A 10.96.100.10']);
  });
});
