/**
 * End to end: a real DnsServer serving examples/cluster with `kubernetes` and `transfer`, asked
 * for zone transfers by dig and kdig over TCP, and with raw sockets for UDP and a client that is
 * not allowed. The expected zone was written by hand from CoreDNS's xfr.go and the manifests.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { decodeMessage, encodeMessage } from '../../dns/message.ts';
import type { Message } from '../../dns/types.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { freePort, run, tempDir, writeFileSync } from '../../../test/integration/harness.ts';
import { join } from 'node:path';
import { rmSync } from 'node:fs';

const EXAMPLES = fileURLToPath(new URL('../../../examples/cluster', import.meta.url));

/** examples/cluster as xfr.go transfers it (SOA added by the test, with the served serial). */
const ZONE_BODY = [
  'api.shop.svc.cluster.local. 5 IN A 10.96.100.20',
  'api.shop.svc.cluster.local. 5 IN AAAA fd00:10:96::14',
  'api.shop.svc.cluster.local. 5 IN SRV 0 100 80 api.shop.svc.cluster.local.',
  '_http._tcp.api.shop.svc.cluster.local. 5 IN SRV 0 100 80 api.shop.svc.cluster.local.',
  'db.data.svc.cluster.local. 5 IN A 10.244.1.30',
  'db-0.db.data.svc.cluster.local. 5 IN A 10.244.1.30',
  '_postgres._tcp.db.data.svc.cluster.local. 5 IN SRV 0 50 5432 db-0.db.data.svc.cluster.local.',
  'db.data.svc.cluster.local. 5 IN A 10.244.2.31',
  'db-1.db.data.svc.cluster.local. 5 IN A 10.244.2.31',
  '_postgres._tcp.db.data.svc.cluster.local. 5 IN SRV 0 50 5432 db-1.db.data.svc.cluster.local.',
  'kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10',
  'kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
  '_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
  'kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
  '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
  'kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 9153 kube-dns.kube-system.svc.cluster.local.',
  '_metrics._tcp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 9153 kube-dns.kube-system.svc.cluster.local.',
  'kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1',
  'kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 443 kubernetes.default.svc.cluster.local.',
  '_https._tcp.kubernetes.default.svc.cluster.local. 5 IN SRV 0 100 443 kubernetes.default.svc.cluster.local.',
  'payments.shop.svc.cluster.local. 5 IN CNAME api.stripe.com.',
  'warehouse.data.svc.cluster.local. 5 IN A 192.168.10.5',
  'primary.warehouse.data.svc.cluster.local. 5 IN A 192.168.10.5',
  '_postgres._tcp.warehouse.data.svc.cluster.local. 5 IN SRV 0 100 5432 primary.warehouse.data.svc.cluster.local.',
  'web.shop.svc.cluster.local. 5 IN A 10.96.100.10',
  'web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.',
  '_http._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.shop.svc.cluster.local.',
  'web.shop.svc.cluster.local. 5 IN SRV 0 100 443 web.shop.svc.cluster.local.',
  '_https._tcp.web.shop.svc.cluster.local. 5 IN SRV 0 100 443 web.shop.svc.cluster.local.',
];

const soaLine = (serial: number): string => `cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${serial} 7200 1800 86400 5`;

/** Record lines of dig/kdig `+noall +answer` output, whitespace normalised. */
function recordLines(out: string): string[] {
  return out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).map((l) => l.trim().split(/\s+/).join(' '));
}

function query(name: string, type: number, id = 4242, authorities: Message['authorities'] = []): Uint8Array {
  return encodeMessage({
    id, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: RRClass.IN }], answers: [], authorities, additionals: [], edns: null,
  });
}

function udpExchange(port: number, q: Uint8Array): Promise<Message> {
  const sock = createSocket('udp4');
  return new Promise<Message>((resolve, reject) => {
    const timer = setTimeout(() => { sock.close(); reject(new Error('udp timeout')); }, 2000);
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve(decodeMessage(m)); });
    sock.send(q, port, '127.0.0.1');
  });
}

/** Sends one query over TCP and collects messages until the connection goes quiet (or two SOAs / an error rcode). */
function tcpTransfer(port: number, q: Uint8Array): Promise<Message[]> {
  return new Promise<Message[]>((resolve, reject) => {
    const msgs: Message[] = [];
    let buf = Buffer.alloc(0);
    let soas = 0;
    const sock = connect(port, '127.0.0.1');
    const done = (): void => { clearTimeout(timer); sock.destroy(); resolve(msgs); };
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`tcp timeout after ${msgs.length} messages`)); }, 3000);
    sock.on('connect', () => {
      const frame = Buffer.alloc(q.length + 2);
      frame.writeUInt16BE(q.length, 0);
      frame.set(q, 2);
      sock.write(frame);
    });
    sock.on('error', reject);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const m = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        msgs.push(m);
        soas += m.answers.filter((r) => r.type === RRType.SOA).length;
        if (m.rcode !== Rcode.NOERROR || soas >= 2 || (soas === 1 && m.answers.length === 1 && msgs.length === 1 && m.questions[0]?.type === RRType.IXFR)) { done(); return; }
      }
    });
  });
}

describe('transfer end to end (examples/cluster)', () => {
  let server: DnsServer;
  let open: number;
  let closed: number;
  let serial = 0;

  before(async () => {
    open = await freePort();
    closed = await freePort();
    const corefile = `
cluster.local:${open} {
    kubernetes
    transfer {
        to 127.0.0.0/8
    }
}
cluster.local:${closed} {
    kubernetes
    transfer {
        to 192.0.2.1 10.0.0.0/8
    }
}
`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
      manifests: [EXAMPLES], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
    const soa = await udpExchange(open, query('cluster.local.', RRType.SOA));
    const rr = soa.answers[0];
    assert.ok(rr !== undefined && rr.type === RRType.SOA && !(rr.data instanceof Uint8Array));
    serial = (rr.data as { serial: number }).serial;
    assert.ok(serial > 0);
  });

  after(async () => { await server.stop(); });

  it('dig AXFR over TCP: the whole zone, SOA first and last', async () => {
    const out = await run('dig', ['@127.0.0.1', '-p', String(open), '+time=3', '+tries=1', '+nocookie', '+noall', '+answer', 'cluster.local', 'AXFR']);
    assert.deepEqual(recordLines(out), [soaLine(serial), ...ZONE_BODY, soaLine(serial)]);
  });

  it('kdig AXFR: the same zone', async () => {
    const out = await run('kdig', ['@127.0.0.1', '-p', String(open), '+time=3', '+retry=0', '+noall', '+answer', 'cluster.local', 'AXFR']);
    assert.deepEqual(recordLines(out), [soaLine(serial), ...ZONE_BODY, soaLine(serial)]);
  });

  it('dig IXFR with the served serial: just the SOA; with an older one: the whole zone', async () => {
    const same = await run('dig', ['@127.0.0.1', '-p', String(open), '+time=3', '+tries=1', '+nocookie', '+noall', '+answer', 'cluster.local', `IXFR=${serial}`]);
    assert.deepEqual(recordLines(same), [soaLine(serial)]);
    const older = await run('dig', ['@127.0.0.1', '-p', String(open), '+time=3', '+tries=1', '+nocookie', '+noall', '+answer', 'cluster.local', `IXFR=${serial - 1}`]);
    assert.deepEqual(recordLines(older), [soaLine(serial), ...ZONE_BODY, soaLine(serial)]);
  });

  it('raw TCP: one authoritative message carrying the question', async () => {
    const msgs = await tcpTransfer(open, query('cluster.local.', RRType.AXFR, 777));
    assert.equal(msgs.length, 1);
    const m = msgs[0]!;
    assert.equal(m.id, 777);
    assert.equal(m.aa, true);
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.deepEqual(m.questions, [{ name: 'cluster.local.', type: RRType.AXFR, class: RRClass.IN }]);
    assert.equal(m.answers.length, ZONE_BODY.length + 2);
  });

  it('AXFR over UDP: REFUSED', async () => {
    const m = await udpExchange(open, query('cluster.local.', RRType.AXFR, 99));
    assert.equal(m.id, 99);
    assert.equal(m.rcode, Rcode.REFUSED);
    assert.deepEqual(m.answers, []);
  });

  it('a client outside `to`: REFUSED (dig reports the failed transfer)', async () => {
    const msgs = await tcpTransfer(closed, query('cluster.local.', RRType.AXFR));
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.rcode, Rcode.REFUSED);
    assert.deepEqual(msgs[0]!.answers, []);
    const out = await run('dig', ['@127.0.0.1', '-p', String(closed), '+time=3', '+tries=1', '+nocookie', 'cluster.local', 'AXFR']);
    assert.match(out, /Transfer failed/);
  });

  it('queries other than transfers are answered as before', async () => {
    const m = await udpExchange(closed, query('web.shop.svc.cluster.local.', RRType.A));
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.deepEqual(m.answers.map((r) => r.data), ['10.96.100.10']);
  });
});

describe('transfer end to end: a zone larger than one message', () => {
  it('kdig receives every envelope, in order', async () => {
    const dir = tempDir();
    const items = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } }];
    for (let i = 0; i < 400; i++) {
      items.push({
        apiVersion: 'v1', kind: 'Service', metadata: { name: `s${String(i).padStart(3, '0')}`, namespace: 'big' },
        spec: { clusterIP: `10.97.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      } as never);
    }
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const port = await freePort();
    const server = DnsServer.create(parseCorefile(`cluster.local:${port} {\n kubernetes\n transfer {\n  to *\n }\n}\n`, { file: 'Corefile' }), {
      manifests: [dir], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
    try {
      const out = await run('kdig', ['@127.0.0.1', '-p', String(port), '+time=3', '+retry=0', 'cluster.local', 'AXFR']);
      // 400 services × (A, bare SRV, _http._tcp SRV) + 2 SOA = 1202 records: 501 + 501 + 200.
      assert.match(out, /Received \d+ B \(3 messages, 1202 records\)/);
      const lines = recordLines(out);
      assert.equal(lines.length, 1202);
      assert.match(lines[0]!, / IN SOA /);
      assert.equal(lines[1], 's000.big.svc.cluster.local. 5 IN A 10.97.0.0');
      assert.equal(lines[1198], 's399.big.svc.cluster.local. 5 IN A 10.97.1.143');
      assert.equal(lines[1201], lines[0]);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
