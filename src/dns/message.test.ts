import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import dnsPacket from 'dns-packet';
import { decodeMessage, encodeMessage, extendedError, readExtendedError, WireError } from './message.ts';
import { canonicalIP } from './ip.ts';
import type { Edns, Message, ResourceRecord } from './types.ts';

function msg(over: Partial<Message> = {}): Message {
  return {
    id: 0x1234, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, z: false, ad: false,
    cd: false, rcode: 0, questions: [], answers: [], authorities: [], additionals: [], edns: null,
    ...over,
  };
}

function rr(name: string, type: number, data: ResourceRecord['data'], ttl = 300): ResourceRecord {
  return { name, type, class: 1, ttl, data } as ResourceRecord;
}

const edns: Edns = { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] };

/** One record of every supported shape, all in canonical presentation form. */
const samples: readonly ResourceRecord[] = [
  rr('a.example.', 1, '192.0.2.1'),
  rr('a.example.', 1, '0.0.0.0'),
  rr('a.example.', 28, '2001:db8::1'),
  rr('a.example.', 28, '::ffff:1.2.3.4'),
  rr('a.example.', 28, 'fe80:0:0:1::1'),
  rr('www.example.', 5, 'a.example.'),
  rr('example.', 2, 'ns1.example.'),
  rr('1.2.0.192.in-addr.arpa.', 12, 'a.example.'),
  rr('example.', 6, {
    mname: 'ns1.example.', rname: 'hostmaster.example.', serial: 2024010101, refresh: 7200,
    retry: 3600, expire: 1209600, minimum: 4294967295,
  }),
  rr('example.', 15, { preference: 10, exchange: 'mail.example.' }),
  rr('_http._tcp.example.', 33, { priority: 1, weight: 2, port: 8080, target: 'a.example.' }),
  rr('example.', 16, ['v=spf1 -all', '', 'x'.repeat(255), 'caf\u00e9\u0000\u00ff']),
  rr('example.', 65280, new Uint8Array([0, 1, 2, 254, 255])),
  rr('example.', 43, new Uint8Array([0x30, 0x39, 8, 2, 0xde, 0xad])),
];

type PacketAnswer = { name: string; type: string; ttl?: number; data?: unknown };

/** What dns-packet should decode a sample into (its names have no trailing dot). */
function packetData(r: ResourceRecord): unknown {
  const strip = (n: string): string => (n === '.' ? '.' : n.slice(0, -1));
  const d = r.data as unknown;
  switch (r.type) {
    case 1: return d;
    case 28: return canonicalIP(d as string);
    case 2: case 5: case 12: return strip(d as string);
    case 6: { const s = r.data as { mname: string; rname: string }; return { ...s, mname: strip(s.mname), rname: strip(s.rname) }; }
    case 15: { const s = r.data as { preference: number; exchange: string }; return { ...s, exchange: strip(s.exchange) }; }
    case 33: { const s = r.data as { target: string }; return { ...s, target: strip(s.target) }; }
    case 16: return (d as string[]).map((s) => Buffer.from(s, 'latin1'));
    default: return Buffer.from(d as Uint8Array);
  }
}

function normalizePacketData(type: number, data: unknown): unknown {
  if (type === 28) return canonicalIP(data as string);
  if (type === 43) {
    const ds = data as { keyTag: number; algorithm: number; digestType: number; digest: Buffer };
    return Buffer.from([ds.keyTag >> 8, ds.keyTag & 0xff, ds.algorithm, ds.digestType, ...ds.digest]);
  }
  return data;
}

test('oracle: every supported type encoded by us decodes identically with dns-packet', () => {
  for (const sample of samples) {
    const wire = encodeMessage(msg({ questions: [{ name: sample.name, type: sample.type, class: 1 }], answers: [sample] }));
    const p = dnsPacket.decode(Buffer.from(wire));
    const a = p.answers?.[0] as PacketAnswer | undefined;
    assert.ok(a, `type ${sample.type}: dns-packet saw an answer`);
    assert.equal(a.name, sample.name.slice(0, -1));
    assert.equal(a.ttl, 300);
    assert.deepEqual(normalizePacketData(sample.type, a.data), packetData(sample), `type ${sample.type}`);
  }
});

test('oracle: dns-packet encodings decode into our model', () => {
  const toPacket = (r: ResourceRecord): dnsPacket.Answer => {
    const typeName = ({
      1: 'A', 28: 'AAAA', 5: 'CNAME', 2: 'NS', 12: 'PTR', 6: 'SOA', 15: 'MX', 33: 'SRV', 16: 'TXT', 43: 'DS',
    } as Record<number, string>)[r.type] ?? `UNKNOWN_${r.type}`;
    let data = packetData(r);
    if (r.type === 43) data = { keyTag: 0x3039, algorithm: 8, digestType: 2, digest: Buffer.from([0xde, 0xad]) };
    return { name: r.name.slice(0, -1), type: typeName, ttl: r.ttl, class: 'IN', data } as unknown as dnsPacket.Answer;
  };
  for (const sample of samples) {
    const wire = dnsPacket.encode({
      type: 'response', id: 99, flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: sample.name.slice(0, -1), type: 'A', class: 'IN' }],
      answers: [toPacket(sample)],
    });
    const m = decodeMessage(wire);
    assert.equal(m.id, 99);
    assert.equal(m.rd, true);
    assert.equal(m.questions[0]?.name, sample.name);
    assert.deepEqual(m.answers, [sample], `type ${sample.type}`);
  }
});

test('oracle: header flags, opcode and rcode agree with dns-packet in both directions', () => {
  const flags = ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const;
  for (const f of flags) {
    const m = msg({ qr: false, aa: false, rd: false, ra: false, [f]: true, opcode: 2, rcode: 5 });
    const p = dnsPacket.decode(Buffer.from(encodeMessage(m))) as unknown as Record<string, unknown>;
    for (const g of flags) assert.equal(p[`flag_${g}`], g === f, `${f} set, flag_${g}`);
    assert.equal(p['opcode'], 'STATUS');
    assert.equal(p['rcode'], 'REFUSED');
    const back = decodeMessage(dnsPacket.encode(p as unknown as dnsPacket.Packet));
    for (const g of flags) assert.equal(back[g], g === f);
    assert.equal(back.opcode, 2);
    assert.equal(back.rcode, 5);
  }
});

test('oracle: EDNS OPT record both ways (size, version, DO, extended rcode, options)', () => {
  const e: Edns = {
    udpSize: 4096, version: 0, do: true, extendedRcode: 0,
    options: [{ code: 10, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }, { code: 65001, data: new Uint8Array(0) }],
  };
  const wire = encodeMessage(msg({ questions: [{ name: 'example.', type: 1, class: 1 }], rcode: 16, edns: e }));
  const p = dnsPacket.decode(Buffer.from(wire));
  const opt = p.additionals?.at(-1) as unknown as {
    type: string; name: string; udpPayloadSize: number; extendedRcode: number; ednsVersion: number; flag_do: boolean;
    options: { code: number; data: Buffer }[];
  };
  assert.equal(opt.type, 'OPT');
  assert.equal(opt.name, '.');
  assert.equal(opt.udpPayloadSize, 4096);
  assert.equal(opt.extendedRcode, 1, 'BADVERS (16) puts 1 in the OPT TTL');
  assert.equal(opt.flag_do, true);
  assert.equal((p as unknown as { rcode: string }).rcode, 'NOERROR', 'header keeps only the low 4 bits of 16');
  assert.deepEqual(opt.options.map((o) => [o.code, [...o.data]]), [[10, [1, 2, 3, 4, 5, 6, 7, 8]], [65001, []]]);

  const fromPacket = dnsPacket.encode({
    type: 'query', id: 1, questions: [{ name: 'example', type: 'A', class: 'IN' }],
    additionals: [{
      type: 'OPT', name: '.', udpPayloadSize: 300, extendedRcode: 2, ednsVersion: 1, flags: dnsPacket.DNSSEC_OK,
      options: [{ code: 65002, data: Buffer.from([9, 9]) }],
    } as unknown as dnsPacket.Answer],
  });
  const m = decodeMessage(fromPacket);
  assert.deepEqual(m.edns, { udpSize: 300, extendedRcode: 2, version: 1, do: true, options: [{ code: 65002, data: new Uint8Array([9, 9]) }] });
  assert.equal(m.rcode, 32, 'full rcode = header | extended << 4');
  assert.deepEqual(m.additionals, [], 'OPT is not in the additional section');
});

test('Extended DNS Error (RFC 8914): INFO-CODE then UTF-8 EXTRA-TEXT, in the OPT record both ways', () => {
  assert.deepEqual(extendedError(15), { code: 15, data: new Uint8Array([0, 15]) });
  assert.deepEqual([...extendedError(0x1234, 'né').data], [0x12, 0x34, 0x6e, 0xc3, 0xa9]);
  const wire = encodeMessage(msg({ rcode: 5, edns: { ...edns, options: [{ code: 10, data: new Uint8Array(8) }, extendedError(17, 'acl')] } }));
  const opt = dnsPacket.decode(Buffer.from(wire)).additionals?.at(-1) as unknown as { options: { code: number; data: Buffer }[] };
  assert.deepEqual(opt.options.map((o) => [o.code, o.data.toString('latin1')]), [[10, '\0'.repeat(8)], [15, '\0\x11acl']]);
  assert.deepEqual(readExtendedError(decodeMessage(wire).edns), { infoCode: 17, extraText: 'acl' });
  assert.equal(readExtendedError(null), null);
  assert.equal(readExtendedError(edns), null);
  assert.equal(readExtendedError({ ...edns, options: [{ code: 15, data: new Uint8Array([1]) }] }), null, 'too short to hold an INFO-CODE');
});

test('triple round trip: encode → decode → re-encode is byte-identical and decode restores the message', () => {
  const m = msg({
    questions: [{ name: 'Www.Example.', type: 255, class: 1 }],
    answers: samples,
    authorities: [rr('example.', 2, 'ns1.example.'), rr('example.', 2, 'NS2.Example.')],
    additionals: [rr('ns1.example.', 1, '192.0.2.53'), rr('ns1.example.', 28, '2001:db8::53')],
    edns: { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [{ code: 12, data: new Uint8Array(3) }] },
  });
  const first = encodeMessage(m);
  const decoded = decodeMessage(first);
  assert.deepEqual(decoded, m);
  const second = encodeMessage(decoded);
  assert.deepEqual(Buffer.from(second), Buffer.from(first));
  const third = encodeMessage(decodeMessage(second));
  assert.deepEqual(Buffer.from(third), Buffer.from(first));
});

test('escaped labels survive the wire: \\. \\\\ \\DDD and zone-file specials', () => {
  const names = ['a\\.b.example.', 'back\\\\slash.example.', 'sp\\ ace.example.', 'nul\\000\\255.example.', 'q\\"\\;\\@\\(\\).example.'];
  for (const name of names) {
    const wire = encodeMessage(msg({ questions: [{ name, type: 1, class: 1 }] }));
    assert.equal(decodeMessage(wire).questions[0]?.name, name);
  }
  const wire = Buffer.from(encodeMessage(msg({ questions: [{ name: 'a\\.b\\065\\\\.x.', type: 1, class: 1 }] })));
  // One label of 5 octets (a . b A \) then "x".
  assert.deepEqual([...wire.subarray(12, 12 + 10)], [5, 0x61, 0x2e, 0x62, 0x41, 0x5c, 1, 0x78, 0, 0]);
  // \065 is printable, so it decodes to plain "A".
  assert.equal(decodeMessage(wire).questions[0]?.name, 'a\\.bA\\\\.x.');
});

test('names without a trailing dot are encoded as absolute; the root is one zero octet', () => {
  const wire = Buffer.from(encodeMessage(msg({ questions: [{ name: 'example', type: 1, class: 1 }, { name: '.', type: 2, class: 1 }] })));
  assert.deepEqual([...wire.subarray(12, 21)], [7, ...Buffer.from('example'), 0]);
  assert.deepEqual([...wire.subarray(25, 26)], [0]);
  assert.deepEqual(decodeMessage(wire).questions.map((q) => q.name), ['example.', '.']);
});

test('compression: shared suffixes become pointers and shrink the message', () => {
  const m = msg({
    questions: [{ name: 'www.example.com.', type: 1, class: 1 }],
    answers: [
      rr('www.example.com.', 5, 'web.example.com.'),
      rr('web.example.com.', 1, '192.0.2.7'),
    ],
    authorities: [rr('example.com.', 2, 'ns.example.com.')],
    additionals: [rr('example.com.', 15, { preference: 5, exchange: 'mx.example.com.' })],
  });
  const wire = Buffer.from(encodeMessage(m));
  // question name at 12: 3www 7example 3com 0 → "example.com." starts at 16
  // answer 1 owner = pointer to 12
  const ans1 = 12 + 17 + 4;
  assert.deepEqual([...wire.subarray(ans1, ans1 + 2)], [0xc0, 12]);
  // CNAME rdata = 3web + pointer to 16
  const rdata1 = ans1 + 2 + 10;
  assert.deepEqual([...wire.subarray(rdata1, rdata1 + 6)], [3, 0x77, 0x65, 0x62, 0xc0, 16]);
  assert.equal(wire.readUInt16BE(rdata1 - 2), 6, 'CNAME RDLENGTH counts the compressed form');
  // answer 2 owner = pointer to the CNAME target
  assert.deepEqual([...wire.subarray(rdata1 + 6, rdata1 + 8)], [0xc0, rdata1]);
  // authority owner "example.com." is a suffix of the question name: a bare pointer to 16
  const ns1 = rdata1 + 6 + 2 + 10 + 4;
  assert.deepEqual([...wire.subarray(ns1, ns1 + 2)], [0xc0, 16]);
  const packet = {
    type: 'response' as const, id: 1,
    questions: [{ name: 'www.example.com', type: 'A' as const }],
    answers: [
      { name: 'www.example.com', type: 'CNAME' as const, ttl: 300, data: 'web.example.com' },
      { name: 'web.example.com', type: 'A' as const, ttl: 300, data: '192.0.2.7' },
    ],
    authorities: [{ name: 'example.com', type: 'NS' as const, data: 'ns.example.com' }],
    additionals: [{ name: 'example.com', type: 'MX' as const, data: { preference: 5, exchange: 'mx.example.com' } }],
  };
  const uncompressed = dnsPacket.encode(packet);
  assert.ok(wire.length < uncompressed.length - 40, `${wire.length} vs uncompressed ${uncompressed.length}`);
  assert.deepEqual(decodeMessage(wire), m);
  assert.deepEqual(decodeMessage(uncompressed).answers, m.answers);
});

test('compression: a name equal to a suffix of an earlier name is a bare pointer', () => {
  const m = msg({
    questions: [{ name: 'www.example.com.', type: 1, class: 1 }],
    answers: [rr('example.com.', 1, '192.0.2.1'), rr('com.', 1, '192.0.2.2')],
  });
  const wire = Buffer.from(encodeMessage(m));
  const a1 = 12 + 17 + 4;
  assert.deepEqual([...wire.subarray(a1, a1 + 2)], [0xc0, 16]);
  const a2 = a1 + 2 + 14;
  assert.deepEqual([...wire.subarray(a2, a2 + 2)], [0xc0, 24]);
  assert.equal(wire.length, a2 + 2 + 14);
  assert.deepEqual(decodeMessage(wire), m);
});

/**
 * A deliberately simple reference for RFC 1035 §4.1.4 compression: every suffix is registered
 * eagerly at its first occurrence (offset ≤ 0x3FFF), the longest known suffix becomes a
 * pointer, SRV targets are registered but never compressed. Names here have no escapes.
 */
function referenceEncode(m: Message): Buffer {
  const bytes: number[] = [];
  const known = new Map<string, number>();
  const u16 = (v: number): void => { bytes.push(v >> 8, v & 0xff); };
  const name = (n: string, compress: boolean): void => {
    const labs = n === '.' ? [] : n.slice(0, -1).split('.');
    for (let k = 0; k < labs.length; k++) {
      const suffix = labs.slice(k).join('.') + '.';
      const at = known.get(suffix);
      if (at !== undefined && compress) { u16(0xc000 | at); return; }
      if (at === undefined && bytes.length <= 0x3fff) known.set(suffix, bytes.length);
      bytes.push(labs[k]!.length, ...Buffer.from(labs[k]!, 'latin1'));
    }
    bytes.push(0);
  };
  // Flags 0x8580: QR AA RD RA, as msg() sets them.
  u16(m.id); u16(0x8580); u16(m.questions.length); u16(m.answers.length); u16(0); u16(0);
  for (const q of m.questions) { name(q.name, true); u16(q.type); u16(q.class); }
  for (const r of m.answers) {
    name(r.name, true); u16(r.type); u16(r.class); u16(r.ttl >>> 16); u16(r.ttl & 0xffff);
    const lenAt = bytes.length;
    u16(0);
    const d = r.data as unknown;
    if (r.type === 1) bytes.push(...(d as string).split('.').map(Number));
    else if (r.type === 33) { const v = d as { priority: number; weight: number; port: number; target: string }; u16(v.priority); u16(v.weight); u16(v.port); name(v.target, false); }
    else if (r.type === 15) { const v = d as { preference: number; exchange: string }; u16(v.preference); name(v.exchange, true); }
    else name(d as string, true);
    const rdlen = bytes.length - lenAt - 2;
    bytes[lenAt] = rdlen >> 8;
    bytes[lenAt + 1] = rdlen & 0xff;
  }
  return Buffer.from(bytes);
}

test('compression matches a simple eager reference on random messages (and both decoders agree)', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const vocab = ['a', 'B', 'svc', 'Svc', 'cluster', 'local', 'ns', 'www', 'pod-1', 'x'];
  const randomName = (): string => {
    const k = 1 + rand(4);
    let out = '';
    for (let i = 0; i < k; i++) out += vocab[rand(vocab.length)]! + '.';
    return out;
  };
  for (let iter = 0; iter < 300; iter++) {
    const answers: ResourceRecord[] = [];
    const count = rand(12);
    for (let i = 0; i < count; i++) {
      const owner = randomName();
      switch (rand(5)) {
        case 0: answers.push(rr(owner, 1, `10.0.0.${rand(256)}`)); break;
        case 1: answers.push(rr(owner, [2, 5, 12][rand(3)]!, randomName())); break;
        case 2: answers.push(rr(owner, 15, { preference: rand(100), exchange: randomName() })); break;
        case 3: answers.push(rr(owner, 33, { priority: rand(10), weight: rand(10), port: 1 + rand(60000), target: randomName() })); break;
        default: answers.push(rr(owner, 1, '192.0.2.1'));
      }
    }
    const m = msg({ questions: [{ name: randomName(), type: 1, class: 1 }], answers });
    const wire = Buffer.from(encodeMessage(m));
    assert.deepEqual(wire, referenceEncode(m), `iteration ${iter}`);
    assert.deepEqual(decodeMessage(wire), m);
    const p = dnsPacket.decode(wire);
    assert.deepEqual(p.answers?.map((a) => a.name), answers.map((a) => a.name.slice(0, -1)));
  }
});

test('compression is case-sensitive: a suffix is reused only when its bytes match', () => {
  const m = msg({
    questions: [{ name: 'WWW.Example.COM.', type: 1, class: 1 }],
    answers: [
      rr('www.example.com.', 1, '192.0.2.1'), // differs in case everywhere: no pointer at all
      rr('www.Example.COM.', 1, '192.0.2.2'), // shares "Example.COM." with the question
      rr('WWW.Example.COM.', 1, '192.0.2.3'), // exact question spelling
    ],
  });
  const wire = Buffer.from(encodeMessage(m));
  const a1 = 12 + 17 + 4;
  assert.deepEqual([...wire.subarray(a1, a1 + 17)], [3, ...Buffer.from('www'), 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]);
  const a2 = a1 + 17 + 14;
  assert.deepEqual([...wire.subarray(a2, a2 + 6)], [3, ...Buffer.from('www'), 0xc0, 16]);
  const a3 = a2 + 6 + 14;
  assert.deepEqual([...wire.subarray(a3, a3 + 2)], [0xc0, 12]);
  const d = decodeMessage(wire);
  assert.deepEqual(d.answers.map((a) => a.name), ['www.example.com.', 'www.Example.COM.', 'WWW.Example.COM.']);
  assert.equal(d.questions[0]?.name, 'WWW.Example.COM.');
});

test('SRV targets are never compressed (RFC 2782) but later names may point into them', () => {
  const m = msg({
    questions: [{ name: '_http._tcp.web.example.', type: 33, class: 1 }],
    answers: [rr('_http._tcp.web.example.', 33, { priority: 0, weight: 0, port: 80, target: 'pod.web.example.' })],
    additionals: [rr('pod.web.example.', 1, '10.0.0.1')],
  });
  const wire = Buffer.from(encodeMessage(m));
  const target = Buffer.from([3, ...Buffer.from('pod'), 3, ...Buffer.from('web'), 7, ...Buffer.from('example'), 0]);
  const at = wire.indexOf(target);
  assert.ok(at > 0, 'the SRV target is written in full');
  const owner = at + target.length;
  assert.deepEqual([...wire.subarray(owner, owner + 2)], [0xc0, at], 'the additional owner points at the SRV target');
  assert.deepEqual(decodeMessage(wire), m);
});

test('names past offset 0x3FFF are not used as pointer targets', () => {
  const m = msg({
    answers: [
      rr('pad.example.', 65280, new Uint8Array(0x4000)),
      rr('late.example.', 1, '192.0.2.1'),
      rr('late.example.', 1, '192.0.2.2'),
    ],
  });
  const wire = Buffer.from(encodeMessage(m));
  const literal = Buffer.from([4, ...Buffer.from('late'), 0xc0]);
  const first = wire.indexOf(literal, 0x4000);
  assert.ok(first > 0x4000);
  assert.ok(wire.indexOf(literal, first + 1) > first, 'the second owner is written out again');
  assert.deepEqual(decodeMessage(wire), m);
  assert.equal(dnsPacket.decode(wire).answers?.length, 3);
});

test('extended rcode needs EDNS; rcode and counts are checked on encode', () => {
  assert.throws(() => encodeMessage(msg({ rcode: 16 })), WireError);
  const wire = encodeMessage(msg({ rcode: 16, edns }));
  const d = decodeMessage(wire);
  assert.equal(d.rcode, 16);
  assert.equal(d.edns?.extendedRcode, 1);
  assert.equal(wire[3]! & 0xf, 0);
});

test('encoding rejects data that does not match the type, with WireError', () => {
  const bad: ResourceRecord[] = [
    rr('x.', 1, '1.2.3'), rr('x.', 1, '01.2.3.4'), rr('x.', 28, '1.2.3.4'), rr('x.', 28, 'fe80::1%eth0'),
    rr('x.', 5, { preference: 1, exchange: 'y.' }), rr('x.', 16, ['\u0100']), rr('x.', 16, ['x'.repeat(256)]),
    rr('x.', 65280, 'text'), rr('x..', 1, '1.2.3.4'), rr(`${'a'.repeat(64)}.`, 1, '1.2.3.4'),
    rr(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}.`, 1, '1.2.3.4'),
    rr('bad\\2.x.', 1, '1.2.3.4'), rr('bad\\256.x.', 1, '1.2.3.4'), rr('bad\\', 1, '1.2.3.4'),
    rr('x.', 65280, new Uint8Array(65536)),
  ];
  for (const r of bad) {
    assert.throws(() => encodeMessage(msg({ answers: [r] })), WireError, `${r.name} type ${r.type}`);
  }
  // The longest legal name (255 octets) is fine.
  const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`;
  assert.equal(decodeMessage(encodeMessage(msg({ questions: [{ name: longest, type: 1, class: 1 }] }))).questions[0]?.name, longest);
});

test('a message over 65535 octets without maxSize is an error', () => {
  const big = Array.from({ length: 5 }, (_, i) => rr(`r${i}.example.`, 65280, new Uint8Array(15000)));
  assert.throws(() => encodeMessage(msg({ answers: big })), WireError);
  assert.throws(() => encodeMessage(msg({}), 11), WireError);
  assert.throws(() => encodeMessage(msg({}), Number.NaN), WireError);
});

// ----------------------------------------------------------------------------------------------
// Truncation
// ----------------------------------------------------------------------------------------------

const question = [{ name: 'web.shop.svc.cluster.local.', type: 1, class: 1 }];
const qname = question[0]!.name;
function aRecords(n: number, name = qname): ResourceRecord[] {
  return Array.from({ length: n }, (_, i) => rr(name, 1, `10.0.${i >> 8}.${i & 255}`));
}
/**
 * Header 12 + question 28 + 4; each A record whose owner is fully compressed is 2 + 10 + 4 = 16.
 * The first "glue." additional is 1+4+2 + 14 = 21 (then 16 each): 44 + 3·16 + 21 + 24·16 = 497,
 * one more would be 513, so 25 fit in 512 (and 497 + 11 for OPT = 508 still fits).
 * The first "ns." authority is 1+2+2 + 14 = 19: 44 + 2·16 + 19 + 26·16 = 511, so 27 fit.
 */
const BASE = 12 + 28 + 4;

interface TruncCase {
  readonly name: string;
  readonly m: Message;
  readonly maxSize: number;
  readonly answers: number;
  readonly authorities: number;
  readonly additionals: number;
  readonly tc: boolean;
  readonly opt: boolean;
}

const truncCases: TruncCase[] = [
  { name: 'fits: untouched', m: msg({ questions: question, answers: aRecords(5) }), maxSize: 512, answers: 5, authorities: 0, additionals: 0, tc: false, opt: false },
  { name: '512 without EDNS drops answers and sets TC', m: msg({ questions: question, answers: aRecords(40) }), maxSize: 512, answers: Math.floor((512 - BASE) / 16), authorities: 0, additionals: 0, tc: true, opt: false },
  { name: 'EDNS size, OPT kept', m: msg({ questions: question, answers: aRecords(100), edns }), maxSize: 1232, answers: Math.floor((1232 - BASE - 11) / 16), authorities: 0, additionals: 0, tc: true, opt: true },
  { name: 'additionals dropped first, no TC', m: msg({ questions: question, answers: aRecords(3), additionals: aRecords(40, 'glue.shop.svc.cluster.local.') }), maxSize: 512, answers: 3, authorities: 0, additionals: 25, tc: false, opt: false },
  { name: 'additionals dropped with EDNS, OPT kept, no TC', m: msg({ questions: question, answers: aRecords(3), additionals: aRecords(40, 'glue.shop.svc.cluster.local.'), edns }), maxSize: 512, answers: 3, authorities: 0, additionals: 25, tc: false, opt: true },
  { name: 'authority dropped sets TC and stops additionals', m: msg({ questions: question, answers: aRecords(2), authorities: aRecords(40, 'ns.shop.svc.cluster.local.'), additionals: aRecords(1) }), maxSize: 512, answers: 2, authorities: 27, additionals: 0, tc: true, opt: false },
  { name: 'stops at the first record that does not fit', m: msg({ questions: question, answers: [...aRecords(1), rr(qname, 65280, new Uint8Array(600)), ...aRecords(3)] }), maxSize: 512, answers: 1, authorities: 0, additionals: 0, tc: true, opt: false },
  { name: 'question does not fit: header only with TC', m: msg({ questions: question, answers: aRecords(1) }), maxSize: 30, answers: 0, authorities: 0, additionals: 0, tc: true, opt: false },
  { name: 'TC already set stays set', m: msg({ questions: question, answers: aRecords(1), tc: true }), maxSize: 512, answers: 1, authorities: 0, additionals: 0, tc: true, opt: false },
];

for (const c of truncCases) {
  test(`truncation: ${c.name}`, () => {
    const wire = encodeMessage(c.m, c.maxSize);
    assert.ok(wire.length <= c.maxSize, `${wire.length} <= ${c.maxSize}`);
    const d = decodeMessage(wire);
    assert.equal(d.answers.length, c.answers, 'answers');
    assert.equal(d.authorities.length, c.authorities, 'authorities');
    assert.equal(d.additionals.length, c.additionals, 'additionals');
    assert.equal(d.tc, c.tc, 'TC');
    assert.equal(d.edns !== null, c.opt, 'OPT');
    // Kept records are the leading ones, unchanged.
    assert.deepEqual(d.answers, c.m.answers.slice(0, c.answers));
    assert.deepEqual(d.authorities, c.m.authorities.slice(0, c.authorities));
    assert.deepEqual(d.additionals, c.m.additionals.slice(0, c.additionals));
    if (c.opt) {
      const p = dnsPacket.decode(Buffer.from(wire));
      assert.equal((p.additionals?.at(-1) as { type: string } | undefined)?.type, 'OPT', 'OPT is the last record');
    }
  });
}

test('truncation: exactly at the limit keeps everything; one octet less drops the last record', () => {
  const m = msg({ questions: question, answers: aRecords(3), additionals: aRecords(2), edns });
  const full = encodeMessage(m);
  assert.deepEqual(Buffer.from(encodeMessage(m, full.length)), Buffer.from(full));
  const less = decodeMessage(encodeMessage(m, full.length - 1));
  assert.equal(less.additionals.length, 1);
  assert.equal(less.tc, false, 'only an additional was dropped');
  assert.ok(less.edns);
});

test('truncation: the result never exceeds maxSize and always decodes, for every size', () => {
  const m = msg({
    questions: question,
    answers: [...aRecords(10), rr(qname, 16, ['t'.repeat(200), 'u'.repeat(100)])],
    authorities: [rr('cluster.local.', 6, { mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 })],
    additionals: aRecords(10, 'x.cluster.local.'),
    edns: { ...edns, options: [{ code: 10, data: new Uint8Array(16) }] },
  });
  const full = encodeMessage(m).length;
  for (let size = 12; size <= full + 5; size++) {
    const wire = encodeMessage(m, size);
    assert.ok(wire.length <= size, `size ${size}: got ${wire.length}`);
    const d = decodeMessage(wire);
    const dropped = d.answers.length < m.answers.length || d.authorities.length < m.authorities.length;
    assert.equal(d.tc, dropped || d.questions.length === 0, `size ${size}: TC`);
    if (size >= full) assert.equal(wire.length, full);
  }
});

// ----------------------------------------------------------------------------------------------
// Malformed input
// ----------------------------------------------------------------------------------------------

function hdr(qd: number, an = 0, ns = 0, ar = 0, flags = 0x0100): number[] {
  return [0xab, 0xcd, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar];
}
const Q = [7, ...Buffer.from('example'), 0, 0, 1, 0, 1]; // example. A IN at offset 12
const rrHead = (type: number, rdlen: number): number[] => [0xc0, 12, type >> 8, type & 0xff, 0, 1, 0, 0, 0, 60, rdlen >> 8, rdlen & 0xff];
const optRR = (rdata: number[] = []): number[] => [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 0xff, ...rdata];

const malformed: [string, number[]][] = [
  ['empty', []],
  ['header shorter than 12', hdr(0).slice(0, 11)],
  ['question missing', hdr(1)],
  ['question type/class truncated', [...hdr(1), ...Q.slice(0, -2)]],
  ['label runs past the end', [...hdr(1), 7, ...Buffer.from('exam')]],
  ['name without terminator', [...hdr(1), 3, ...Buffer.from('abc')]],
  ['pointer to itself', [...hdr(1), 0xc0, 12, 0, 1, 0, 1]],
  ['pointer loop between two pointers', [...hdr(1), 0xc0, 14, 0xc0, 12, 0, 1, 0, 1]],
  ['pointer loop through labels', [...hdr(2), 1, 0x61, 0, 0, 1, 0, 1, 1, 0x62, 0xc0, 19, 0, 1, 0, 1]],
  ['forward pointer', [...hdr(1), 0xc0, 14, 1, 0x61, 0, 0, 1, 0, 1]],
  ['pointer beyond the message', [...hdr(1), 0xff, 0xff, 0, 1, 0, 1]],
  ['pointer into the header', [...hdr(1), 0xc0, 2, 0, 1, 0, 1]],
  ['truncated pointer', [...hdr(1), 0xc0]],
  ['label length 64', [...hdr(1), 64, ...new Array<number>(64).fill(0x61), 0, 0, 1, 0, 1]],
  ['extended label type 0x40', [...hdr(1), 0x41, 0, 0, 0, 1, 0, 1]],
  ['label type 0x80', [...hdr(1), 0x81, 0x61, 0, 0, 1, 0, 1]],
  ['name over 255 octets', [...hdr(1), ...[0, 1, 2, 3].flatMap(() => [63, ...new Array<number>(63).fill(0x61)]), 0, 0, 1, 0, 1]],
  ['name over 255 octets through pointers', [...hdr(2), ...[0, 1, 2].flatMap(() => [63, ...new Array<number>(63).fill(0x61)]), 0, 0, 1, 0, 1,
    63, ...new Array<number>(63).fill(0x62), 0xc0, 12, 0, 1, 0, 1]],
  ['answer count lies', [...hdr(1, 2), ...Q, ...rrHead(1, 4), 192, 0, 2, 1]],
  ['additional count lies', [...hdr(1, 0, 0, 1), ...Q]],
  ['record header truncated', [...hdr(1, 1), ...Q, ...rrHead(1, 4).slice(0, 8)]],
  ['RDLENGTH overruns the message', [...hdr(1, 1), ...Q, ...rrHead(1, 4), 192, 0, 2]],
  ['A with 3 octets', [...hdr(1, 1), ...Q, ...rrHead(1, 3), 192, 0, 2]],
  ['AAAA with 15 octets', [...hdr(1, 1), ...Q, ...rrHead(28, 15), ...new Array<number>(15).fill(0)]],
  ['CNAME name shorter than RDLENGTH', [...hdr(1, 1), ...Q, ...rrHead(5, 4), 0xc0, 12, 0, 0]],
  ['CNAME name longer than RDLENGTH', [...hdr(1, 1), ...Q, ...rrHead(5, 2), 1, 0x61, 0, 0]],
  ['SOA fixed fields short', [...hdr(1, 1), ...Q, ...rrHead(6, 8), 0xc0, 12, 0xc0, 12, 0, 0, 0, 1]],
  ['MX too short', [...hdr(1, 1), ...Q, ...rrHead(15, 2), 0, 10]],
  ['SRV too short', [...hdr(1, 1), ...Q, ...rrHead(33, 6), 0, 1, 0, 1, 0, 80]],
  ['TXT string overruns RDLENGTH', [...hdr(1, 1), ...Q, ...rrHead(16, 3), 5, 0x61, 0x62]],
  ['OPT option overruns RDLENGTH', [...hdr(1, 0, 0, 1), ...Q, ...optRR([0, 10, 0, 8, 1, 2])]],
  ['OPT option header truncated', [...hdr(1, 0, 0, 1), ...Q, ...optRR([0, 10, 0])]],
  ['second OPT record', [...hdr(1, 0, 0, 2), ...Q, ...optRR(), ...optRR()]],
  ['huge counts', [...hdr(0xffff, 0xffff, 0xffff, 0xffff)]],
];

for (const [name, bytes] of malformed) {
  test(`malformed input throws WireError: ${name}`, () => {
    assert.throws(() => decodeMessage(new Uint8Array(bytes)), (e: unknown) => {
      assert.ok(e instanceof WireError, `got ${String(e)}`);
      assert.equal(e.code, 'PODNS_ERR_WIRE');
      return true;
    });
  });
}

test('well-formed edge cases decode: trailing octets, backward pointers, empty RDATA, non-IN A, OPT size < 512', () => {
  const trailing = decodeMessage(new Uint8Array([...hdr(1), ...Q, 0xde, 0xad]));
  assert.deepEqual(trailing.questions, [{ name: 'example.', type: 1, class: 1 }]);
  const chained = decodeMessage(new Uint8Array([...hdr(2), ...Q, 3, ...Buffer.from('www'), 0xc0, 12, 0, 28, 0, 1]));
  assert.equal(chained.questions[1]?.name, 'www.example.');
  const empty = decodeMessage(new Uint8Array([...hdr(1, 1), ...Q, ...rrHead(1, 0)]));
  assert.deepEqual(empty.answers[0]?.data, new Uint8Array(0));
  // A CHAOS-class A record (a name plus a 16-bit address) is not an IN A record: kept raw.
  const chaos = [...hdr(1, 1), ...Q, 0xc0, 12, 0, 1, 0, 3, 0, 0, 0, 60, 0, 4, 0xc0, 12, 0x01, 0x02];
  assert.deepEqual(decodeMessage(new Uint8Array(chaos)).answers[0]?.data, new Uint8Array([0xc0, 12, 1, 2]));
  const chaosLong = [...hdr(1, 1), ...Q, 0xc0, 12, 0, 1, 0, 3, 0, 0, 0, 60, 0, 6, 1, 0x61, 0, 0, 0x01, 0x02];
  assert.deepEqual(decodeMessage(new Uint8Array(chaosLong)).answers[0]?.data, new Uint8Array([1, 0x61, 0, 0, 1, 2]));
  const small = decodeMessage(new Uint8Array([...hdr(1, 0, 0, 1), ...Q, 0, 0, 41, 0, 100, 0, 0, 0, 0, 0, 0]));
  assert.equal(small.edns?.udpSize, 100);
  // A Uint8Array view into a larger buffer (not a Buffer) decodes from its own offset.
  const backing = new Uint8Array(100);
  backing.set([...hdr(1), ...Q], 40);
  assert.equal(decodeMessage(backing.subarray(40, 40 + 12 + Q.length)).questions[0]?.name, 'example.');
});

test('fuzz: mutated and random packets either decode or throw WireError, never hang', () => {
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const bases = [
    Buffer.from(encodeMessage(msg({ questions: [{ name: 'www.example.com.', type: 1, class: 1 }], answers: samples, edns }))),
    Buffer.from(encodeMessage(msg({ questions: question, answers: aRecords(4), authorities: [rr('shop.svc.cluster.local.', 2, 'ns.shop.svc.cluster.local.')] }))),
  ];
  let decoded = 0;
  const started = Date.now();
  for (let i = 0; i < 20000; i++) {
    const base = bases[i % bases.length]!;
    let b: Buffer;
    if (i % 10 === 0) {
      b = Buffer.alloc(rand(300));
      for (let k = 0; k < b.length; k++) b[k] = rand(256);
      if (b.length >= 12) b[4] = 0; // keep counts plausible sometimes
    } else {
      b = Buffer.from(base.subarray(0, base.length - (i % 7 === 0 ? rand(base.length) : 0)));
      for (let k = rand(4) + 1; k > 0 && b.length > 0; k--) b[rand(b.length)] = rand(256);
    }
    try {
      decodeMessage(b);
      decoded++;
    } catch (e) {
      if (!(e instanceof WireError)) assert.fail(`iteration ${i}: ${String(e)} for ${b.toString('hex')}`);
    }
  }
  assert.ok(decoded > 100, `some mutations still decode (${decoded})`);
  assert.ok(Date.now() - started < 10_000);
});
