import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { decodeMessage, encodeMessage } from '../../dns/message.ts';
import type { Edns, Message, ResourceRecord } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { testContext } from '../../testing/context.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { freePort } from '../../../test/integration/harness.ts';
import { parseCidr, parseLoadbalance, setupLoadbalance } from './setup.ts';
import type { Policy } from './roundrobin.ts';
import { roundRobin } from './roundrobin.ts';
import { balanceReply, fastBalance, slowBalance } from './wire.ts';

const directive = (text: string) => parseCorefile(`. {\n${text}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;

/** A seeded PRNG (mulberry32), so two paths can be given the same draws. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const policy = (seed: number, prefer: string[] = []): Policy => ({ random: seeded(seed), prefer: prefer.map((p) => parseCidr(p)!) });

function message(q: string, qtype: number, answers: string[], authorities: string[] = [], additionals: string[] = [], extra: Partial<Message> = {}): Message {
  return {
    id: 77, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: Rcode.NOERROR,
    questions: [{ name: q, type: qtype, class: 1 }],
    answers: answers.map((l) => rr(l)), authorities: authorities.map((l) => rr(l)), additionals: additionals.map((l) => rr(l)),
    edns: null, ...extra,
  };
}

const EDNS: Edns = { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [] };
const show = (rrs: readonly ResourceRecord[]): string[] => rrs.map(formatRR);
const sorted = (rrs: readonly ResourceRecord[]): string[] => show(rrs).sort();

test('loadbalance: parse, good stanzas', () => {
  assert.deepEqual(parseLoadbalance(directive('loadbalance')), { policy: 'round_robin', prefer: [] });
  assert.deepEqual(parseLoadbalance(directive('loadbalance round_robin')), { policy: 'round_robin', prefer: [] });
  const o = parseLoadbalance(directive('loadbalance round_robin {\nprefer 10.1.2.3/16 fd00::1/8\nprefer ::ffff:192.168.0.0/112\n}'));
  assert.deepEqual(o.prefer.map((s) => [s.text, s.family, [...s.bytes].join('.'), s.bits]), [
    ['10.1.2.3/16', 4, '10.1.0.0', 16],
    ['fd00::1/8', 6, '253.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0', 8],
    ['::ffff:192.168.0.0/112', 4, '192.168.0.0', 16],
  ]);
  assert.deepEqual(parseLoadbalance(directive('loadbalance {\nprefer 10.0.0.0/8\n}')).prefer.length, 1);
});

test('loadbalance: parse, bad stanzas are errors at their line', () => {
  const cases: Array<[string, string]> = [
    ['loadbalance weighted db.weights', 'Corefile:2 - Error during setup: plugin/loadbalance: the weighted policy is not supported by podns (use round_robin)'],
    ['loadbalance random', 'Corefile:2 - Error during setup: plugin/loadbalance: unknown policy: random'],
    ['loadbalance round_robin extra', 'Corefile:2 - Error during setup: plugin/loadbalance: unknown property for round_robin'],
    ['loadbalance {\nreload 10s\n}', "Corefile:3 - Error during setup: plugin/loadbalance: unknown property 'reload'"],
    ['loadbalance {\nprefer 10.0.0.0\n}', 'Corefile:3 - Error during setup: plugin/loadbalance: invalid CIDR "10.0.0.0": invalid CIDR address: 10.0.0.0'],
    ['loadbalance {\nprefer 10.0.0.0/33\n}', 'Corefile:3 - Error during setup: plugin/loadbalance: invalid CIDR "10.0.0.0/33": invalid CIDR address: 10.0.0.0/33'],
    ['loadbalance {\nprefer eth0/24\n}', 'Corefile:3 - Error during setup: plugin/loadbalance: invalid CIDR "eth0/24": invalid CIDR address: eth0/24'],
  ];
  for (const [text, msg] of cases) assert.throws(() => parseLoadbalance(directive(text)), { message: msg }, text);
});

test('loadbalance: roundRobin regroups a mixed section as CNAME, other, address, MX, keeping every record', () => {
  const section = [
    'a. 5 IN A 10.0.0.1', 'a. 5 IN MX 10 m1.a.', 'a. 5 IN CNAME b.', 'a. 5 IN TXT "t"', 'a. 5 IN AAAA 2001:db8::1', 'a. 5 IN MX 20 m2.a.',
    'a. 5 IN A 10.0.0.2', 'c. 5 IN CNAME d.', 'a. 5 IN SRV 0 0 80 s.a.',
  ].map((l) => rr(l));
  for (let seed = 0; seed < 20; seed++) {
    const out = roundRobin(section, seeded(seed));
    assert.deepEqual(sorted(out), sorted(section));
    assert.deepEqual(out.slice(7).map((r) => r.type), [RRType.MX, RRType.MX]);
    assert.deepEqual(show(out.slice(0, 4)), ['a. 5 IN CNAME b.', 'c. 5 IN CNAME d.', 'a. 5 IN TXT "t"', 'a. 5 IN SRV 0 0 80 s.a.']);
    assert.deepEqual(out.slice(4, 7).map((r) => r.type).sort(), [1, 1, 28]);
  }
  // A single record, or all of one non-address type: untouched.
  const txt = ['a. 5 IN TXT "1"', 'a. 5 IN TXT "2"'].map((l) => rr(l));
  assert.deepEqual(show(roundRobin(txt, seeded(1))), show(txt));
});

/** Replies as podns's encoder writes them; whether the fast path can take each; both paths agree. */
const REPLIES: Array<[string, Message, boolean]> = [
  ['A run', message('web.shop.svc.cluster.local.', RRType.A, ['web.shop.svc.cluster.local. 5 IN A 10.0.0.1', 'web.shop.svc.cluster.local. 5 IN A 10.0.0.2', 'web.shop.svc.cluster.local. 5 IN A 10.0.0.3', 'web.shop.svc.cluster.local. 5 IN A 10.0.0.4']), true],
  ['two AAAA with EDNS', message('v6.example.', RRType.AAAA, ['v6.example. 5 IN AAAA 2001:db8::1', 'v6.example. 5 IN AAAA 2001:db8::2'], [], [], { edns: EDNS }), true],
  ['CNAME then A run', message('www.example.com.', RRType.A, ['www.example.com. 30 IN CNAME edge.example.net.', 'edge.example.net. 30 IN A 192.0.2.1', 'edge.example.net. 30 IN A 192.0.2.2', 'edge.example.net. 30 IN A 192.0.2.3']), true],
  ['SRV with address additionals', message('_http._tcp.web.shop.svc.cluster.local.', RRType.SRV, [
    'web.shop.svc.cluster.local. 5 IN SRV 0 33 80 a.web.shop.svc.cluster.local.', 'web.shop.svc.cluster.local. 5 IN SRV 0 33 80 b.web.shop.svc.cluster.local.',
  ], [], ['a.web.shop.svc.cluster.local. 5 IN A 10.0.0.1', 'b.web.shop.svc.cluster.local. 5 IN A 10.0.0.2', 'b.web.shop.svc.cluster.local. 5 IN AAAA fd00::2'], { edns: EDNS }), true],
  ['NS with glue', message('example.org.', RRType.NS, ['example.org. 300 IN NS ns1.example.org.', 'example.org. 300 IN NS ns2.example.org.'], [], [
    'ns1.example.org. 300 IN A 192.0.2.53', 'ns2.example.org. 300 IN A 192.0.2.54', 'ns1.example.org. 300 IN AAAA 2001:db8::53',
  ]), true],
  ['MX with exchange addresses (pointers into the MX run)', message('example.org.', RRType.MX, [
    'example.org. 300 IN MX 10 mx1.example.org.', 'example.org. 300 IN MX 10 mx2.example.org.', 'example.org. 300 IN MX 20 mx3.example.org.',
  ], [], ['mx1.example.org. 300 IN A 192.0.2.25', 'mx2.example.org. 300 IN A 192.0.2.26']), false],
  ['addresses before a CNAME', message('x.example.', RRType.A, ['y.example. 5 IN A 10.0.0.1', 'x.example. 5 IN CNAME y.example.', 'y.example. 5 IN A 10.0.0.2']), false],
  ['owners spelled out (case differs from the question), nothing points at them', message('web.example.', RRType.A, ['WEB.example. 5 IN A 10.0.0.1', 'Web.example. 5 IN A 10.0.0.2', 'wEb.example. 5 IN A 10.0.0.3']), true],
  ['owners pointing at the first record of the run', message('web.example.', RRType.A, ['WEB.example. 5 IN A 10.0.0.1', 'WEB.example. 5 IN A 10.0.0.2', 'WEB.example. 5 IN A 10.0.0.3']), false],
];

test('loadbalance: the wire fast path takes what is safe, the slow path the rest, and both give the same reply', () => {
  for (const [what, m, fast] of REPLIES) {
    const bytes = encodeMessage(m, 1232);
    const copy = Buffer.from(bytes);
    for (let seed = 1; seed <= 30; seed++) {
      const f = fastBalance(bytes, policy(seed));
      assert.equal(f !== null, fast, `${what}: fast path ${fast ? 'expected' : 'not expected'}`);
      const slow = decodeMessage(slowBalance(bytes, 1232, policy(seed)));
      const out = decodeMessage(balanceReply(bytes, 1232, policy(seed)));
      assert.deepEqual(show(out.answers), show(slow.answers), `${what} seed ${seed}`);
      assert.deepEqual(show(out.authorities), show(slow.authorities), what);
      assert.deepEqual(show(out.additionals), show(slow.additionals), what);
      assert.deepEqual(out.edns, m.edns, what);
      for (const section of ['answers', 'authorities', 'additionals'] as const) assert.deepEqual(sorted(out[section]), sorted(m[section]), `${what}: same records`);
      assert.equal(out.answers.findIndex((r) => r.type !== RRType.CNAME) >= out.answers.filter((r) => r.type === RRType.CNAME).length || out.answers.every((r) => r.type === RRType.CNAME), true, `${what}: CNAMEs first`);
      if (f !== null && f !== bytes) assert.equal(f.length, bytes.length, 'a permutation in place keeps the length');
    }
    assert.deepEqual(Buffer.from(bytes), copy, `${what}: the input bytes are never written to`);
  }
});

test('loadbalance: NOERROR only, never AXFR/IXFR, nothing to do returns the same bytes', () => {
  const many = ['a.example. 5 IN A 10.0.0.1', 'a.example. 5 IN A 10.0.0.2', 'a.example. 5 IN A 10.0.0.3'];
  const cases: Array<[string, Message]> = [
    ['NXDOMAIN', message('a.example.', RRType.A, many, [], [], { rcode: Rcode.NXDOMAIN })],
    ['BADVERS (extended rcode)', message('a.example.', RRType.A, many, [], [], { rcode: Rcode.BADVERS, edns: EDNS })],
    ['AXFR', message('example.', RRType.AXFR, many)],
    ['IXFR', message('example.', 251, many)],
    ['one record', message('a.example.', RRType.A, many.slice(0, 1))],
    ['no records', message('a.example.', RRType.A, [])],
  ];
  for (const [what, m] of cases) {
    const bytes = encodeMessage(m);
    for (let seed = 0; seed < 10; seed++) assert.equal(balanceReply(bytes, 65535, policy(seed)), bytes, what);
  }
  const junk = Uint8Array.from([1, 2, 3]);
  assert.equal(balanceReply(junk, 512, policy(1)), junk);
});

test('loadbalance: over many replies every permutation appears, on both paths', () => {
  const fastMsg = message('a.example.', RRType.A, ['a.example. 5 IN CNAME b.example.', 'b.example. 5 IN A 10.0.0.1', 'b.example. 5 IN A 10.0.0.2', 'b.example. 5 IN A 10.0.0.3']);
  const slowMsg = message('a.example.', RRType.A, ['b.example. 5 IN A 10.0.0.1', 'a.example. 5 IN CNAME b.example.', 'b.example. 5 IN A 10.0.0.2', 'b.example. 5 IN A 10.0.0.3']);
  for (const [m, isFast] of [[fastMsg, true], [slowMsg, false]] as const) {
    const bytes = encodeMessage(m);
    assert.equal(fastBalance(bytes, policy(1)) !== null, isFast);
    const seen = new Map<string, number>();
    const p: Policy = { random: Math.random, prefer: [] };
    for (let i = 0; i < 600; i++) {
      const out = decodeMessage(balanceReply(bytes, 512, p));
      assert.equal(out.answers[0]!.type, RRType.CNAME);
      const key = out.answers.slice(1).map((r) => r.data).join(' ');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.equal(seen.size, 6, [...seen.keys()].join(' | '));
  }
});

test('loadbalance: prefer puts addresses of the subnets first, in the subnets\' order, on both paths', () => {
  const m = message('a.example.', RRType.A, [
    'a.example. 5 IN A 192.0.2.1', 'a.example. 5 IN A 10.1.0.1', 'a.example. 5 IN A 172.16.0.1', 'a.example. 5 IN A 10.2.0.1', 'a.example. 5 IN A 192.0.2.2',
  ]);
  const withRest = message('a.example.', RRType.A, ['a.example. 5 IN TXT "x"', 'a.example. 5 IN A 192.0.2.1', 'a.example. 5 IN A 10.1.0.1']);
  const prefer = ['172.16.0.0/12', '10.0.0.0/8'];
  for (let seed = 1; seed < 20; seed++) {
    const bytes = encodeMessage(m);
    assert.ok(fastBalance(bytes, policy(seed, prefer)) !== null);
    const out = decodeMessage(balanceReply(bytes, 512, policy(seed, prefer)));
    assert.equal(out.answers[0]!.data, '172.16.0.1');
    assert.deepEqual(out.answers.slice(1, 3).map((r) => r.data).sort(), ['10.1.0.1', '10.2.0.1']);
    assert.deepEqual(out.answers.slice(3).map((r) => r.data).sort(), ['192.0.2.1', '192.0.2.2']);
    assert.deepEqual(show(out.answers), show(decodeMessage(slowBalance(bytes, 512, policy(seed, prefer))).answers));
    // CoreDNS's prefer order puts other records after the addresses: the slow path does that.
    const b2 = encodeMessage(withRest);
    assert.equal(fastBalance(b2, policy(seed, prefer)), null);
    assert.deepEqual(show(decodeMessage(balanceReply(b2, 512, policy(seed, prefer))).answers), ['a.example. 5 IN A 10.1.0.1', 'a.example. 5 IN A 192.0.2.1', 'a.example. 5 IN TXT "x"']);
  }
});

test('loadbalance: the slow path re-encodes within the client\'s size', () => {
  const answers = Array.from({ length: 40 }, (_, i) => `a.example. 5 IN A 10.0.${i >> 8}.${i & 255}`);
  const m = message('a.example.', RRType.A, ['b.example. 5 IN A 10.9.9.9', 'a.example. 5 IN CNAME b.example.', ...answers]);
  const bytes = encodeMessage(m, 512);
  const out = balanceReply(bytes, 512, policy(3));
  assert.ok(out.length <= 512);
  assert.equal(decodeMessage(out).answers[0]!.type, RRType.CNAME);
});

test('loadbalance: setup registers a reply transform and no chain link', () => {
  const ctx = testContext();
  assert.equal(setupLoadbalance(parseLoadbalance(directive('loadbalance')), ctx, seeded(5)), null);
  assert.equal(ctx.transforms.length, 1);
  const bytes = encodeMessage(REPLIES[0]![1]);
  const out = ctx.transforms[0]!(bytes, 512);
  assert.deepEqual(sorted(decodeMessage(out).answers), sorted(REPLIES[0]![1].answers));
});

describe('loadbalance end to end', () => {
  let server: DnsServer;
  let port = 0;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-e2e-'));
    writeFileSync(join(dir, 'db.yaml'), `
apiVersion: v1
kind: Service
metadata: { name: db, namespace: shop }
spec: { clusterIP: None, ports: [{ name: pg, port: 5432 }], selector: { app: db } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: db-1, namespace: shop, labels: { kubernetes.io/service-name: db } }
addressType: IPv4
ports: [{ name: pg, port: 5432, protocol: TCP }]
endpoints:
  - { addresses: [10.244.3.1], conditions: { ready: true } }
  - { addresses: [10.244.3.2], conditions: { ready: true } }
  - { addresses: [10.244.3.3], conditions: { ready: true } }
`);
    port = await freePort();
    server = DnsServer.create(parseCorefile(`cluster.local:${port} {\n    loadbalance\n    kubernetes\n}\n`, { file: 'Corefile' }), {
      manifests: [dir], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });
  after(async () => { await server.stop(); });

  test('a headless service\'s addresses come back in every order, answer-cache replays included', async () => {
    const q = encodeMessage({
      id: 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
      questions: [{ name: 'db.shop.svc.cluster.local.', type: RRType.A, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
    });
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const seen = new Set<string>();
    try {
      for (let i = 0; i < 300 && seen.size < 6; i++) {
        const reply = await new Promise<Buffer>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('timeout')), 2000);
          sock.once('message', (m) => { clearTimeout(t); resolve(m); });
          sock.send(q, port, '127.0.0.1');
        });
        const m = decodeMessage(reply);
        assert.equal(m.rcode, Rcode.NOERROR);
        assert.deepEqual(m.answers.map((r) => r.data).sort(), ['10.244.3.1', '10.244.3.2', '10.244.3.3']);
        seen.add(m.answers.map((r) => r.data).join(' '));
      }
    } finally {
      sock.close();
    }
    assert.equal(seen.size, 6, [...seen].join(' | '));
  });
});
