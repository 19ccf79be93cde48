// Bad input on the wire, against the real `podns serve` over loopback sockets: each malformed
// message is answered as the RFCs and CoreDNS (miekg/dns) answer it — FORMERR, NOTIMP, REFUSED,
// BADVERS — or dropped; an error reply is never larger than the query it answers; and the server
// keeps answering good queries after every one of them, over UDP and TCP.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Rcode } from '../../src/dns/types.ts';
import { rawHeader } from '../../src/testing/wire.ts';
import { ROOT, dig, startPodns } from './harness.ts';
import type { Running } from './harness.ts';

const COREFILE = `
cluster.local:{PORT} {
    bind 127.0.0.1
    kubernetes cluster.local {
        pods insecure
    }
}
`;

/** A 12-octet header: ID 0x4242, the given flags and section counts. */
const header = (o: { flags?: number; qd?: number; an?: number; ns?: number; ar?: number } = {}): Buffer => rawHeader({ id: 0x4242, ...o });

/** A name as wire labels (no compression). */
function name(text: string): Buffer {
  const parts = text.split('.').filter((l) => l !== '');
  return Buffer.concat([...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const question = (qname: string, type = 1, klass = 1): Buffer => Buffer.concat([name(qname), u16(type), u16(klass)]);
/** An OPT record: root owner, UDP size 1232, the given version and option bytes. */
const opt = (o: { version?: number; options?: Buffer; owner?: Buffer } = {}): Buffer => {
  const rdata = o.options ?? Buffer.alloc(0);
  const ttl = Buffer.alloc(4);
  ttl[1] = o.version ?? 0;
  return Buffer.concat([o.owner ?? Buffer.from([0]), u16(41), u16(1232), ttl, u16(rdata.length), rdata]);
};

const WEB = 'web.shop.svc.cluster.local';

type Expect = 'drop' | { rcode: number; extended?: number };

/** Each case: the bytes, and what must come back over UDP. */
const CASES: Array<[string, Buffer, Expect]> = [
  ['empty datagram', Buffer.alloc(0), 'drop'],
  ['11 octets: shorter than a header', header().subarray(0, 11), 'drop'],
  ['a response (QR set)', Buffer.concat([header({ flags: 0x8100 }), question(WEB)]), 'drop'],
  ['header only, QDCOUNT 1 and no question', header(), { rcode: Rcode.FORMERR }],
  ['question cut in its name', Buffer.concat([header(), question(WEB).subarray(0, 9)]), { rcode: Rcode.FORMERR }],
  ['question cut in its type and class', Buffer.concat([header(), question(WEB).subarray(0, -2)]), { rcode: Rcode.FORMERR }],
  ['name that is a compression pointer to itself', Buffer.concat([header(), Buffer.from([0xc0, 12]), u16(1), u16(1)]), { rcode: Rcode.FORMERR }],
  ['compression pointer past the end', Buffer.concat([header(), Buffer.from([0xc0, 0xff]), u16(1), u16(1)]), { rcode: Rcode.FORMERR }],
  ['compression pointer into the header', Buffer.concat([header(), Buffer.from([0xc0, 2]), u16(1), u16(1)]), { rcode: Rcode.FORMERR }],
  ['label of 64 octets', Buffer.concat([header(), Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0]), u16(1), u16(1)]), { rcode: Rcode.FORMERR }],
  ['extended label type 0x40', Buffer.concat([header(), Buffer.from([0x41, 0x00, 0]), u16(1), u16(1)]), { rcode: Rcode.FORMERR }],
  ['name of 256 octets', Buffer.concat([header(), ...Array.from({ length: 4 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])), Buffer.from([0]), u16(1), u16(1)]), { rcode: Rcode.FORMERR }],
  ['QDCOUNT 0', header({ qd: 0 }), { rcode: Rcode.FORMERR }],
  ['QDCOUNT 2', Buffer.concat([header({ qd: 2 }), question(WEB), question(WEB)]), { rcode: Rcode.FORMERR }],
  ['ANCOUNT 2', Buffer.concat([header({ an: 2 }), question(WEB)]), { rcode: Rcode.FORMERR }],
  ['ARCOUNT 1 and no record', Buffer.concat([header({ ar: 1 }), question(WEB)]), { rcode: Rcode.FORMERR }],
  ['a record whose RDLENGTH runs past the end', Buffer.concat([header({ ar: 1 }), question(WEB), Buffer.from([0]), u16(1), u16(1), Buffer.alloc(4), u16(200), Buffer.alloc(4)]), { rcode: Rcode.FORMERR }],
  ['two OPT records (RFC 6891 §6.1.1)', Buffer.concat([header({ ar: 2 }), question(WEB), opt(), opt()]), { rcode: Rcode.FORMERR }],
  ['an EDNS option whose length runs past the OPT', Buffer.concat([header({ ar: 1 }), question(WEB), opt({ options: Buffer.concat([u16(10), u16(40), Buffer.alloc(8)]) })]), { rcode: Rcode.FORMERR }],
  ['EDNS version 1 (RFC 6891 §6.1.3)', Buffer.concat([header({ ar: 1 }), question(WEB), opt({ version: 1 })]), { rcode: 0, extended: Rcode.BADVERS }],
  ['opcode STATUS', Buffer.concat([header({ flags: 0x0100 | (2 << 11) }), question(WEB)]), { rcode: Rcode.NOTIMP }],
  ['opcode 15 (unassigned)', Buffer.concat([header({ flags: 0x0100 | (15 << 11) }), question(WEB)]), { rcode: Rcode.NOTIMP }],
  ['class CHAOS, not served here', Buffer.concat([header(), question(WEB, 1, 3)]), { rcode: Rcode.REFUSED }],
  ['class 42 (unassigned)', Buffer.concat([header(), question(WEB, 1, 42)]), { rcode: Rcode.REFUSED }],
  ['type 65280 (private use) of a service: NODATA', Buffer.concat([header(), question(WEB, 65280)]), { rcode: Rcode.NOERROR }],
  ['an unknown EDNS option is ignored', Buffer.concat([header({ ar: 1 }), question(WEB), opt({ options: Buffer.concat([u16(65001), u16(3), Buffer.from('abc')]) })]), { rcode: Rcode.NOERROR }],
];

function udpExchange(port: number, bytes: Uint8Array, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(bytes, port, '127.0.0.1');
  });
}

/** Writes `chunks` on one TCP connection; resolves with every reply frame and whether the server closed it. */
function tcpSession(port: number, chunks: readonly Uint8Array[], waitMs: number): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const replies: Buffer[] = [];
    let closed = false;
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; });
    sock.on('connect', () => { for (const c of chunks) sock.write(c); });
    setTimeout(() => { sock.destroy(); resolve({ replies, closed }); }, waitMs);
  });
}

const frame = (m: Uint8Array): Buffer => Buffer.concat([u16(m.length), m]);

describe('bad input on the wire', () => {
  let server: Running;

  before(async () => {
    server = await startPodns(COREFILE, [join(ROOT, 'examples/cluster')]);
  });
  after(async () => { await server.stop(); });

  const stillServing = async (): Promise<void> => {
    assert.equal((await dig(server.port, '+tries=1', '+time=2', WEB, 'A')).status, 'NOERROR');
  };

  for (const [what, bytes, expect] of CASES) {
    test(`UDP: ${what}`, async () => {
      const reply = await udpExchange(server.port, bytes, expect === 'drop' ? 300 : 2000);
      if (expect === 'drop') {
        assert.equal(reply, null, 'no reply');
      } else {
        assert.ok(reply !== null, 'a reply');
        assert.equal(reply.readUInt16BE(0), 0x4242, 'the query\'s ID');
        assert.equal(reply[2]! & 0x80, 0x80, 'QR');
        assert.equal(reply[3]! & 0x0f, expect.rcode, `rcode ${reply[3]! & 0x0f}`);
        if (expect.extended !== undefined) {
          // The OPT record's TTL field carries the upper 8 bits of the extended rcode.
          const optAt = reply.length - 11;
          assert.equal(reply.readUInt16BE(optAt + 1), 41, 'an OPT record at the end');
          assert.equal((reply[optAt + 5]! << 4) | (reply[3]! & 0x0f), expect.extended);
        }
        if (expect.rcode !== Rcode.NOERROR) assert.ok(reply.length <= bytes.length, `${reply.length} octets back for ${bytes.length}`);
      }
      await stillServing();
    });
  }

  test('TCP: a malformed query gets FORMERR and the connection stays usable', async () => {
    const good = Buffer.concat([header(), question(WEB)]);
    const { replies, closed } = await tcpSession(server.port, [frame(Buffer.concat([header(), Buffer.from([0xc0, 12]), u16(1), u16(1)])), frame(good)], 500);
    assert.deepEqual(replies.map((r) => r[3]! & 0x0f), [Rcode.FORMERR, Rcode.NOERROR]);
    assert.equal(closed, false);
  });

  test('TCP: a zero-length frame or a response closes the connection (RFC 7766 leaves it to the server)', async () => {
    for (const bad of [Buffer.alloc(0), Buffer.concat([header({ flags: 0x8100 }), question(WEB)])]) {
      const { replies, closed } = await tcpSession(server.port, [frame(bad)], 500);
      assert.deepEqual([replies.length, closed], [0, true], `${bad.length} octets`);
    }
    await stillServing();
  });

  test('TCP: a length prefix that promises more than ever comes, garbage, and a half frame do not disturb other clients', async () => {
    const sessions = [
      tcpSession(server.port, [u16(0xffff), Buffer.alloc(100, 0x55)], 300),
      tcpSession(server.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], 300),
      tcpSession(server.port, [Buffer.from([0x00])], 300),
    ];
    await stillServing();
    const results = await Promise.all(sessions);
    for (const r of results) assert.equal(r.replies.length, 0);
    await stillServing();
  });
});
