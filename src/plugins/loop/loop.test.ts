/**
 * loop: parse table, and the plugin against a test context with an injected clock and exchange:
 * the probe's retries and deadline (setup.go), the counting handler and its fatal message
 * (loop.go), and shutdown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCorefile } from '../../corefile/index.ts';
import type { Handler } from '../../core/handler.ts';
import { Request } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import { decodeMessage } from '../../dns/message.ts';
import type { Message } from '../../dns/types.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { testContext } from '../../testing/context.ts';
import type { TestContext } from '../../testing/context.ts';
import { setupLoop, parseLoop } from './index.ts';
import type { Exchange, LoopClock } from './loop.ts';
import { PROBE_DEADLINE_MS, probeName, realClock } from './loop.ts';

function parse(text: string): ReturnType<typeof parseLoop> {
  const [block] = parseCorefile(text, { file: 'Corefile' });
  const d = block!.directives.find((x) => x.name === 'loop')!;
  return parseLoop(d, block!.keys.flatMap((k) => k.zones));
}

describe('loop: parse', () => {
  const good: Array<[string, string]> = [
    ['. {\n loop\n}', '.'],
    ['Cluster.Local:53 example.org {\n loop\n}', 'cluster.local.'],
    ['10.0.0.0/24 {\n loop\n}', '0.0.10.in-addr.arpa.'],
  ];
  for (const [text, zone] of good) it(`accepts ${JSON.stringify(text)}`, () => assert.deepEqual(parse(text), { zone }));
  const bad: Array<[string, string]> = [
    ['. {\n loop now\n}', "Corefile:2 - Error during setup: plugin/loop: Wrong argument count or unexpected line ending after 'now'"],
    ['. {\n loop {\n }\n}', "Corefile:2 - Error during setup: plugin/loop: Wrong argument count or unexpected line ending after '{'"],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parse(text), (e: Error) => { assert.equal(e.message, message); return true; }));
  }
});

/** A clock that only moves when the code under test sleeps or an exchange "takes time". */
function fakeClock(): LoopClock & { t: number; sleeps: number[] } {
  const c = {
    t: 1_000_000,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: (ms: number) => { c.sleeps.push(ms); c.t += ms; return Promise.resolve(); },
  };
  return c;
}

function hinfo(name: string, client = '127.0.0.1', port = 40000): Request {
  const msg: Message = {
    id: 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type: RRType.HINFO, class: RRClass.IN }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: client, port, family: client.includes(':') ? 6 : 4 }, 'udp');
}

let passed = 0;
const next: Handler = { name: 'next', serveDNS(_req, w) { passed++; w.write({ ..._req.msg, qr: true, rcode: Rcode.NXDOMAIN }, 'next'); return Promise.resolve(); } };

interface Rig {
  ctx: TestContext;
  loop: ReturnType<typeof setupLoop>['loop'];
  handler: Handler;
  sent: Array<{ host: string; port: number; msg: Message }>;
  clock: ReturnType<typeof fakeClock>;
}

function rig(opts: { zone?: string; listen?: Array<{ host: string; port: number }>; bind?: string[]; exchange?: (n: number) => 'ok' | 'fail' } = {}): Rig {
  const ctx = testContext({ zones: [opts.zone ?? '.'], listenAddresses: opts.listen ?? [{ host: '127.0.0.1', port: 1053 }] });
  if (opts.bind !== undefined) ctx.setBindAddresses(opts.bind);
  const clock = fakeClock();
  const sent: Rig['sent'] = [];
  const outcome = opts.exchange ?? (() => 'ok');
  const exchange: Exchange = (host, port, query) => {
    sent.push({ host, port, msg: decodeMessage(query) });
    if (outcome(sent.length) === 'ok') return Promise.resolve(new Uint8Array(12));
    clock.t += 2000; // a try that times out takes its 2 s
    return Promise.reject(new Error('timeout'));
  };
  const { factory, loop } = setupLoop({ zone: opts.zone ?? '.' }, ctx, { clock, exchange, labels: () => ['5577006791947779410', '8674665223082153551'] });
  return { ctx, loop, handler: factory(next), sent, clock };
}

async function ask(h: Handler, req: Request): Promise<Recorder> {
  const w = new Recorder();
  await h.serveDNS(req, w);
  return w;
}

const FATAL = 'plugin/loop: Loop (127.0.0.1:40000 -> :1053) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 5577006791947779410.8674665223082153551."';

describe('loop: detection', () => {
  it('the probe name is <int>.<int>.<zone>', () => {
    assert.equal(probeName('1', '2', '.'), '1.2.');
    assert.equal(probeName('1', '2', 'cluster.local.'), '1.2.cluster.local.');
    const { loop } = setupLoop({ zone: 'cluster.local.' }, testContext());
    assert.match(loop.qname, /^\d{1,19}\.\d{1,19}\.cluster\.local\.$/);
  });

  it('seen three times (before the probe is answered): fatal with CoreDNS\'s message, the third is SERVFAIL', async () => {
    const r = rig();
    const req = hinfo('5577006791947779410.8674665223082153551.');
    passed = 0;
    assert.equal((await ask(r.handler, req)).writtenBy, 'next');
    assert.equal((await ask(r.handler, req)).writtenBy, 'next');
    assert.deepEqual(r.ctx.fatals, []);
    const w = await ask(r.handler, req);
    assert.equal(w.writtenBy, 'loop');
    assert.equal(w.written?.rcode, Rcode.SERVFAIL);
    assert.equal(passed, 2);
    assert.deepEqual(r.ctx.fatals, [FATAL]);
    assert.ok(r.ctx.lines.some((l) => l.startsWith('[ERROR] plugin/loop: this server forwards to itself')));
    assert.equal(r.loop.disabled, true);
    await ask(r.handler, req);
    assert.equal(r.ctx.fatals.length, 1, 'reported once');
  });

  it('the message names the bound address, and an IPv6 client in brackets', async () => {
    const r = rig({ bind: ['::1'], listen: [{ host: '::1', port: 5300 }] });
    await r.loop.start();
    assert.deepEqual(r.sent.map((s) => [s.host, s.port]), [['::1', 5300]]);
    const r2 = rig({ bind: ['10.0.0.1'], listen: [{ host: '10.0.0.1', port: 53 }] });
    const req = hinfo('5577006791947779410.8674665223082153551.', '::1', 999);
    for (let i = 0; i < 3; i++) await ask(r2.handler, req);
    assert.match(r2.ctx.fatals[0]!, /^plugin\/loop: Loop \(\[::1\]:999 -> 10\.0\.0\.1:53\) detected/);
  });

  it('counts only HINFO for exactly the probe name, case-insensitively, in the zone', async () => {
    const r = rig({ zone: 'cluster.local.' });
    const name = '5577006791947779410.8674665223082153551.cluster.local.';
    const others = [hinfo(`x.${name}`), hinfo('1.2.cluster.local.'), hinfo('5577006791947779410.8674665223082153551.')];
    for (const q of others) for (let i = 0; i < 3; i++) await ask(r.handler, q);
    const a = hinfo(name);
    const notHinfo = new Request({ ...a.msg, questions: [{ name, type: RRType.A, class: RRClass.IN }] }, a.client, 'udp');
    for (let i = 0; i < 3; i++) await ask(r.handler, notHinfo);
    assert.equal(r.loop.seen, 0);
    await ask(r.handler, hinfo(name.toUpperCase()));
    await ask(r.handler, hinfo(name));
    assert.equal(r.loop.seen, 2);
    assert.deepEqual(r.ctx.fatals, []);
  });

  it('after the probe is answered: disabled, everything passes through', async () => {
    const r = rig();
    await r.loop.start();
    assert.equal(r.sent.length, 1);
    const m = r.sent[0]!.msg;
    assert.deepEqual(m.questions, [{ name: '5577006791947779410.8674665223082153551.', type: RRType.HINFO, class: RRClass.IN }]);
    assert.equal(m.rd, true);
    assert.equal(r.sent[0]!.host, '127.0.0.1');
    assert.equal(r.loop.disabled, true);
    const req = hinfo('5577006791947779410.8674665223082153551.');
    for (let i = 0; i < 5; i++) assert.equal((await ask(r.handler, req)).writtenBy, 'next');
    assert.deepEqual(r.ctx.fatals, []);
  });

  it('retries a failed try after 1 s with the count reset, until one is answered', async () => {
    let seenAtRetry = -1;
    const r = rig({ exchange: (n) => (n < 4 ? 'fail' : 'ok') });
    const req = hinfo('5577006791947779410.8674665223082153551.');
    await ask(r.handler, req);
    await ask(r.handler, req);
    assert.equal(r.loop.seen, 2);
    await r.loop.start();
    seenAtRetry = r.loop.seen;
    assert.equal(r.sent.length, 4);
    assert.deepEqual(r.clock.sleeps, [1000, 1000, 1000]);
    assert.equal(seenAtRetry, 0, 'a failed try resets the count');
    assert.equal(r.loop.disabled, true);
    assert.ok(new Set(r.sent.map((s) => s.msg.id)).size >= 1);
  });

  it('no more tries once a loop was detected, even when the try in flight fails', async () => {
    const ctx = testContext({ listenAddresses: [{ host: '127.0.0.1', port: 1053 }] });
    let calls = 0;
    let handler: Handler | null = null;
    const exchange: Exchange = async (_h, _p, query) => {
      calls++;
      const q = decodeMessage(query);
      for (let i = 0; i < 3; i++) await ask(handler!, hinfo(q.questions[0]!.name));
      throw new Error('timeout');
    };
    const { loop, factory } = setupLoop({ zone: '.' }, ctx, { clock: fakeClock(), exchange });
    handler = factory(next);
    await loop.start();
    assert.equal(calls, 1);
    assert.equal(ctx.fatals.length, 1);
    assert.equal(loop.disabled, true);
  });

  it('gives up after 30 s of failed tries (2 s timeout + 1 s pause each) and disables itself', async () => {
    const r = rig({ exchange: () => 'fail' });
    const start = r.clock.t;
    await r.loop.start();
    assert.equal(r.sent.length, PROBE_DEADLINE_MS / 3000);
    assert.ok(r.clock.t - start >= PROBE_DEADLINE_MS);
    assert.equal(r.loop.disabled, true);
  });

  it('no listen address: disabled without a probe', async () => {
    const r = rig({ listen: [] });
    await r.loop.start();
    assert.equal(r.sent.length, 0);
    assert.equal(r.loop.disabled, true);
  });

  it('the probe starts once listening (onListening), and stops at shutdown with nothing left running', async () => {
    const ctx = testContext({ listenAddresses: [{ host: '127.0.0.1', port: 9 }] });
    let aborted = false;
    let calls = 0;
    const exchange: Exchange = (_h, _p, _q, _t, signal) => {
      calls++;
      return new Promise((_res, rej) => signal.addEventListener('abort', () => { aborted = true; rej(new Error('aborted')); }));
    };
    const { loop, factory } = setupLoop({ zone: '.' }, ctx, { clock: realClock, exchange });
    factory(next);
    assert.equal(ctx.listening.length, 1);
    assert.equal(ctx.shutdown.length, 1);
    await ctx.start();
    assert.equal(calls, 1);
    assert.equal(loop.disabled, false);
    await ctx.stop();
    assert.equal(aborted, true);
    assert.equal(loop.disabled, true);
    assert.equal(calls, 1, 'no retry after shutdown');
    const req = hinfo(loop.qname);
    for (let i = 0; i < 3; i++) await ask(loop.handler(next), req);
    assert.deepEqual(ctx.fatals, [], 'no fatal after shutdown');
  });

  it('the real clock\'s sleep ends early when aborted', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = realClock.sleep(10_000, ac.signal);
    ac.abort();
    await p;
    assert.ok(Date.now() - t0 < 1000);
  });
});
