import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Handler } from '../../core/handler.ts';
import { silentLogger } from '../../core/log.ts';
import { registry as metrics } from '../../core/metrics.ts';
import { Request, reply } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import { decodeMessage, encodeMessage } from '../../dns/message.ts';
import type { Message } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { testContext } from '../../testing/context.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { answerTo, startUpstream } from '../../testing/upstream.ts';
import type { Upstream } from '../../testing/upstream.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';
import { FilterAaaaHandler } from './filter.ts';
import { parseFilterAaaa, setupFilterAaaa } from './setup.ts';
import { exchange } from '../../testing/exchange.ts';

const directive = (text: string) => parseCorefile(`. {\n${text}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;

test('filter_aaaa: parse, good stanzas', () => {
  const cases: Array<[string, object]> = [
    ['filter_aaaa', { zones: ['.'], except: [], ttl: 300 }],
    ['filter_aaaa example.com Example.ORG', { zones: ['example.com.', 'example.org.'], except: [], ttl: 300 }],
    ['filter_aaaa {\nexcept ipv6.google.com Dual.Example.net.\nexcept more.example\nttl 30\n}', { zones: ['.'], except: ['ipv6.google.com.', 'dual.example.net.', 'more.example.'], ttl: 30 }],
    ['filter_aaaa {\nttl 0\n}', { zones: ['.'], except: [], ttl: 0 }],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseFilterAaaa(directive(text), ['.']), want, text);
});

test('filter_aaaa: parse, bad stanzas are errors at their line', () => {
  const cases: Array<[string, string]> = [
    ['filter_aaaa {\nexcept\n}', 'Corefile:3 - Error during setup: plugin/filter_aaaa: except needs at least one name'],
    ['filter_aaaa {\nttl\n}', 'Corefile:3 - Error during setup: plugin/filter_aaaa: ttl takes one argument, got 0'],
    ['filter_aaaa {\nttl 5 6\n}', 'Corefile:3 - Error during setup: plugin/filter_aaaa: ttl takes one argument, got 2'],
    ['filter_aaaa {\nttl 5s\n}', 'Corefile:3 - Error during setup: plugin/filter_aaaa: ttl must be an integer from 0 to 86400, got "5s"'],
    ['filter_aaaa {\nttl 86401\n}', 'Corefile:3 - Error during setup: plugin/filter_aaaa: ttl must be an integer from 0 to 86400, got "86401"'],
    ['filter_aaaa {\nfallthrough\n}', "Corefile:3 - Error during setup: plugin/filter_aaaa: unknown property 'fallthrough'"],
  ];
  for (const [text, msg] of cases) assert.throws(() => parseFilterAaaa(directive(text), ['.']), { message: msg }, text);
});

function request(name: string, type: number): Request {
  const msg: Message = {
    id: 9, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: '10.0.0.1', port: 1, family: 4 }, 'udp', 0, 'dns://:53');
}

test('filter_aaaa: AAAA in its zones and not excepted is NODATA with an SOA of the name asked; everything else goes on', async () => {
  const passed: string[] = [];
  const next: Handler = { name: 'forward', serveDNS(req, w) { passed.push(`${req.qname} ${req.qtype}`); w.write(reply(req), 'forward'); return Promise.resolve(); } };
  const h = new FilterAaaaHandler(next, parseFilterAaaa(directive('filter_aaaa example.com example.org {\nexcept v6.example.com\nttl 60\n}'), ['.']));
  const cases: Array<[string, number, boolean]> = [
    ['www.Example.com.', RRType.AAAA, true],
    ['example.org.', RRType.AAAA, true],
    ['www.example.com.', RRType.A, false],
    ['www.example.com.', RRType.ANY, false],
    ['www.example.net.', RRType.AAAA, false], // outside its zones
    ['v6.example.com.', RRType.AAAA, false], // excepted
    ['a.V6.example.com.', RRType.AAAA, false], // below an exception
    ['xv6.example.com.', RRType.AAAA, true], // not below it (label-wise)
  ];
  for (const [name, type, filteredHere] of cases) {
    passed.length = 0;
    const w = new Recorder();
    await h.serveDNS(request(name, type), w);
    assert.equal(w.writtenBy, filteredHere ? 'filter_aaaa' : 'forward', name);
    assert.equal(passed.length, filteredHere ? 0 : 1, name);
    if (!filteredHere) continue;
    const m = w.written!;
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.equal(m.aa, false);
    assert.equal(m.ra, true);
    assert.deepEqual(m.answers, []);
    assert.deepEqual(m.authorities.map(formatRR), [`${name} 60 IN SOA filter-aaaa.podns.invalid. hostmaster.podns.invalid. 1 7200 1800 86400 60`]);
    assert.deepEqual(w.cacheSource, { revision: 0 });
  }
});

test('filter_aaaa: the filtered counter counts what it answered, answer-cache replays included (by who answered)', async () => {
  const ctx = testContext();
  setupFilterAaaa(parseFilterAaaa(directive('filter_aaaa'), ['.']), ctx);
  const value = async (): Promise<number> => (await metrics.getSingleMetric('coredns_filter_aaaa_filtered_total')!.get()).values.find((v) => v.labels['server'] === 'dns://unit:53')?.value ?? 0;
  const before = await value();
  const event = (by: string | null) => ({ server: 'dns://unit:53', zone: '.', local: '::', client: { address: '10.0.0.1', port: 1, family: 4 as const }, transport: 'udp' as const, query: new Uint8Array(0), reply: null, by, start: 0n, durationNs: 0 });
  for (const by of ['filter_aaaa', 'forward', null, 'filter_aaaa']) for (const o of ctx.observers) o(event(by));
  assert.equal(await value(), before + 2);
});

// ---- end to end ---------------------------------------------------------------------------


const POD_IP = '127.0.0.6';

describe('filter_aaaa end to end', () => {
  let upstream: Upstream;
  let server: DnsServer;
  let port = 0;
  before(async () => {
    upstream = await startUpstream((q) => {
      const { name, type } = q.questions[0]!;
      const n = name.toLowerCase();
      if (n === 'example.com.' || n === 'ipv6.example.net.') {
        if (type === RRType.A) return answerTo(q, { answers: [rr(`${name} 300 IN A 93.184.215.14`)] });
        if (type === RRType.AAAA) return answerTo(q, { answers: [rr(`${name} 300 IN AAAA 2606:2800:21f:cb07:6820:80da:af6b:8b2c`)] });
      }
      return answerTo(q, { rcode: Rcode.NXDOMAIN });
    });
    const dir = mkdtempSync(join(tmpdir(), 'filter-aaaa-e2e-'));
    writeFileSync(join(dir, 'cluster.yaml'), `
apiVersion: v1
kind: Service
metadata: { name: dual, namespace: shop }
spec: { clusterIP: 10.96.0.30, clusterIPs: [10.96.0.30, "fd00:96::30"], ports: [{ name: http, port: 80 }], selector: { app: dual } }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: shop }
spec: { containers: [{ name: c, image: busybox }] }
status: { phase: Running, podIP: ${POD_IP}, podIPs: [{ ip: ${POD_IP} }] }
`);
    port = await freePort();
    const corefile = `
.:${port} {
    kubernetes cluster.local {
        pods verified
    }
    autopath @kubernetes
    filter_aaaa {
        except ipv6.example.net
        ttl 120
    }
    forward . ${upstream.address}
}
`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
      manifests: [dir], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });
  after(async () => {
    await server.stop();
    await upstream.close();
  });

  test('AAAA for an external name: NODATA with the SOA, from the server and then from its answer cache; never asked upstream', async () => {
    upstream.queries.length = 0;
    for (let i = 0; i < 3; i++) {
      const r = await dig(port, 'Example.com', 'AAAA');
      assert.equal(r.status, 'NOERROR');
      assert.deepEqual(r.answer, []);
      assert.deepEqual(r.authority, ['Example.com. 120 IN SOA filter-aaaa.podns.invalid. hostmaster.podns.invalid. 1 7200 1800 86400 120']);
      assert.ok(r.flags.includes('ra') && !r.flags.includes('aa'), r.flags.join(','));
    }
    assert.deepEqual(upstream.queries.map((q) => q.msg.questions[0]!.type), []);
    const a = await dig(port, 'example.com', 'A');
    assert.deepEqual(a.answer, ['example.com. 300 IN A 93.184.215.14']);
    assert.deepEqual(upstream.queries.map((q) => q.msg.questions[0]!.type), [RRType.A]);
  });

  test('cluster names and excepted names are not affected', async () => {
    const dual = await dig(port, 'dual.shop.svc.cluster.local', 'AAAA');
    assert.deepEqual(dual.answer, ['dual.shop.svc.cluster.local. 5 IN AAAA fd00:96::30']);
    const ex = await dig(port, 'ipv6.example.net', 'AAAA');
    assert.deepEqual(ex.answer, ['ipv6.example.net. 300 IN AAAA 2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
  });

  test('with autopath: a pod\'s AAAA walk ends where its A walk ends', async () => {
    const ask = async (name: string, type: number): Promise<Message> => {
      const out = await exchange(encodeMessage({
        id: 5, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
        questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
      }), port, '127.0.0.1', POD_IP);
      assert.ok(out !== null);
      return decodeMessage(out);
    };
    // Exists outside the cluster: A gets the CNAME and address, AAAA a NODATA for the name asked.
    const a = await ask('example.com.shop.svc.cluster.local.', RRType.A);
    assert.deepEqual(a.answers.map(formatRR), ['example.com.shop.svc.cluster.local. 300 IN CNAME example.com.', 'example.com. 300 IN A 93.184.215.14']);
    const aaaa = await ask('example.com.shop.svc.cluster.local.', RRType.AAAA);
    assert.equal(aaaa.rcode, Rcode.NOERROR);
    assert.deepEqual(aaaa.answers, []);
    // Exists nowhere: both NXDOMAIN (a filtered NODATA must not stop the AAAA walk).
    assert.equal((await ask('nope.shop.svc.cluster.local.', RRType.A)).rcode, Rcode.NXDOMAIN);
    assert.equal((await ask('nope.shop.svc.cluster.local.', RRType.AAAA)).rcode, Rcode.NXDOMAIN);
  });
});
