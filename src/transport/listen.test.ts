// Listeners under load and at their bounds: bursts wait in the UDP receive buffer; closing hands
// the port over without losing a query; TCP's deadlines and connection limit. The UDP tests run
// on both UDP paths: batched (udp-batch.ts, where the addon is built) and node:dgram.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { silentLogger } from '../core/log.ts';
import { TCP_FIRST_READ_MS, TCP_MAX_CONNECTIONS, listenTcp, listenUdp } from './listen.ts';
import { batchUdp } from './udp-batch.ts';

const UDP_PATHS = batchUdp.available ? ['batch', 'dgram'] as const : ['dgram'] as const;

/** A child process that sends `count` 40-byte datagrams at once, then counts the replies (until all came or `waitMs`). */
const BURST = `
const dgram = require('node:dgram');
const [port, count, waitMs] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
let got = 0;
const done = () => { process.stdout.write(String(got) + '\\n'); s.close(); };
s.on('message', () => { if (++got === count) done(); });
s.bind(0, '127.0.0.1', () => {
  s.setSendBufferSize(4 * 1024 * 1024);
  s.setRecvBufferSize(4 * 1024 * 1024);
  process.stdout.write('sending\\n');
  const q = Buffer.alloc(40, 1);
  for (let i = 0; i < count; i++) { q.writeUInt16BE(i, 0); s.send(Buffer.from(q), port, '127.0.0.1'); }
  setTimeout(() => { if (got < count) done(); }, waitMs).unref();
});
`;

/** A child process that sends `count` datagrams paced over `spreadMs`, then counts the replies (until all came or `waitMs`). */
const STREAM = `
const dgram = require('node:dgram');
const [port, count, spreadMs, waitMs] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
const seen = new Set();
const done = () => { process.stdout.write(seen.size + '\\n'); s.close(); };
s.on('message', (m) => { seen.add(m.readUInt16BE(0)); if (seen.size === count) done(); });
s.bind(0, '127.0.0.1', () => {
  process.stdout.write('sending\\n');
  let i = 0;
  const batch = Math.max(1, Math.ceil(count / spreadMs));
  const tick = setInterval(() => {
    for (let k = 0; k < batch && i < count; k++, i++) { const q = Buffer.alloc(40, 1); q.writeUInt16BE(i, 0); s.send(q, port, '127.0.0.1'); }
    if (i >= count) { clearInterval(tick); setTimeout(() => { if (seen.size < count) done(); }, waitMs).unref(); }
  }, 1);
});
`;

async function runClient(script: string, args: Array<string | number>, onSending: () => void | Promise<void>): Promise<number> {
  const child = spawn(process.execPath, ['-e', script, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let started = false;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (!started && out.includes('sending')) { started = true; resolve(); }
  }));
  await onSending();
  await closed;
  return Number(out.trim().split('\n').at(-1));
}

for (const udp of UDP_PATHS) {
  test(`${udp}: a burst of 1000 queries arriving while the event loop is blocked is answered in full`, async () => {
    const listener = await listenUdp('127.0.0.1', 0, (q) => q, silentLogger, { udp });
    try {
      const child = spawn(process.execPath, ['-e', BURST, String(listener.port), '1000', '5000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('sending')) resolve(); }));
      // Busy for 300 ms: every datagram of the burst arrives meanwhile and must wait in the buffer.
      const until = Date.now() + 300;
      while (Date.now() < until) { /* blocked */ }
      await new Promise<void>((resolve) => child.once('close', () => resolve()));
      assert.equal(Number(out.trim().split('\n').at(-1)), 1000);
    } finally {
      await listener.close();
    }
  });

  test(`${udp}: closing a UDP listener answers the datagrams already queued for it (none lost to the close)`, async () => {
    const listener = await listenUdp('127.0.0.1', 0, (q) => q, silentLogger, { udp });
    const got = await runClient(BURST, [listener.port, 500, 3000], async () => {
      // The burst arrives while the loop is busy; close() is called before any of it was read.
      const until = Date.now() + 300;
      while (Date.now() < until) { /* blocked */ }
      await listener.close();
    });
    assert.equal(got, 500);
  });

  test(`${udp}: two listeners on one port (SO_REUSEPORT): closing the one in use mid-stream loses no query`, async () => {
    // Replies in progress (a promise) as well as immediate ones, as a forwarding server has.
    const counts = [0, 0];
    const answer = (n: number) => (q: Uint8Array) => {
      counts[n]!++;
      return q[1]! % 4 === 0 ? new Promise<Uint8Array>((r) => setTimeout(() => r(q), 5)) : q;
    };
    const a = await listenUdp('127.0.0.1', 0, answer(0), silentLogger, { reusePort: true, udp });
    const b = await listenUdp('127.0.0.1', a.port, answer(1), silentLogger, { reusePort: true, udp });
    let closed: typeof a | undefined;
    try {
      const got = await runClient(STREAM, [a.port, 4000, 800, 3000], async () => {
        await new Promise((r) => setTimeout(r, 300));
        // One client socket: the kernel sends all of it to one listener. Close that one.
        closed = counts[0]! > 0 ? a : b;
        await closed.close();
      });
      assert.ok(counts[0]! + counts[1]! >= 4000);
      assert.ok(counts[closed === a ? 1 : 0]! > 0, 'the other listener took over');
      assert.equal(got, 4000);
    } finally {
      await (closed === a ? b : a).close();
    }
  });
}

/** Resolves with the time from now until `sock` closes. */
function closesAfter(sock: Socket): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => sock.once('close', () => resolve(performance.now() - t0)));
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A 2-byte-length-prefixed frame holding `body`. */
function frame(body: Uint8Array): Buffer {
  const f = Buffer.alloc(body.length + 2);
  f.writeUInt16BE(body.length, 0);
  f.set(body, 2);
  return f;
}

test('TCP: a connection that sends nothing, or trickles a query too slowly to finish it, is closed at the first-read deadline', async () => {
  const listener = await listenTcp('127.0.0.1', 0, (q) => q, silentLogger);
  try {
    const silent = await connectTo(listener.port);
    const trickle = await connectTo(listener.port);
    const query = frame(Buffer.alloc(40, 7));
    let sent = 0;
    // One byte every 200 ms: activity all the time, but the query would take 8 s.
    const tick = setInterval(() => { if (!trickle.destroyed) trickle.write(query.subarray(sent, ++sent)); }, 200);
    const [a, b] = await Promise.all([closesAfter(silent), closesAfter(trickle)]);
    clearInterval(tick);
    for (const ms of [a, b]) assert.ok(ms >= TCP_FIRST_READ_MS - 100 && ms < TCP_FIRST_READ_MS + 1500, `closed after ${ms} ms`);
  } finally {
    await listener.close();
  }
});

test('TCP: closing the listener answers the query in progress on a connection, then ends it', async () => {
  let arrived!: () => void;
  const inProgress = new Promise<void>((r) => { arrived = r; });
  const listener = await listenTcp('127.0.0.1', 0, (q) => { arrived(); return new Promise((r) => setTimeout(() => r(q), 200)); }, silentLogger);
  const sock = await connectTo(listener.port);
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((r) => sock.once('end', () => r()));
  sock.write(frame(Buffer.from('a query in progress')));
  await inProgress;
  await listener.close();
  await ended;
  assert.deepEqual(Buffer.concat(chunks), frame(Buffer.from('a query in progress')));
  sock.destroy();
});

test(`TCP: connections beyond ${TCP_MAX_CONNECTIONS} are closed as they come; the open ones keep working`, async () => {
  const listener = await listenTcp('127.0.0.1', 0, (q) => q, silentLogger);
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < TCP_MAX_CONNECTIONS; i++) socks.push(await connectTo(listener.port));
    const extra = await connectTo(listener.port);
    await closesAfter(extra);
    const first = socks[0]!;
    const reply = new Promise<Buffer>((r) => first.once('data', r));
    first.write(frame(Buffer.from('still served')));
    assert.deepEqual(await reply, frame(Buffer.from('still served')));
  } finally {
    for (const s of socks) s.destroy();
    await listener.close();
  }
});

test('TCP: a client that sends queries without reading the replies is stopped being read: its queries back up at the client, not in the server', async () => {
  let handled = 0;
  const listener = await listenTcp('127.0.0.1', 0, (q) => { handled++; return q; }, silentLogger);
  const sock = await connectTo(listener.port);
  try {
    sock.pause(); // never read
    const query = frame(Buffer.alloc(510, 1));
    const total = 100_000; // 51 MB: far more than the socket buffers on both sides hold
    for (let i = 0; i < total; i++) sock.write(query);
    // Wait until the server stops taking queries.
    let last = -1;
    while (handled !== last) { last = handled; await new Promise((r) => setTimeout(r, 300)); }
    assert.ok(handled < total / 2, `the server answered ${handled} of ${total} queries nobody read`);
    assert.ok(sock.writableLength > 0, 'the rest waits in the client');
  } finally {
    sock.destroy();
    await listener.close();
  }
});
