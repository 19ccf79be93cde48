// End to end: a real DnsServer on 127.0.0.1 with kubernetes (pods verified), autopath @kubernetes
// and a forward to a scripted upstream, queried over real UDP sockets from a pod's IP. On Linux
// the whole of 127/8 is local, so a client socket bound to 127.0.0.5 is "the pod at 127.0.0.5".
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { decodeMessage, encodeMessage } from '../../dns/message.ts';
import type { Message } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { answerTo, startUpstream } from '../../testing/upstream.ts';
import type { Upstream } from '../../testing/upstream.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { exchange } from '../../testing/exchange.ts';

const POD_IP = '127.0.0.5';

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: shop }
spec: { containers: [{ name: c, image: busybox }] }
status: { phase: Running, podIP: ${POD_IP}, podIPs: [{ ip: ${POD_IP} }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { type: ClusterIP, clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20], ports: [{ name: http, port: 80 }], selector: { app: web } }
`;


function query(name: string, type: number): Uint8Array {
  const m: Message = {
    id: 99, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return encodeMessage(m);
}

/** A DnsServer on 127.0.0.1 over the manifests in `dir`, and its UDP port. */
async function serve(corefile: string, dir: string): Promise<{ server: DnsServer; port: number }> {
  const server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
    manifests: [dir], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
  });
  await server.start();
  return { server, port: server.addresses().find((a) => a.transport === 'udp')!.port };
}

describe('autopath end to end', () => {
  let upstream: Upstream;
  let server: DnsServer;
  let port = 0;

  before(async () => {
    upstream = await startUpstream((q) => {
      const name = q.questions[0]!.name.toLowerCase();
      if (name === 'example.com.' && q.questions[0]!.type === RRType.A) {
        return answerTo(q, { answers: [rr('example.com. 300 IN A 93.184.215.14'), rr('example.com. 300 IN A 93.184.215.15')] });
      }
      if (name === 'example.com.') return answerTo(q, { authorities: [rr('example.com. 300 IN SOA ns.icann.org. noc.dns.icann.org. 1 7200 3600 1209600 3600')] });
      return answerTo(q, { rcode: Rcode.NXDOMAIN });
    });
    const dir = mkdtempSync(join(tmpdir(), 'autopath-e2e-'));
    writeFileSync(join(dir, 'cluster.yaml'), MANIFEST);
    const corefile = `
.:0 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods verified
        fallthrough in-addr.arpa ip6.arpa
    }
    autopath @kubernetes
    forward . ${upstream.address}
}
`;
    ({ server, port } = await serve(corefile, dir));
  });
  after(async () => {
    await server.stop();
    await upstream.close();
  });

  const ask = async (name: string, type: number, from: string): Promise<Message> => {
    const out = await exchange(query(name, type), port, '127.0.0.1', from);
    assert.ok(out !== null, `no reply to ${name} from ${from}`);
    return decodeMessage(out);
  };

  test('a ClusterFirst pod looking up an external name: one round trip, CNAME to the name and its addresses', async () => {
    upstream.queries.length = 0;
    const m = await ask('example.com.shop.svc.cluster.local.', RRType.A, POD_IP);
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.deepEqual(m.questions, [{ name: 'example.com.shop.svc.cluster.local.', type: RRType.A, class: 1 }]);
    assert.deepEqual(m.answers.map(formatRR), [
      'example.com.shop.svc.cluster.local. 300 IN CNAME example.com.',
      'example.com. 300 IN A 93.184.215.14',
      'example.com. 300 IN A 93.184.215.15',
    ]);
    // The cluster steps never left the server; the last thing asked upstream was the name itself.
    const asked = upstream.queries.map((q) => q.msg.questions[0]!.name);
    assert.equal(asked.at(-1), 'example.com.');
    assert.ok(asked.every((n) => !n.endsWith('cluster.local.')), asked.join(' '));
  });

  test('AAAA of a name that has none: NODATA for the name asked (the walk stops there too)', async () => {
    const m = await ask('example.com.shop.svc.cluster.local.', RRType.AAAA, POD_IP);
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.deepEqual(m.answers, []);
    assert.equal(m.questions[0]!.name, 'example.com.shop.svc.cluster.local.');
  });

  test('cluster names are answered as asked; a non-pod client gets no autopath', async () => {
    const web = await ask('web.shop.svc.cluster.local.', RRType.A, POD_IP);
    assert.deepEqual(web.answers.map(formatRR), ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20']);
    const other = await ask('example.com.shop.svc.cluster.local.', RRType.A, '127.0.0.1');
    assert.equal(other.rcode, Rcode.NXDOMAIN);
    assert.deepEqual(other.answers, []);
  });

  test('answer cache: the same bytes from a non-pod (NXDOMAIN) and then from the pod still get autopath, and vice versa', async () => {
    const name = 'example.com.shop.svc.cluster.local.';
    for (let round = 0; round < 2; round++) {
      const outside = await ask(name, RRType.A, '127.0.0.1');
      assert.equal(outside.rcode, Rcode.NXDOMAIN, `round ${round}: non-pod`);
      const inside = await ask(name, RRType.A, POD_IP);
      assert.equal(inside.rcode, Rcode.NOERROR, `round ${round}: pod`);
      assert.equal(inside.answers[0]!.type, RRType.CNAME);
      const outsideAgain = await ask(name, RRType.A, '127.0.0.1');
      assert.equal(outsideAgain.rcode, Rcode.NXDOMAIN, `round ${round}: non-pod after the pod`);
    }
  });
});

// With `cache`, a pod's autopath replies are replayed from the answer cache: per namespace, and
// only while the pods and every step are unchanged.
describe('autopath end to end, replayed from the answer cache', () => {
  const SHOP = '127.0.0.5';
  const WEB = '127.0.0.6';
  const pod = (name: string, ns: string, ip: string): string => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns} }
spec: { containers: [{ name: c, image: busybox }] }
status: { phase: Running, podIP: ${ip}, podIPs: [{ ip: ${ip} }] }
`;
  let upstream: Upstream;
  let server: DnsServer;
  let port = 0;
  let dir = '';

  before(async () => {
    upstream = await startUpstream((q) => {
      const name = q.questions[0]!.name.toLowerCase();
      if (name === 'example.com.' && q.questions[0]!.type === RRType.A) return answerTo(q, { answers: [rr('example.com. 300 IN A 93.184.215.14')] });
      return answerTo(q, { rcode: Rcode.NXDOMAIN, authorities: [rr('com. 300 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 300')] });
    });
    dir = mkdtempSync(join(tmpdir(), 'autopath-cache-'));
    writeFileSync(join(dir, 'pods.yaml'), `${pod('a', 'shop', SHOP)}---\n${pod('b', 'web', WEB)}`);
    const corefile = `
.:0 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods verified
    }
    autopath @kubernetes
    forward . ${upstream.address}
    cache 30
}
`;
    ({ server, port } = await serve(corefile, dir));
  });
  after(async () => {
    await server.stop();
    await upstream.close();
  });

  const ask = async (name: string, from: string): Promise<Message> => {
    const out = await exchange(query(name, RRType.A), port, '127.0.0.1', from);
    assert.ok(out !== null, `no reply to ${name} from ${from}`);
    return decodeMessage(out);
  };
  const cname = (m: Message): string[] => m.answers.filter((a) => a.type === RRType.CNAME).map(formatRR);

  test('each pod gets the walk of its own namespace, however often the other asked first', async () => {
    for (let round = 0; round < 3; round++) {
      const shop = await ask('example.com.shop.svc.cluster.local.', SHOP);
      assert.deepEqual([shop.rcode, shop.answers.at(-1)?.type], [Rcode.NOERROR, RRType.A], `round ${round}`);
      assert.match(cname(shop)[0] ?? '', /^example\.com\.shop\.svc\.cluster\.local\. \d+ IN CNAME example\.com\.$/);
      // The same bytes from a pod of another namespace: not under its search path, no autopath.
      const web = await ask('example.com.shop.svc.cluster.local.', WEB);
      assert.equal(web.rcode, Rcode.NXDOMAIN, `round ${round}: web asking shop's name`);
      const own = await ask('example.com.web.svc.cluster.local.', WEB);
      assert.equal(cname(own).length, 1, `round ${round}: web's own name`);
    }
    // Replays carry the forwarded answer's TTL as the cache counts it down.
    const ttl = (await ask('example.com.shop.svc.cluster.local.', SHOP)).answers.at(-1)!.ttl;
    assert.ok(ttl <= 30 && ttl > 20, String(ttl)); // cache 30 caps it
  });

  test('a pod gone: its address gets no autopath from the next reply on', async () => {
    assert.equal((await ask('example.com.shop.svc.cluster.local.', SHOP)).rcode, Rcode.NOERROR);
    writeFileSync(join(dir, 'pods.yaml'), pod('b', 'web', WEB));
    const deadline = Date.now() + 5000;
    for (;;) {
      const m = await ask('example.com.shop.svc.cluster.local.', SHOP);
      if (m.rcode === Rcode.NXDOMAIN) break;
      assert.ok(Date.now() < deadline, 'still autopathed 5 s after the pod was removed');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(cname(await ask('example.com.web.svc.cluster.local.', WEB)).length, 1, 'the other pod still is');
  });
});
