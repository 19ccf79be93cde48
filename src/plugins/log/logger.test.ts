// log: the lines one QueryEvent produces (default, combined and custom formats, JSON), rule
// matching, class filters and minDuration; the reply classifier; Go's float formatting.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { QueryEvent } from '../../core/handler.ts';
import { Request, reply } from '../../core/request.ts';
import type { ReplyParts } from '../../core/request.ts';
import { encodeMessage } from '../../dns/message.ts';
import type { Edns, Message } from '../../dns/types.ts';
import { Rcode, RRType } from '../../dns/types.ts';
import { capturingLogger, testContext } from '../../testing/context.ts';
import { rr } from '../../testing/rr.ts';
import { classify } from './classify.ts';
import { goSeconds } from './format.ts';
import { QueryLogger } from './logger.ts';
import { parseLog, setupLog } from './setup.ts';
import type { LogRule } from './setup.ts';

function rules(body: string): readonly LogRule[] {
  const [block] = parseCorefile(`. {\n${body}\n}\n`, { file: 'Corefile' });
  return parseLog(block!.directives[0]!).rules;
}

function query(name: string, type: number, o: { edns?: Edns; opcode?: number } = {}): Message {
  return {
    id: 4242, qr: false, opcode: o.opcode ?? 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: o.edns ?? null,
  };
}

const SOA = rr('cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5');

interface EventOptions {
  readonly parts?: ReplyParts | null;
  readonly transport?: 'udp' | 'tcp';
  readonly address?: string;
  readonly server?: string;
  readonly local?: string;
  readonly durationNs?: number;
}

function event(q: Message, o: EventOptions = {}): QueryEvent {
  const address = o.address ?? '10.0.0.7';
  const client = { address, port: 40000, family: address.includes(':') ? 6 as const : 4 as const };
  const req = new Request(q, client, o.transport ?? 'udp');
  return {
    server: o.server ?? 'dns://:53', zone: 'cluster.local.', local: o.local ?? '::', client, transport: o.transport ?? 'udp',
    query: encodeMessage(q), reply: o.parts === null ? null : encodeMessage({ ...reply(req, o.parts ?? {}), edns: null }),
    by: 'kubernetes', start: 0n, durationNs: o.durationNs ?? 123_456,
  };
}

function run(body: string, ...events: QueryEvent[]): { lines: string[]; json: string[] } {
  const all: string[] = [];
  const logger = new QueryLogger(capturingLogger(all));
  logger.add(rules(body));
  for (const e of events) logger.observe(e);
  // JSON records are written raw; every other line carries its level.
  return { lines: all.filter((l) => l.startsWith('[')), json: all.filter((l) => l.startsWith('{')) };
}

const answer = { aa: true, answers: [rr('web.shop.svc.cluster.local. 5 IN A 10.96.0.20')] };

describe('log: lines', () => {
  test("CoreDNS's common log format, through the [INFO] prefix", () => {
    const e = event(query('Web.Shop.svc.cluster.local.', RRType.A), { parts: answer });
    const { lines } = run('log', e);
    assert.deepEqual(lines, [
      `[INFO] 10.0.0.7:40000 - 4242 "A IN web.shop.svc.cluster.local. udp ${e.query.length} false 512" NOERROR qr,aa,rd ${e.reply!.length} 0.000123456s`,
    ]);
  });

  test('IPv6 client, TCP (bufsize 65535), EDNS with DO, the combined format', () => {
    const edns: Edns = { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] };
    const tcp = event(query('a.cluster.local.', RRType.AAAA), { transport: 'tcp', address: 'fd00::7', parts: { rcode: Rcode.NXDOMAIN, authorities: [SOA] } });
    const udp = event(query('a.cluster.local.', RRType.SRV, { edns }), { parts: { rcode: Rcode.SERVFAIL } });
    const { lines } = run('log . {combined}', tcp, udp);
    assert.match(lines[0]!, /^\[INFO\] \[fd00::7\]:40000 - 4242 "AAAA IN a\.cluster\.local\. tcp \d+ false 65535" NXDOMAIN qr,rd \d+ 0\.000123456s "0"$/);
    assert.match(lines[1]!, /^\[INFO\] 10\.0\.0\.7:40000 - 4242 "SRV IN a\.cluster\.local\. udp \d+ true 1232" SERVFAIL qr,rd \d+ 0\.000123456s "0"$/);
  });

  test('custom placeholders: {local} from the bound listener, {>opcode}, metadata and unknown ones', () => {
    const e = event(query('a.cluster.local.', 65280), { server: 'dns://[fd00::53]:53', local: 'fd00::53', parts: {} });
    const { lines } = run('log . "{local} {remote} {>opcode} {type} {class} {/pod} {x} {size}"', e);
    assert.deepEqual(lines, [`[INFO] [fd00::53] 10.0.0.7 0 TYPE65280 IN - {x} ${e.query.length}`]);
    const unbound = run('log . "{local}|{rcode}|{>rflags}|{rsize}"', event(query('a.cluster.local.', 1), { parts: null }));
    assert.deepEqual(unbound.lines, ['[INFO] [::]|-|-|0']);
  });

  test('the first rule whose name covers the query decides; other names are not logged', () => {
    const { lines } = run('log shop.svc.cluster.local svc.cluster.local "{name}"',
      event(query('web.shop.svc.cluster.local.', 1), { parts: answer }),
      event(query('db.other.svc.cluster.local.', 1), { parts: answer }),
      event(query('example.com.', 1), { parts: answer }));
    assert.deepEqual(lines, ['[INFO] web.shop.svc.cluster.local.', '[INFO] db.other.svc.cluster.local.']);
  });

  test('class filters and minDuration', () => {
    const ok = event(query('a.cluster.local.', 1), { parts: { answers: [rr('a.cluster.local. 5 IN A 10.0.0.1')] } });
    const nx = event(query('b.cluster.local.', 1), { parts: { rcode: Rcode.NXDOMAIN, authorities: [SOA] } });
    const nodata = event(query('c.cluster.local.', 1), { parts: { authorities: [SOA] } });
    const fail = event(query('d.cluster.local.', 1), { parts: { rcode: Rcode.SERVFAIL } });
    const slow = event(query('e.cluster.local.', 1), { parts: { answers: [rr('e.cluster.local. 5 IN A 10.0.0.1')] }, durationNs: 2e9 });
    const all = [ok, nx, nodata, fail, slow];
    const names = (body: string): string[] => run(body, ...all).lines.map((l) => l.slice(7));
    assert.deepEqual(names('log . "{name}" {\n class denial\n}'), ['b.cluster.local.', 'c.cluster.local.']);
    assert.deepEqual(names('log . "{name}" {\n class error\n}'), ['d.cluster.local.']);
    assert.deepEqual(names('log . "{name}" {\n class success\n}'), ['a.cluster.local.', 'e.cluster.local.']);
    assert.deepEqual(names('log . "{name}" {\n class denial error\n minDuration 1s\n}'), ['b.cluster.local.', 'c.cluster.local.', 'd.cluster.local.', 'e.cluster.local.']);
    assert.equal(names('log . "{name}"').length, 5);
  });

  test('JSON: one object per line, the formatted line in msg, typed DNS fields', () => {
    const e = event(query('Web.shop.svc.cluster.local.', RRType.A), { parts: answer, server: 'dns://127.0.0.1:53', local: '127.0.0.1' });
    const { lines, json } = run('log {\n format json\n}', e, event(query('x.cluster.local.', 1), { parts: null }));
    assert.deepEqual(lines, []);
    assert.equal(json.length, 2);
    const o = JSON.parse(json[0]!) as Record<string, unknown>;
    assert.match(String(o.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual({ ...o, time: 'T' }, {
      time: 'T', level: 'INFO', plugin: 'log',
      msg: `10.0.0.7:40000 - 4242 "A IN web.shop.svc.cluster.local. udp ${e.query.length} false 512" NOERROR qr,aa,rd ${e.reply!.length} 0.000123456s`,
      server: 'dns://127.0.0.1:53', zone: 'cluster.local.', client_ip: '10.0.0.7', client_port: 40000, local_ip: '127.0.0.1',
      proto: 'udp', id: 4242, opcode: 0, qname: 'web.shop.svc.cluster.local.', qtype: 'A', qclass: 'IN',
      request_size: e.query.length, do: false, bufsize: 512, rcode: 'NOERROR', rflags: 'qr,aa,rd',
      response_size: e.reply!.length, duration_seconds: 0.000123456, answered_by: 'kubernetes',
    });
    const none = JSON.parse(json[1]!) as Record<string, unknown>;
    assert.equal(none.rcode, null);
    assert.equal(none.response_size, 0);
  });

  test("a block's several log lines make one logger; JSON records are written raw", () => {
    const ctx = testContext();
    const [block] = parseCorefile('. {\n log a.test "{name}"\n log b.test {\n  format json\n }\n}\n', { file: 'Corefile' });
    for (const d of block!.directives) setupLog(parseLog(d), ctx);
    assert.equal(ctx.observers.length, 1);
    ctx.observers[0]!(event(query('x.a.test.', 1), { parts: {} }));
    ctx.observers[0]!(event(query('x.b.test.', 1), { parts: {} }));
    assert.equal(ctx.lines.length, 2);
    assert.equal(ctx.lines[0], '[INFO] x.a.test.');
    assert.equal((JSON.parse(ctx.lines[1]!) as { qname: string }).qname, 'x.b.test.');
  });
});

describe('log: reply classes (CoreDNS response.Typify + Classify)', () => {
  const req = new Request(query('a.cluster.local.', 1), { address: '10.0.0.1', port: 1, family: 4 }, 'udp');
  const bytes = (parts: ReplyParts, q: Request = req): Uint8Array => encodeMessage({ ...reply(q, parts), edns: null });
  const cases: Array<[string, Uint8Array | null, string]> = [
    ['answers', bytes({ answers: [rr('a.cluster.local. 5 IN A 10.0.0.1')] }), 'success'],
    ['delegation', bytes({ authorities: [rr('cluster.local. 5 IN NS ns.cluster.local.')] }), 'success'],
    ['empty NOERROR', bytes({}), 'success'],
    ['NXDOMAIN with SOA', bytes({ rcode: Rcode.NXDOMAIN, authorities: [SOA] }), 'denial'],
    ['NODATA', bytes({ authorities: [SOA] }), 'denial'],
    ['NXDOMAIN without SOA', bytes({ rcode: Rcode.NXDOMAIN }), 'error'],
    ['SERVFAIL', bytes({ rcode: Rcode.SERVFAIL }), 'error'],
    ['REFUSED', bytes({ rcode: Rcode.REFUSED }), 'error'],
    ['NOTIMP', bytes({ rcode: Rcode.NOTIMP }), 'error'],
    ['no reply', null, 'error'],
    ['zone transfer', bytes({ answers: [SOA] }, new Request(query('cluster.local.', RRType.AXFR), req.client, 'tcp')), 'error'],
    ['NOTIFY', bytes({}, new Request(query('cluster.local.', RRType.SOA, { opcode: 4 }), req.client, 'udp')), 'error'],
  ];
  for (const [name, r, want] of cases) test(name, () => assert.equal(classify(r), want));
});

describe("log: Go's float formatting of the duration in seconds", () => {
  const cases: Array<[number, string]> = [
    [123_456, '0.000123456'], [37_990_251, '0.037990251'], [1_500_000_000, '1.5'], [2e9, '2'],
    [500, '0.0000005'], [1, '0.000000001'], [76_310, '0.00007631'], [61_234_567_890, '61.23456789'],
  ];
  for (const [ns, want] of cases) test(`${ns} ns`, () => assert.equal(goSeconds(ns), want));
});
