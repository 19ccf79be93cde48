import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Handler } from '../../core/handler.ts';
import { registry } from '../../core/metrics.ts';
import { Request, reply } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import { readExtendedError } from '../../dns/message.ts';
import type { Edns, Message } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { testContext } from '../../testing/context.ts';
import { AclHandler, parseAcl, setupAcl } from './index.ts';
import type { AclRule } from './index.ts';

/** The acl directives of a `. { … }` block (the first one at line 2). */
const directives = (text: string) => parseCorefile(`. {\n${text}\n}\n`, { file: 'Corefile' })[0]!.directives;
const rule = (text: string, zones = ['.']): AclRule => parseAcl(directives(text)[0]!, zones);

/** A rule as plain data: types as sorted numbers, nets as text. */
function plain(r: AclRule): object {
  return {
    zones: r.zones,
    policies: r.policies.map((p) => ({
      action: p.action,
      types: p.types === null ? '*' : [...p.types].sort((a, b) => a - b),
      nets: p.nets === null ? '*' : p.nets.map((n) => n.text),
    })),
  };
}

test('acl: parse, good stanzas (CoreDNS setup_test.go cases and more)', () => {
  const cases: Array<[string, object]> = [
    ['acl {\nblock type A net 192.168.0.0/16\n}', { zones: ['.'], policies: [{ action: 'block', types: [1], nets: ['192.168.0.0/16'] }] }],
    ['acl {\nblock type * net 192.168.0.0/16\n}', { zones: ['.'], policies: [{ action: 'block', types: '*', nets: ['192.168.0.0/16'] }] }],
    ['acl {\nblock type A net *\n}', { zones: ['.'], policies: [{ action: 'block', types: [1], nets: '*' }] }],
    ['acl Example.ORG b.example.org {\nallow net 192.168.1.0/24\nblock\n}', {
      zones: ['example.org.', 'b.example.org.'],
      policies: [{ action: 'allow', types: '*', nets: ['192.168.1.0/24'] }, { action: 'block', types: '*', nets: '*' }],
    }],
    // Any case for actions and section words; sections in any order and repeated; host bits cleared.
    ['acl {\nFILTER NET 10.0.0.5/8 Type AAAA type MX A net 2001:db8::1 10.1.1.1\n}', {
      zones: ['.'], policies: [{ action: 'filter', types: [1, 15, 28], nets: ['10.0.0.0/8', '2001:db8::1/128', '10.1.1.1/32'] }],
    }],
    // A `*` ends its section: what follows it is not read (CoreDNS breaks out of the loop).
    ['acl {\ndrop type MX * NOTATYPE net * not-a-net\n}', { zones: ['.'], policies: [{ action: 'drop', types: '*', nets: '*' }] }],
    ['acl {\nblock net 10.0.0.0/8 net *\nallow type * type A\n}', {
      zones: ['.'], policies: [{ action: 'block', types: '*', nets: '*' }, { action: 'allow', types: '*', nets: '*' }],
    }],
    ['acl {\nblock net ::ffff:10.0.0.0/104\n}', { zones: ['.'], policies: [{ action: 'block', types: '*', nets: ['::ffff:10.0.0.0/104'] }] }],
    ['acl', { zones: ['.'], policies: [] }],
  ];
  for (const [text, want] of cases) assert.deepEqual(plain(rule(text)), want, text);
  assert.deepEqual(rule('acl', ['cluster.local.', 'in-addr.arpa.']).zones, ['cluster.local.', 'in-addr.arpa.'], 'the block\'s zones by default');
});

test('acl: parse, bad stanzas are CoreDNS\'s errors at their line', () => {
  const cases: Array<[string, string]> = [
    ['blck type A net 192.168.0.0/16', `unexpected token "blck"; expect 'allow', 'block', 'filter' or 'drop'`],
    ['block A net 192.168.0.0/16', `unexpected token "A"; expect 'type | net'`],
    ['block type net 192.168.0.0/16', 'no token specified in "type" section'],
    ['block net', 'no token specified in "net" section'],
    ['block type ABC net 192.168.0.0/16', `unexpected token "ABC"; expect legal QTYPE`],
    ['block type a', `unexpected token "a"; expect legal QTYPE`],
    ['block type constructor', `unexpected token "constructor"; expect legal QTYPE`],
    ['block type A net 192.168.0/16', `illegal CIDR notation "192.168.0/16"`],
    ['block type A net 192.168.0.0/33', `illegal CIDR notation "192.168.0.0/33"`],
    ['block net example.org', `illegal CIDR notation "example.org/32"`],
    ['block net fe80::1%eth0', `illegal CIDR notation "fe80::1%eth0/128"`],
    ['block net 10.0.0.0/8 {\nallow\n}', `unexpected token "{"; expect 'type | net'`],
  ];
  for (const [line, msg] of cases) {
    assert.throws(() => rule(`acl {\nallow\n${line}\n}`), { message: `Corefile:4 - Error during parsing: plugin/acl: ${msg}` }, line);
  }
});

// ---- behaviour ----------------------------------------------------------------------------

const EDNS: Edns = { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [] };

function request(name: string, type: number, client: string, edns: Edns | null = null): Request {
  const msg: Message = {
    id: 5, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns,
  };
  return new Request(msg, { address: client, port: 5353, family: client.includes(':') ? 6 : 4 }, 'udp', 0, 'dns://unit:53');
}

/** The rest of the chain: NOERROR, cacheable. */
const next: Handler = {
  name: 'next',
  serveDNS(req, w) { w.write(reply(req), 'next'); w.cacheable({ revision: 0 }); return Promise.resolve(); },
};

/** The block's acl directives, set up as the server does (the first makes the handler, the others join it). */
function acl(text: string, zones = ['.']): Handler {
  const ctx = testContext({ zones });
  const factories = directives(text).map((d) => setupAcl(parseAcl(d, zones), ctx));
  assert.deepEqual(factories.map((f) => f !== null), factories.map((_, i) => i === 0), 'one handler per block');
  return factories[0]!(next);
}

/** What acl did with the query: `next`, `REFUSED`, `NODATA` or `drop`. */
async function outcome(h: Handler, name: string, type: number, client: string): Promise<string> {
  const w = new Recorder();
  await h.serveDNS(request(name, type, client), w);
  if (w.dropped) return 'drop';
  if (w.writtenBy === 'next') return 'next';
  assert.equal(w.writtenBy, 'acl');
  assert.equal(w.noCache, true, 'acl\'s own replies are never cacheable');
  const m = w.written!;
  assert.deepEqual([m.answers, m.authorities, m.aa], [[], [], false]);
  return m.rcode === Rcode.REFUSED ? 'REFUSED' : m.rcode === Rcode.NOERROR ? 'NODATA' : `rcode ${m.rcode}`;
}

async function outcomes(h: Handler, asks: ReadonlyArray<readonly [string, number, string]>): Promise<string[]> {
  const out: string[] = [];
  for (const [name, type, client] of asks) out.push(await outcome(h, name, type, client));
  return out;
}

test('acl: IPv4 and IPv6 nets, single addresses, `*`; IPv4-mapped clients match as IPv4 (as CoreDNS\'s iptree)', async () => {
  const h = acl('acl {\nblock net 192.168.0.0/16 fd00::/8 10.0.0.1\nfilter net 2001:db8::1 ::ffff:172.16.0.0/108\ndrop net *\n}');
  const asks: Array<[string, string]> = [
    ['192.168.3.4', 'REFUSED'], ['::ffff:192.168.3.4', 'REFUSED'], ['fd12::1', 'REFUSED'], ['10.0.0.1', 'REFUSED'],
    ['2001:db8::1', 'NODATA'], ['fe80::1%eth0', 'drop'], ['10.0.0.2', 'drop'],
    // A net written IPv4-mapped is an IPv6 net: it never holds a (mapped) IPv4 client.
    ['::ffff:172.16.0.1', 'drop'], ['172.16.0.1', 'drop'],
  ];
  for (const [client, want] of asks) assert.equal(await outcome(h, 'example.org.', RRType.A, client), want, client);
});

test('acl: types; first policy that holds wins; no policy holds: allowed', async () => {
  const h = acl('acl {\nallow net 192.168.1.0/24\nfilter type AAAA\nblock type A MX net 192.168.0.0/16\n}');
  assert.deepEqual(await outcomes(h, [
    ['a.example.', RRType.AAAA, '192.168.1.7'], ['a.example.', RRType.A, '192.168.2.7'], ['a.example.', RRType.MX, '192.168.2.7'],
    ['a.example.', RRType.AAAA, '192.168.2.7'], ['a.example.', RRType.TXT, '192.168.2.7'], ['a.example.', RRType.A, '10.0.0.1'],
  ]), ['next', 'REFUSED', 'REFUSED', 'NODATA', 'next', 'next']);
});

test('acl: rules (directives) in order, each for its zones: allow passes over later rules, no match goes on to them', async () => {
  const h = acl('acl a.example.org {\nallow net 10.0.0.0/8\n}\nacl {\nblock type MX\n}\nacl example.org {\nblock net 10.0.0.0/8 11.0.0.0/8\n}');
  assert.deepEqual(await outcomes(h, [
    ['www.a.example.org.', RRType.MX, '10.1.1.1'], // allowed by the first rule: the MX block is never reached
    ['www.A.Example.ORG.', RRType.A, '10.1.1.1'],
    ['www.a.example.org.', RRType.A, '11.1.1.1'], // the first rule holds no policy for it: the third blocks
    ['www.example.org.', RRType.A, '10.1.1.1'], // outside the first rule's zone
    ['www.example.org.', RRType.MX, '12.1.1.1'],
    ['www.example.com.', RRType.A, '10.1.1.1'], // only the `.` rule's zones hold it
  ]), ['next', 'next', 'REFUSED', 'REFUSED', 'REFUSED', 'next']);
});

test('acl: queries outside its zones pass untouched; an unreadable client address is blocked in them (CoreDNS)', async () => {
  const h = acl('acl cluster.local {\nblock net 10.0.0.0/8\n}', ['.']);
  assert.equal(await outcome(h, 'example.com.', RRType.A, '10.0.0.1'), 'next');
  assert.equal(await outcome(h, 'example.com.', RRType.A, 'not-an-ip'), 'next');
  assert.equal(await outcome(h, 'web.cluster.local.', RRType.A, 'not-an-ip'), 'REFUSED');
});

test('acl: block and filter carry an Extended DNS Error (Blocked 15, Filtered 17) when the client sent EDNS', async () => {
  const h = acl('acl {\nblock type A\nfilter type AAAA\n}');
  for (const [type, rcode, info] of [[RRType.A, Rcode.REFUSED, 15], [RRType.AAAA, Rcode.NOERROR, 17]] as const) {
    const w = new Recorder();
    await h.serveDNS(request('Www.Example.', type, '10.0.0.1', { ...EDNS, do: true, options: [{ code: 10, data: new Uint8Array(8) }] }), w);
    const m = w.written!;
    assert.equal(m.rcode, rcode);
    assert.deepEqual(m.questions, [{ name: 'Www.Example.', type, class: 1 }]);
    assert.deepEqual(readExtendedError(m.edns), { infoCode: info, extraText: '' });
    assert.deepEqual(m.edns!.options.map((o) => o.code), [15], 'only the EDE, not the client\'s cookie');
    assert.equal(m.edns!.udpSize, 1232);
    const plainQuery = new Recorder();
    await h.serveDNS(request('www.example.', type, '10.0.0.1'), plainQuery);
    assert.equal(plainQuery.written!.edns, null, 'no OPT record for a client that sent none (RFC 6891 §7)');
  }
});

test('acl: a reply it let through after looking at the client\'s nets holds only for clients in the same nets', async () => {
  const h = acl('acl {\nfilter type TXT\nblock type A net 10.0.0.0/8\nallow net 10.1.0.0/16\nblock net 10.0.0.0/8 192.168.0.0/16\n}');
  const pass = async (type: number, client: string): Promise<Recorder> => {
    const w = new Recorder();
    await h.serveDNS(request('www.example.', type, client), w);
    assert.equal(w.writtenBy, 'next');
    assert.deepEqual(w.cacheSource, { revision: 0 }, 'still cacheable as the plugin said');
    return w;
  };
  const a = await pass(RRType.A, '172.16.0.1');
  const key = a.vary!;
  assert.ok(key !== null);
  assert.equal(a.varyValue, '000');
  const at = (address: string) => ({ address, port: 1, family: 4 as const });
  assert.deepEqual(['172.16.0.2', '10.1.0.1', '10.2.0.1', '192.168.0.1', '::ffff:10.2.0.1', 'nope'].map((c) => key.of(at(c))), ['000', '111', '101', '001', '101', '-']);
  const aaaa = await pass(RRType.AAAA, '10.1.2.3');
  assert.deepEqual([aaaa.vary, aaaa.varyValue], [key, '111'], 'one key per acl, whatever the question');
  // Decided by a type-only policy before any net was looked at: the same for every client.
  const h2 = acl('acl {\nallow type MX\nblock net 10.0.0.0/8\n}');
  const mx = new Recorder();
  await h2.serveDNS(request('www.example.', RRType.MX, '10.0.0.1'), mx);
  assert.deepEqual([mx.writtenBy, mx.vary], ['next', null]);
  // Outside its zones, or an acl without nets: no declaration.
  for (const [text, name] of [['acl cluster.local {\nblock net 10.0.0.0/8\n}', 'example.org.'], ['acl {\nblock type AXFR\n}', 'example.org.']] as const) {
    const w = new Recorder();
    await acl(text).serveDNS(request(name, RRType.A, '10.0.0.1'), w);
    assert.deepEqual([w.writtenBy, w.vary], ['next', null], text);
  }
});

async function counted(name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

test('acl: metrics with CoreDNS\'s names and labels (blocked, filtered, dropped per zone; allowed per server, outside its zones too)', async () => {
  const h = acl('acl example.org sub.example.org {\nblock type A\nfilter type AAAA\ndrop type MX\n}');
  const server = 'dns://unit:53';
  const zoned = { server, zone: 'sub.example.org.', view: '' };
  const names = ['coredns_acl_blocked_requests_total', 'coredns_acl_filtered_requests_total', 'coredns_acl_dropped_requests_total'];
  const before = await Promise.all(names.map((n) => counted(n, zoned)));
  const allowedBefore = await counted('coredns_acl_allowed_requests_total', { server, view: '' });
  await outcomes(h, [
    ['a.sub.example.org.', RRType.A, '10.0.0.1'], ['a.sub.example.org.', RRType.A, '10.0.0.1'], ['a.sub.example.org.', RRType.AAAA, '10.0.0.1'],
    ['a.sub.example.org.', RRType.MX, '10.0.0.1'], ['a.sub.example.org.', RRType.TXT, '10.0.0.1'], ['a.example.com.', RRType.A, '10.0.0.1'],
  ]);
  assert.deepEqual(await Promise.all(names.map((n) => counted(n, zoned))), before.map((b, i) => b + [2, 1, 1][i]!));
  assert.equal(await counted('coredns_acl_allowed_requests_total', { server, view: '' }), allowedBefore + 2);
});

test('acl: the handler class alone, over rules built by hand', async () => {
  const h = new AclHandler(next, [rule('acl {\nblock net 10.0.0.0/8\n}')]);
  assert.equal(await outcome(h, 'x.', RRType.A, '10.0.0.1'), 'REFUSED');
  assert.equal(await outcome(new AclHandler(next, []), 'x.', RRType.A, '10.0.0.1'), 'next');
});
