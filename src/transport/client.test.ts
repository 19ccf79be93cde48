// DnsClient against real sockets on 127.0.0.1: the scripted upstream (src/testing/upstream.ts)
// for ordinary exchanges, and small hand-made servers for misbehaviour (wrong IDs, wrong
// questions, connections closed under a query).
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { decodeMessage, encodeMessage } from '../dns/message.ts';
import type { Message } from '../dns/types.ts';
import { RRType, Rcode } from '../dns/types.ts';
import { rr } from '../testing/rr.ts';
import { answerTo, startUpstream } from '../testing/upstream.ts';
import type { Script, Upstream } from '../testing/upstream.ts';
import { DnsClient, ExchangeError, joinHostPort, questionEnd } from './client.ts';
import type { Proto } from './client.ts';

function query(name: string, type: number = RRType.A, id = 0x1234): Uint8Array {
  const m: Message = {
    id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return encodeMessage(m);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Answers A questions with 192.0.2.N where N is the label count, after `delay(q)` ms. */
function echoScript(delay: (q: Message) => number = () => 0): Script {
  return async (q: Message) => {
    const d = delay(q);
    if (d > 0) await sleep(d);
    const name = q.questions[0]!.name;
    return answerTo(q, { answers: [rr(`${name} 30 IN A 192.0.2.${name.split('.').length - 1}`)] });
  };
}

const upstreams: Upstream[] = [];
const clients: DnsClient[] = [];
async function upstream(script: Script = echoScript()): Promise<Upstream> {
  const u = await startUpstream(script);
  upstreams.push(u);
  return u;
}
function client(u: { port: number }, opts: ConstructorParameters<typeof DnsClient>[2] = {}): DnsClient {
  const c = new DnsClient('127.0.0.1', u.port, opts);
  clients.push(c);
  return c;
}
after(async () => {
  for (const c of clients) c.close();
  for (const u of upstreams) await u.close();
});

/** Binds `sock` (a hand-made upstream), asks it `real.example. A` through a DnsClient, closes it: the answer's data. */
async function askHandMade(sock: UdpSocket): Promise<unknown[]> {
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  try {
    const c = client({ port: sock.address().port });
    const m = decodeMessage(await c.exchange(query('real.example.'), 'udp', 1000));
    return m.answers.map((a) => a.data);
  } finally {
    sock.close();
  }
}

/** A free port with nothing listening (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createSocket('udp4');
  const port = await new Promise<number>((res) => s.bind(0, '127.0.0.1', () => res(s.address().port)));
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

describe('DnsClient exchanges', () => {
  for (const proto of ['udp', 'tcp'] as const) {
    test(`${proto}: the reply comes back with the client's own random ID, the upstream saw ${proto}`, async () => {
      const u = await upstream();
      const c = client(u);
      const q = query('a.example.org.');
      const ids = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const r = await c.exchange(q, proto, 2000);
        const m = decodeMessage(r);
        assert.equal(m.id, (q[0]! << 8) | q[1]!, 'the reply carries the ID written into the query');
        ids.add(m.id);
        assert.deepEqual(m.answers.map((a) => a.data), ['192.0.2.3']);
      }
      assert.ok(ids.size >= 4, `IDs are random per exchange: ${[...ids].join(',')}`);
      assert.deepEqual(u.queries.map((x) => x.transport), Array(5).fill(proto));
    });
  }

  test('table: timeouts and refusals read like Go net errors', async () => {
    const silent = await upstream(() => 'drop');
    const dead = await deadPort();
    const cases: Array<{ name: string; port: number; proto: Proto; error: RegExp; timeout: boolean }> = [
      { name: 'udp, no reply', port: silent.port, proto: 'udp', error: new RegExp(`^read udp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${silent.port}: i/o timeout$`), timeout: true },
      { name: 'tcp, no reply', port: silent.port, proto: 'tcp', error: new RegExp(`^read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${silent.port}: i/o timeout$`), timeout: true },
      { name: 'udp, port closed', port: dead, proto: 'udp', error: new RegExp(`^read udp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${dead}: read: connection refused$`), timeout: false },
      { name: 'tcp, port closed', port: dead, proto: 'tcp', error: new RegExp(`^dial tcp 127\\.0\\.0\\.1:${dead}: connect: connection refused$`), timeout: false },
    ];
    for (const tc of cases) {
      const c = client({ port: tc.port });
      const t0 = Date.now();
      await assert.rejects(c.exchange(query('x.example.'), tc.proto, 300), (err: unknown) => {
        assert.ok(err instanceof ExchangeError, tc.name);
        assert.match(err.message, tc.error, tc.name);
        assert.equal(err.timeout, tc.timeout, tc.name);
        return true;
      });
      const took = Date.now() - t0;
      if (tc.timeout) assert.ok(took >= 250, `${tc.name}: waited the timeout (${took} ms)`);
      else assert.ok(took < 250, `${tc.name}: failed at once (${took} ms)`);
    }
  });

  test('udp, port closed: every query in flight on the socket fails at once, not only the one whose send met the ICMP error', async () => {
    // The kernel reports a port-unreachable to the first call on the connected socket after it
    // arrives; when that call is another query's send, the queries already in flight get no
    // 'error' event of their own. 8 at a time, 20 rounds: before this was handled, half waited.
    const dead = await deadPort();
    const c = client({ port: dead });
    const slow: string[] = [];
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 8 }, async (_, i) => {
        const t0 = Date.now();
        await assert.rejects(c.exchange(query(`q${i}.example.`), 'udp', 1000), (err: unknown) => {
          assert.ok(err instanceof ExchangeError && !err.timeout, String(err));
          assert.match(err.message, /connection refused$/);
          return true;
        });
        if (Date.now() - t0 >= 500) slow.push(`round ${round} query ${i}: ${Date.now() - t0} ms`);
      }));
    }
    assert.deepEqual(slow, [], 'no query waits for its timeout');
  });

  test('pooled sockets are reused and counted as hits; new ones as misses', async () => {
    const u = await upstream();
    const seen: string[] = [];
    const c = client(u, { udpSockets: 1, onConn: (p, reused) => seen.push(`${p}:${reused ? 'hit' : 'miss'}`) });
    for (let i = 0; i < 5; i++) await c.exchange(query('a.b.'), 'udp', 2000);
    for (let i = 0; i < 5; i++) await c.exchange(query('a.b.'), 'tcp', 2000);
    assert.deepEqual(c.stats, { udp: { hits: 4, misses: 1 }, tcp: { hits: 4, misses: 1 } });
    assert.deepEqual(seen, ['udp:miss', 'udp:hit', 'udp:hit', 'udp:hit', 'udp:hit', 'tcp:miss', 'tcp:hit', 'tcp:hit', 'tcp:hit', 'tcp:hit']);
    assert.deepEqual(c.open, { udp: 1, tcp: 1 });
  });

  test('a socket whose exchange timed out takes no new queries; replies still due on it arrive', async () => {
    // slow.: answered after 300 ms; lost.: never; anything else at once.
    const u = await upstream(async (q) => {
      const name = q.questions[0]!.name;
      if (name === 'lost.') return 'drop';
      if (name === 'slow.') await sleep(300);
      return answerTo(q, { answers: [rr(`${name} 5 IN A 192.0.2.1`)] });
    });
    for (const proto of ['udp', 'tcp'] as const) {
      const c = client(u, { udpSockets: 1 });
      const slow = c.exchange(query('slow.'), proto, 2000);
      await assert.rejects(c.exchange(query('lost.'), proto, 100), /i\/o timeout/);
      await c.exchange(query('fast.'), proto, 1000);
      assert.deepEqual(c.stats[proto], { hits: 1, misses: 2 }, `${proto}: after the timeout a new socket`);
      assert.equal(decodeMessage(await slow).questions[0]!.name, 'slow.', `${proto}: the retired socket still delivered`);
      await sleep(20);
      assert.equal(c.open[proto], 1, `${proto}: the retired socket closed once drained`);
    }
  });

  test('tcp: pipelined queries on one connection, answered out of order', async () => {
    // The first query is answered last.
    const u = await upstream(echoScript((q) => (q.questions[0]!.name.startsWith('n0.') ? 150 : 10)));
    const c = client(u);
    const names = Array.from({ length: 20 }, (_, i) => `n${i}.${'x.'.repeat(i % 4)}`);
    const replies = await Promise.all(names.map((n) => c.exchange(query(n), 'tcp', 2000)));
    replies.forEach((r, i) => {
      const m = decodeMessage(r);
      assert.equal(m.questions[0]!.name, names[i]);
      assert.deepEqual(m.answers.map((a) => a.data), [`192.0.2.${names[i]!.split('.').length - 1}`]);
    });
    assert.deepEqual(c.stats.tcp, { hits: 19, misses: 1 }, 'one connection carried all of them');
    assert.equal(c.open.tcp, 1);
  });

  test('udp: many queries in flight on a few sockets, each matched to its reply', async () => {
    const u = await upstream(echoScript(() => Math.floor(Math.random() * 20)));
    const c = client(u, { udpSockets: 2 });
    const names = Array.from({ length: 50 }, (_, i) => `q${i}.${'y.'.repeat(i % 5)}`);
    const replies = await Promise.all(names.map((n) => c.exchange(Buffer.from(query(n)), 'udp', 2000)));
    replies.forEach((r, i) => assert.equal(decodeMessage(r).questions[0]!.name, names[i]));
    assert.deepEqual(c.stats.udp, { hits: 48, misses: 2 });
  });

  test('replies are matched case-insensitively on the name (0x20 echo)', async () => {
    const u = await upstream((q) => {
      const name = q.questions[0]!.name.toUpperCase();
      return answerTo({ ...q, questions: [{ ...q.questions[0]!, name }] }, { answers: [rr(`${name} 5 IN A 192.0.2.1`)] });
    });
    const m = decodeMessage(await client(u).exchange(query('MiXeD.example.'), 'udp', 1000));
    assert.equal(m.questions[0]!.name, 'MIXED.EXAMPLE.');
  });

  test('udp: a reply with another ID, a non-reply or another question is ignored (spoofing, late replies)', async () => {
    const sock: UdpSocket = createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const q = decodeMessage(msg);
      const send = (m: Message): void => { sock.send(encodeMessage(m), rinfo.port, rinfo.address); };
      const good = answerTo(q, { answers: [rr(`${q.questions[0]!.name} 5 IN A 192.0.2.99`)] });
      send({ ...good, id: (q.id + 1) & 0xffff, answers: [rr(`${q.questions[0]!.name} 5 IN A 6.6.6.1`)] });
      send({ ...good, questions: [{ name: 'evil.example.', type: 1, class: 1 }], answers: [rr('evil.example. 5 IN A 6.6.6.2')] });
      send({ ...good, questions: [{ ...q.questions[0]!, type: RRType.AAAA }], answers: [] });
      send({ ...good, qr: false, answers: [rr(`${q.questions[0]!.name} 5 IN A 6.6.6.3`)] });
      sock.send(Buffer.from([1, 2, 3]), rinfo.port, rinfo.address);
      setTimeout(() => send(good), 20);
    });
    assert.deepEqual(await askHandMade(sock), ['192.0.2.99']);
  });

  test('udp: a forged reply from another address or port, with the right ID and question, is not accepted (the socket is connected)', async () => {
    // An off-path attacker who guessed the ID and the source port: the forger sends the real
    // question's reply, with the query's own ID, to the client's port — from another port, and from
    // another loopback address — before the upstream answers.
    const forgers = await Promise.all(['127.0.0.1', '127.0.0.2'].map((host) => new Promise<UdpSocket>((res) => {
      const f = createSocket('udp4');
      f.bind(0, host, () => res(f));
    })));
    const sock: UdpSocket = createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const q = decodeMessage(msg);
      const forged = encodeMessage(answerTo(q, { answers: [rr(`${q.questions[0]!.name} 5 IN A 6.6.6.6`)] }));
      for (const f of forgers) f.send(forged, rinfo.port, rinfo.address);
      setTimeout(() => sock.send(encodeMessage(answerTo(q, { answers: [rr(`${q.questions[0]!.name} 5 IN A 192.0.2.99`)] })), rinfo.port, rinfo.address), 50);
    });
    try {
      assert.deepEqual(await askHandMade(sock), ['192.0.2.99']);
    } finally {
      for (const f of forgers) f.close();
    }
  });

  test('a reply without a question is passed on (the caller judges it)', async () => {
    const u = await upstream((q) => ({ ...answerTo(q, { rcode: Rcode.FORMERR }), questions: [] }));
    const m = decodeMessage(await client(u).exchange(query('a.'), 'udp', 1000));
    assert.equal(m.rcode, Rcode.FORMERR);
    assert.equal(m.questions.length, 0);
  });

  test('tcp: a reused connection closed by the upstream under a query is retried once on a new one', async () => {
    // Answers the first query of each connection and closes the connection on the second.
    const conns = new Set<Socket>();
    const server: Server = createServer((s) => {
      conns.add(s);
      s.on('close', () => conns.delete(s));
      let n = 0;
      s.on('data', (chunk: Buffer) => {
        n++;
        if (n > 1) { s.destroy(); return; }
        const q = decodeMessage(chunk.subarray(2));
        const r = encodeMessage(answerTo(q, { answers: [rr(`${q.questions[0]!.name} 5 IN A 192.0.2.7`)] }));
        s.write(Buffer.concat([Buffer.from([r.length >> 8, r.length & 0xff]), r]));
      });
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    try {
      const port = (server.address() as { port: number }).port;
      const c = client({ port });
      await c.exchange(query('one.'), 'tcp', 1000);
      const m = decodeMessage(await c.exchange(query('two.'), 'tcp', 1000));
      assert.deepEqual(m.answers.map((a) => a.data), ['192.0.2.7']);
      assert.deepEqual(c.stats.tcp, { hits: 1, misses: 2 });
      // A fresh connection that closes without answering is an error, not retried.
      const closing = createServer((s) => s.on('data', () => s.destroy()));
      await new Promise<void>((res) => closing.listen(0, '127.0.0.1', () => res()));
      try {
        const cport = (closing.address() as { port: number }).port;
        const c2 = client({ port: cport });
        await assert.rejects(c2.exchange(query('x.'), 'tcp', 1000), new RegExp(`^ExchangeError: read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${cport}: (EOF|read: connection reset by peer)$`));
        assert.deepEqual(c2.stats.tcp, { hits: 0, misses: 1 });
      } finally {
        closing.close();
      }
    } finally {
      for (const s of conns) s.destroy();
      server.close();
    }
  });

  test('idle sockets expire; maxIdleConns caps idle TCP connections; expire 0 never reuses', async () => {
    const u = await upstream(echoScript(() => 30));
    const c = client(u, { expireMs: 150, maxIdleConns: 1, maxPipeline: 1 });
    await Promise.all([1, 2, 3].map(() => c.exchange(query('p.'), 'tcp', 1000)));
    assert.equal(c.stats.tcp.misses, 3, 'maxPipeline 1: one connection per query in flight');
    assert.equal(c.open.tcp, 1, 'only one idle connection is kept');
    await c.exchange(query('p.'), 'udp', 1000);
    assert.deepEqual(c.open, { udp: 1, tcp: 1 });
    await sleep(400);
    assert.deepEqual(c.open, { udp: 0, tcp: 0 }, 'closed after expire');
    await c.exchange(query('p.'), 'tcp', 1000);
    assert.equal(c.stats.tcp.misses, 4, 'an expired connection is not reused');

    const once = client(u, { expireMs: 0 });
    for (let i = 0; i < 3; i++) {
      await once.exchange(query('p.'), 'udp', 1000);
      await once.exchange(query('p.'), 'tcp', 1000);
    }
    assert.deepEqual(once.stats, { udp: { hits: 0, misses: 3 }, tcp: { hits: 0, misses: 3 } });
    await sleep(20);
    assert.deepEqual(once.open, { udp: 0, tcp: 0 });
  });

  test('close() fails what is in flight and refuses new exchanges', async () => {
    const u = await upstream(() => 'drop');
    const c = new DnsClient('127.0.0.1', u.port);
    const inflight = [c.exchange(query('a.'), 'udp', 5000), c.exchange(query('a.'), 'tcp', 5000)];
    await sleep(50);
    c.close();
    for (const p of inflight) await assert.rejects(p, /use of closed network connection/);
    await assert.rejects(c.exchange(query('a.'), 'udp', 1000), /use of closed network connection/);
    assert.deepEqual(c.open, { udp: 0, tcp: 0 });
  });

  test('addresses and question spans', () => {
    assert.equal(joinHostPort('10.0.0.1', 53), '10.0.0.1:53');
    assert.equal(joinHostPort('2001:db8::1', 5353), '[2001:db8::1]:5353');
    assert.equal(new DnsClient('::1', 53).address, '[::1]:53');
    assert.throws(() => new DnsClient('dns.google', 53), /not an IP address/);
    const q = query('ab.c.');
    assert.equal(questionEnd(q), 12 + 6 + 4);
    assert.equal(questionEnd(q.subarray(0, 15)), -1);
  });
});
