// End to end: the real `podns serve` process on a loopback port, queried with dig and kdig over
// UDP and TCP, and with raw sockets for what no client sends on purpose.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { cpSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HEAP_FLAGS } from '../../src/cli/heap.ts';
import { decodeMessage, encodeMessage } from '../../src/dns/message.ts';
import type { Message } from '../../src/dns/types.ts';
import { RRType, Rcode } from '../../src/dns/types.ts';
import { ROOT, dig, eventually, run, startPodns, tempDir, writeFileSync } from './harness.ts';
import type { Running } from './harness.ts';

const COREFILE = `
cluster.local:{PORT} in-addr.arpa:{PORT} ip6.arpa:{PORT} {
    bind 127.0.0.1
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        ttl 30
    }
}
`;

function query(name: string, type: number, extra: Partial<Message> = {}): Message {
  return {
    id: 4242, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null, ...extra,
  };
}

function udpExchange(port: number, bytes: Uint8Array, timeoutMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(bytes, port, '127.0.0.1');
  });
}

describe('podns serve, queried by real clients', () => {
  let server: Running;
  let dir: string;
  before(async () => {
    dir = tempDir();
    cpSync(join(ROOT, 'examples/cluster'), join(dir, 'cluster'), { recursive: true });
    server = await startPodns(COREFILE, [join(dir, 'cluster')]);
  });
  after(async () => { await server.stop(); });

  test('ClusterIP A over UDP and TCP, authoritative, no recursion offered', async () => {
    for (const proto of ['+notcp', '+tcp']) {
      const r = await dig(server.port, proto, 'web.shop.svc.cluster.local', 'A');
      assert.equal(r.status, 'NOERROR');
      assert.deepEqual(r.flags, ['qr', 'aa', 'rd']);
      assert.deepEqual(r.answer, ['web.shop.svc.cluster.local. 30 IN A 10.96.100.10']);
    }
  });

  test('the server restarted itself in place with the heap flags (same PID)', () => {
    const argv = readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0');
    for (const flag of HEAP_FLAGS) assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
    assert.ok(argv.includes('serve'));
  });

  test('NXDOMAIN and NODATA carry the zone SOA', async () => {
    const nx = await dig(server.port, 'nope.shop.svc.cluster.local', 'A');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.equal(nx.answer.length, 0);
    assert.match(nx.authority[0] ?? '', /^cluster\.local\. 30 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
    const nodata = await dig(server.port, 'web.shop.svc.cluster.local', 'AAAA');
    assert.equal(nodata.status, 'NOERROR');
    assert.equal(nodata.answer.length, 0);
    assert.equal(nodata.authority.length, 1);
  });

  test('headless A, per-endpoint names and SRV with the additional section', async () => {
    const a = await dig(server.port, 'db.data.svc.cluster.local', 'A');
    assert.deepEqual([...a.answer].sort(), ['db.data.svc.cluster.local. 30 IN A 10.244.1.30', 'db.data.svc.cluster.local. 30 IN A 10.244.2.31']);
    const srv = await dig(server.port, '+tcp', '_postgres._tcp.db.data.svc.cluster.local', 'SRV');
    assert.deepEqual([...srv.answer].sort(), [
      '_postgres._tcp.db.data.svc.cluster.local. 30 IN SRV 0 50 5432 db-0.db.data.svc.cluster.local.',
      '_postgres._tcp.db.data.svc.cluster.local. 30 IN SRV 0 50 5432 db-1.db.data.svc.cluster.local.',
    ]);
    assert.deepEqual([...srv.additional].sort(), ['db-0.db.data.svc.cluster.local. 30 IN A 10.244.1.30', 'db-1.db.data.svc.cluster.local. 30 IN A 10.244.2.31']);
  });

  test('ExternalName CNAME, PTR of a ClusterIP, pod record, dns-version', async () => {
    assert.deepEqual((await dig(server.port, 'payments.shop.svc.cluster.local', 'CNAME')).answer, ['payments.shop.svc.cluster.local. 30 IN CNAME api.stripe.com.']);
    assert.deepEqual((await dig(server.port, '-x', '10.96.100.10')).answer, ['10.100.96.10.in-addr.arpa. 30 IN PTR web.shop.svc.cluster.local.']);
    assert.deepEqual((await dig(server.port, '10-244-1-10.shop.pod.cluster.local', 'A')).answer, ['10-244-1-10.shop.pod.cluster.local. 30 IN A 10.244.1.10']);
    assert.deepEqual((await dig(server.port, 'dns-version.cluster.local', 'TXT')).answer, ['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
  });

  test('answers echo the query spelling; lookups ignore case', async () => {
    const r = await dig(server.port, 'WeB.ShOp.SVC.Cluster.Local', 'A');
    assert.deepEqual(r.answer, ['WeB.ShOp.SVC.Cluster.Local. 30 IN A 10.96.100.10']);
    const nx = await dig(server.port, 'NoPe.ShOp.svc.CLUSTER.local', 'A');
    assert.match(nx.authority[0] ?? '', /^CLUSTER\.local\. 30 IN SOA ns\.dns\.CLUSTER\.local\. hostmaster\.CLUSTER\.local\. /);
  });

  test('outside every served zone: REFUSED', async () => {
    const r = await dig(server.port, 'example.com', 'A');
    assert.equal(r.status, 'REFUSED');
  });

  test('EDNS: OPT in the reply, DO echoed, the client UDP size echoed', async () => {
    const r = await dig(server.port, '+dnssec', '+bufsize=1400', 'web.shop.svc.cluster.local', 'A');
    assert.match(r.opt.join('\n'), /EDNS: version: 0, flags: do; udp: 1400/);
    const plain = await dig(server.port, '+noedns', 'web.shop.svc.cluster.local', 'A');
    assert.equal(plain.opt.length, 0);
  });

  test('kdig agrees over UDP and TCP', async () => {
    for (const proto of ['+notcp', '+tcp']) {
      const out = await run('kdig', ['@127.0.0.1', '-p', String(server.port), proto, '+short', 'api.shop.svc.cluster.local', 'AAAA']);
      assert.equal(out.trim(), 'fd00:10:96::14');
    }
  });

  test('malformed packets get FORMERR, other opcodes NOTIMP, responses are ignored', async () => {
    const good = encodeMessage(query('web.shop.svc.cluster.local.', RRType.A));
    const cut = good.subarray(0, good.length - 3);
    const formerr = await udpExchange(server.port, cut);
    assert.ok(formerr !== null);
    assert.equal(formerr[3]! & 0x0f, Rcode.FORMERR);
    assert.equal(formerr.readUInt16BE(0), 4242);
    const status = await udpExchange(server.port, encodeMessage(query('web.shop.svc.cluster.local.', RRType.A, { opcode: 2 })));
    assert.ok(status !== null);
    assert.equal(status[3]! & 0x0f, Rcode.NOTIMP);
    const response = encodeMessage(query('web.shop.svc.cluster.local.', RRType.A, { qr: true }));
    assert.equal(await udpExchange(server.port, response, 500), null);
    // …and the server is still answering.
    assert.equal((await dig(server.port, 'web.shop.svc.cluster.local', 'A')).status, 'NOERROR');
  });

  test('over 512 bytes without EDNS: TC over UDP, the full answer over TCP', async () => {
    // 40 endpoints with long hostnames do not fit in 512 bytes.
    const endpoints = Array.from({ length: 40 }, (_, i) => `  - addresses: ["10.244.9.${i + 1}"]\n    hostname: replica-with-a-long-name-${i}`).join('\n');
    writeFileSync(join(dir, 'cluster', 'big.yaml'), `apiVersion: v1
kind: Service
metadata: {name: big, namespace: data}
spec: {clusterIP: None, ports: [{name: tcp, port: 9000}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: big-1, namespace: data, labels: {kubernetes.io/service-name: big}}
addressType: IPv4
ports: [{name: tcp, port: 9000, protocol: TCP}]
endpoints:
${endpoints}
`);
    await eventually(async () => (await dig(server.port, '+tcp', 'big.data.svc.cluster.local', 'A')).answer.length === 40, 3000);
    const udp = await dig(server.port, '+noedns', '+ignore', '_tcp._tcp.big.data.svc.cluster.local', 'SRV');
    assert.ok(udp.flags.includes('tc'), `flags ${udp.flags.join(' ')}`);
    const raw = await udpExchange(server.port, encodeMessage(query('_tcp._tcp.big.data.svc.cluster.local.', RRType.SRV)));
    assert.ok(raw !== null && raw.length <= 512, `UDP reply of ${raw?.length} bytes`);
    const tcp = await dig(server.port, '+tcp', '_tcp._tcp.big.data.svc.cluster.local', 'SRV');
    assert.equal(tcp.answer.length, 40);
    assert.ok(!tcp.flags.includes('tc'));
  });

  test('several queries pipelined on one TCP connection are all answered', async () => {
    const names = ['web.shop.svc.cluster.local.', 'nope.shop.svc.cluster.local.', 'db.data.svc.cluster.local.', 'api.shop.svc.cluster.local.'];
    const frames = names.map((n, i) => {
      const b = encodeMessage({ ...query(n, RRType.A), id: 100 + i });
      const f = Buffer.alloc(b.length + 2);
      f.writeUInt16BE(b.length, 0);
      f.set(b, 2);
      return f;
    });
    const replies = await new Promise<Message[]>((resolve, reject) => {
      const sock = connect(server.port, '127.0.0.1', () => sock.write(Buffer.concat(frames)));
      let buf = Buffer.alloc(0);
      const got: Message[] = [];
      sock.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
          const len = buf.readUInt16BE(0);
          got.push(decodeMessage(buf.subarray(2, len + 2)));
          buf = buf.subarray(len + 2);
        }
        if (got.length === names.length) { sock.end(); resolve(got); }
      });
      sock.on('error', reject);
      setTimeout(() => reject(new Error(`only ${got.length} replies`)), 3000);
    });
    const byId = new Map(replies.map((m) => [m.id, m]));
    assert.equal(byId.get(100)?.rcode, Rcode.NOERROR);
    assert.equal(byId.get(101)?.rcode, Rcode.NXDOMAIN);
    assert.equal(byId.get(102)?.answers.length, 2);
    assert.equal(byId.get(103)?.answers.length, 1);
  });

  test('an edited manifest changes the answer within a second; a broken edit keeps the last good objects', async () => {
    const file = join(dir, 'cluster', 'shop.yaml');
    const original = readFileSync(file, 'utf8');
    assert.ok(original.includes('10.96.100.10'));
    writeFileSync(file, original.replaceAll('10.96.100.10', '10.96.100.99'));
    const ms = await eventually(async () => (await dig(server.port, 'web.shop.svc.cluster.local', 'A')).answer[0]?.endsWith('10.96.100.99') === true, 1000, 20);
    assert.ok(ms <= 1000);
    writeFileSync(file, original.replaceAll('10.96.100.10', '10.96.100.99') + '\n---\nkind: Service\napiVersion: v1\nmetadata: {name: [broken\n');
    await server.waitForLog(/shop\.yaml: document \d+: /, 3000);
    const still = await dig(server.port, 'web.shop.svc.cluster.local', 'A');
    assert.deepEqual(still.answer, ['web.shop.svc.cluster.local. 30 IN A 10.96.100.99']);
  });
});

describe('podns serve: bad configuration', () => {
  test('an unknown directive is an error with file and line, exit status 1', async () => {
    const dir = tempDir();
    const conf = join(dir, 'Corefile');
    writeFileSync(conf, '.:1053 {\n    bind 127.0.0.1\n    frobnicate\n}\n');
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      import('node:child_process').then(({ execFile }) => {
        execFile(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'serve', '--conf', conf, '--manifests', join(ROOT, 'examples/cluster')], (e, _o, err) => {
          resolve({ code: e === null ? 0 : (e.code as number), err });
        });
      });
    });
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`${conf.replaceAll('/', '\\/')}:3 - Error during setup: Unknown directive 'frobnicate'`));
  });
});
