// The batched UDP listener (udp-batch.ts, native/udp.c) against real sockets: what the handler
// sees of each client, every form of reply, replies in progress mixed with immediate ones in one
// batch, datagrams of any size, a batch whose replies overflow the send area, and bind errors.
// listen.test.ts runs the listeners' load and close tests on this path too.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import type { Address } from '../core/request.ts';
import { silentLogger } from '../core/log.ts';
import type { Logger } from '../core/log.ts';
import type { Listener, QueryHandler } from './reply.ts';
import { SharedReply } from './reply.ts';
import { listenUdp } from './listen.ts';
import { ADDON_PATH } from '../core/native.ts';
import { batchUdp, listenUdpBatched } from './udp-batch.ts';

test('the batched path is there where it is built, and CI builds it (PODNS_REQUIRE_NATIVE=1)', () => {
  if (process.env.PODNS_REQUIRE_NATIVE === '1') assert.ok(existsSync(ADDON_PATH), `${ADDON_PATH}: not built`);
  if (process.platform === 'linux' && existsSync(ADDON_PATH) && process.env.PODNS_UDP !== 'dgram') {
    assert.equal(batchUdp.available, true, batchUdp.reason);
  }
});

const skip = batchUdp.available ? false : `batched UDP unavailable: ${batchUdp.reason}`;

/** A client socket that collects every datagram it gets. */
async function client(type: 'udp4' | 'udp6' = 'udp4', from: string = type === 'udp4' ? '127.0.0.1' : '::1'): Promise<{ sock: UdpSocket; port: number; got: Buffer[]; until: (n: number, ms?: number) => Promise<Buffer[]> }> {
  const sock = createSocket(type);
  const got: Buffer[] = [];
  let waiter: (() => void) | null = null;
  sock.on('message', (m) => { got.push(m); waiter?.(); });
  await new Promise<void>((res) => sock.bind(0, from, () => res()));
  sock.setRecvBufferSize(8 * 1024 * 1024);
  const until = (n: number, ms = 3000): Promise<Buffer[]> => new Promise((resolve) => {
    const timer = setTimeout(() => { waiter = null; resolve(got); }, ms);
    waiter = () => { if (got.length >= n) { clearTimeout(timer); waiter = null; resolve(got); } };
    waiter();
  });
  return { sock, port: sock.address().port, got, until };
}

/** A 12-byte header with this ID followed by `extra` bytes of value 7. */
function datagram(id: number, extra = 28): Buffer {
  const b = Buffer.alloc(12 + extra, 7);
  b.writeUInt16BE(id, 0);
  return b;
}

describe('batched UDP listener', { skip }, () => {
  const open: Listener[] = [];
  const socks: UdpSocket[] = [];
  after(async () => {
    for (const l of open) await l.close();
    for (const s of socks) s.close();
  });
  async function listen(host: string, onQuery: QueryHandler, log: Logger = silentLogger): Promise<Listener> {
    const l = await listenUdpBatched(host, 0, onQuery, log, true);
    open.push(l);
    return l;
  }

  // The default bind is "::" (dual-stack): IPv4 clients show as ::ffff:a.b.c.d, family 6, on both paths.
  for (const [host, type] of [['127.0.0.1', 'udp4'], ['::1', 'udp6'], ['::', 'udp4'], ['::', 'udp6']] as const) {
    test(`bound to ${host}, a ${type} client: the handler sees the client as node:dgram shows it; the reply goes back to it`, async () => {
      const seen = new Map<string, Address>();
      for (const udp of ['batch', 'dgram'] as const) {
        const l = await listenUdp(host, 0, (q, c, transport) => {
          assert.equal(transport, 'udp');
          seen.set(udp, c);
          return q;
        }, silentLogger, { udp, reusePort: false });
        open.push(l);
        const c = await client(type);
        socks.push(c.sock);
        c.sock.send(datagram(1), l.port, type === 'udp4' ? '127.0.0.1' : '::1');
        const [reply] = await c.until(1);
        assert.deepEqual(reply, datagram(1), udp);
        assert.equal(seen.get(udp)?.port, c.port, udp);
      }
      assert.deepEqual(seen.get('batch'), { ...seen.get('dgram')!, port: seen.get('batch')!.port });
      assert.equal(seen.get('batch')!.address, host === '::' && type === 'udp4' ? '::ffff:127.0.0.1' : type === 'udp4' ? '127.0.0.1' : '::1');
    });
  }

  test('IPv4 clients of a dual-stack socket, from two addresses: each shows as its own ::ffff:a.b.c.d (the text cache keys on the address)', async () => {
    const seen: string[] = [];
    const l = await listen('::', (q, c) => { seen.push(c.address); return q; });
    for (const from of ['127.0.0.1', '127.0.0.2', '127.0.0.1']) {
      const c = await client('udp4', from);
      socks.push(c.sock);
      c.sock.send(datagram(1), l.port, '127.0.0.1');
      await c.until(1);
    }
    assert.deepEqual(seen, ['::ffff:127.0.0.1', '::ffff:127.0.0.2', '::ffff:127.0.0.1']);
  });

  test('every reply form: bytes, a stored reply behind the query\'s ID, the first of several, none', async () => {
    const tail = Buffer.from('stored reply after its ID');
    const l = await listen('127.0.0.1', (q) => {
      switch (q[1]) {
        case 1: return Buffer.from('plain');
        case 2: return new SharedReply(tail);
        case 3: return [Buffer.from('first'), Buffer.from('second')];
        case 4: return [];
        default: return null;
      }
    });
    const c = await client();
    socks.push(c.sock);
    for (let id = 0x0501; id <= 0x0505; id++) c.sock.send(datagram(id), l.port, '127.0.0.1');
    const got = (await c.until(4, 300)).map((b) => b.toString('latin1')).sort();
    assert.deepEqual(got, ['first', 'plain', `\x05\x02${tail.toString('latin1')}`].sort());
  });

  test('replies in progress (promises) and immediate ones from the same batch all arrive, each at its client', async () => {
    const l = await listen('127.0.0.1', (q) => (q[1]! % 2 === 0 ? new Promise((r) => setTimeout(() => r(q), q[1]! % 7)) : q));
    const clients = [await client(), await client()];
    for (const c of clients) socks.push(c.sock);
    for (let i = 0; i < 200; i++) clients[i % 2]!.sock.send(datagram(i), l.port, '127.0.0.1');
    const [a, b] = await Promise.all(clients.map((c) => c.until(100)));
    assert.deepEqual(a!.map((m) => m.readUInt16BE(0)).sort((x, y) => x - y), Array.from({ length: 100 }, (_, k) => 2 * k));
    assert.deepEqual(b!.map((m) => m.readUInt16BE(0)).sort((x, y) => x - y), Array.from({ length: 100 }, (_, k) => 2 * k + 1));
  });

  test('a datagram of any size is read whole (a 9000-byte query, as node:dgram would give it)', async () => {
    const sizes: number[] = [];
    const l = await listen('127.0.0.1', (q) => { sizes.push(q.length); return q.subarray(0, 12); });
    const c = await client();
    socks.push(c.sock);
    c.sock.send(datagram(9, 9000 - 12), l.port, '127.0.0.1');
    await c.until(1);
    assert.deepEqual(sizes, [9000]);
  });

  test('a batch whose replies overflow the send area is sent in several parts: none lost', async () => {
    // 300 replies of 9000 bytes: a batch of 32 queries makes more than the 256 KiB one send takes.
    const big = Buffer.alloc(9000, 3);
    const l = await listen('127.0.0.1', (q) => { const r = Buffer.from(big); r[0] = q[0]!; r[1] = q[1]!; return r; });
    const c = await client();
    socks.push(c.sock);
    for (let i = 0; i < 300; i++) c.sock.send(datagram(i), l.port, '127.0.0.1');
    const got = await c.until(300);
    assert.equal(new Set(got.map((m) => m.readUInt16BE(0))).size, 300);
    assert.ok(got.every((m) => m.length === 9000));
  });

  test('a handler that throws is logged; the other queries of its batch are answered', async () => {
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (m: string) => { errors.push(m); } };
    const l = await listen('127.0.0.1', (q) => { if (q[1] === 3) throw new Error('boom'); return q; }, log);
    const c = await client();
    socks.push(c.sock);
    for (let i = 0; i < 6; i++) c.sock.send(datagram(i), l.port, '127.0.0.1');
    const got = await c.until(5);
    assert.deepEqual(got.map((m) => m.readUInt16BE(0)).sort(), [0, 1, 2, 4, 5]);
    assert.deepEqual(errors, ['udp: boom']);
  });

  test('binding a port in use without SO_REUSEPORT fails as node:dgram fails: "bind EADDRINUSE host:port", code EADDRINUSE', async () => {
    const taken = createSocket('udp4');
    socks.push(taken);
    await new Promise<void>((res) => taken.bind(0, '127.0.0.1', () => res()));
    const port = taken.address().port;
    await assert.rejects(listenUdpBatched('127.0.0.1', port, (q) => q, silentLogger, false), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(err.message, `bind EADDRINUSE 127.0.0.1:${port}`);
      return true;
    });
  });

  test('after close() the port is free: it can be bound again without SO_REUSEPORT', async () => {
    const l = await listenUdpBatched('127.0.0.1', 0, (q) => q, silentLogger, false);
    await l.close();
    const again = await listenUdpBatched('127.0.0.1', l.port, (q) => q, silentLogger, false);
    open.push(again);
    assert.equal(again.port, l.port);
  });

  test('the addon checks what JavaScript asks it to send: a reply outside the send area, or too many, throws and sends nothing', async () => {
    // The raw socket, below udp-batch.ts: docs/security.md's claim about the C code.
    const addon = createRequire(import.meta.url)(ADDON_PATH) as {
      BatchSocket: new (h: string, p: number, r: boolean, b: number, f: (n: number) => void) => { txmeta: ArrayBuffer; port: number; send(n: number): number; close(): void };
      TX_META: number; TX_MAX: number; TX_BYTES: number;
    };
    const raw = new addon.BatchSocket('127.0.0.1', 0, false, 0, () => undefined);
    try {
      const c = await client();
      socks.push(c.sock);
      const meta = new Int32Array(raw.txmeta);
      const to = (off: number, len: number): void => {
        meta.set([off, len, 4, c.port, 0, 0, 0, 0, 0]);
        new Uint8Array(meta.buffer, 5 * 4, 4).set([127, 0, 0, 1]);
      };
      for (const [off, len] of [[addon.TX_BYTES - 10, 11], [-1, 12], [0, -1], [0x7fffffff, 0x7fffffff]] as const) {
        to(off, len);
        assert.throws(() => raw.send(1), RangeError, `offset ${off}, length ${len}`);
      }
      assert.throws(() => raw.send(addon.TX_MAX + 1), RangeError);
      assert.throws(() => raw.send(-1), RangeError);
      to(0, 12);
      assert.equal(raw.send(1), 1, 'a reply inside the area is sent');
      const got = await c.until(2, 300);
      assert.equal(got.length, 1, 'only the good one arrived');
    } finally {
      raw.close();
    }
  });

  test('a socket error (ICMP port unreachable to a connected socket) does not stop the socket reading', async () => {
    // libuv stops a poll on POLLERR; the addon clears the error and polls again.
    const addon = createRequire(import.meta.url)(ADDON_PATH) as {
      BatchSocket: new (h: string, p: number, r: boolean, b: number, f: (n: number) => void) => { txmeta: ArrayBuffer; port: number; send(n: number): number; connect(h: string, p: number): void; close(): void };
    };
    let batches = 0;
    const raw = new addon.BatchSocket('127.0.0.1', 0, false, 0, () => { batches++; });
    try {
      const gone = await client();
      const port = gone.port;
      raw.connect('127.0.0.1', port);
      await new Promise<void>((r) => gone.sock.close(() => r()));
      // A datagram to the closed port draws the ICMP error, which the connected socket is told.
      const meta = new Int32Array(raw.txmeta);
      meta.set([0, 12, 4, port, 0, 0, 0, 0, 0]);
      new Uint8Array(meta.buffer, 5 * 4, 4).set([127, 0, 0, 1]);
      raw.send(1);
      await new Promise((r) => setTimeout(r, 100));
      // The peer is back on its port (a connected socket only reads from it) and sends a query.
      const back = createSocket('udp4');
      socks.push(back);
      await new Promise<void>((r) => back.bind(port, '127.0.0.1', () => r()));
      back.send(datagram(9), raw.port, '127.0.0.1');
      const deadline = Date.now() + 2_000;
      while (batches === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(batches, 1, 'the query after the error was read');
    } finally {
      raw.close();
    }
  });
});
