import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import dnsPacket from 'dns-packet';
import { errorReply, inspectQuery, questionKey } from './header.ts';
import { decodeMessage, WireError } from './message.ts';
import { rawHeader } from '../testing/wire.ts';

const header = rawHeader;

test('inspectQuery table (miekg/dns defaultMsgAcceptFunc rules)', () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['plain query', header(), 'accept', 'ok'],
    ['11 octets', header().subarray(0, 11), 'ignore', 'short'],
    ['empty', new Uint8Array(0), 'ignore', 'short'],
    ['response', header({ flags: 0x8100 }), 'ignore', 'response'],
    ['response with UPDATE opcode', header({ flags: 0x8000 | (5 << 11) }), 'ignore', 'response'],
    ['IQUERY', header({ flags: 1 << 11 }), 'notimp', 'opcode'],
    ['STATUS', header({ flags: 2 << 11 }), 'notimp', 'opcode'],
    ['NOTIFY', header({ flags: 4 << 11 }), 'notimp', 'opcode'],
    ['UPDATE', header({ flags: 5 << 11 }), 'notimp', 'opcode'],
    ['no question', header({ qd: 0 }), 'formerr', 'qdcount'],
    ['two questions', header({ qd: 2 }), 'formerr', 'qdcount'],
    ['one answer', header({ an: 1 }), 'accept', 'ok'],
    ['two answers', header({ an: 2 }), 'formerr', 'ancount'],
    ['one authority (IXFR SOA)', header({ ns: 1 }), 'accept', 'ok'],
    ['two authorities', header({ ns: 2 }), 'formerr', 'nscount'],
    ['OPT + TSIG', header({ ar: 2 }), 'accept', 'ok'],
    ['three additionals', header({ ar: 3 }), 'formerr', 'arcount'],
    ['Z bit set is still accepted', header({ flags: 0x0140 }), 'accept', 'ok'],
  ];
  for (const [name, buf, action, reason] of cases) {
    assert.deepEqual({ ...inspectQuery(buf) }, { action, reason }, name);
  }
});

function query(name: string, type: dnsPacket.RecordType = 'A', withOpt = false, doBit = false): Buffer {
  return dnsPacket.encode({
    type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED,
    questions: [{ name, type, class: 'IN' }],
    additionals: withOpt
      ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: doBit ? dnsPacket.DNSSEC_OK : 0, options: [] } as unknown as dnsPacket.Answer]
      : [],
  });
}

test('questionKey locates the question bytes without decoding', () => {
  const q = query('Web.Shop.svc.cluster.local', 'AAAA', true);
  const key = questionKey(q);
  assert.ok(key);
  const nameLen = 'Web.Shop.svc.cluster.local'.length + 2;
  assert.deepEqual({ ...key }, {
    start: 12, end: 12 + nameLen + 4, typeOffset: 12 + nameLen, classOffset: 12 + nameLen + 2, qtype: 28, qclass: 1, hasUpper: true,
  });
  assert.equal(questionKey(query('web.shop.svc.cluster.local'))?.hasUpper, false);
  // The same question in two queries with different IDs and EDNS gives the same key bytes.
  const other = query('Web.Shop.svc.cluster.local', 'AAAA', false);
  const otherKey = questionKey(other);
  assert.ok(otherKey);
  assert.deepEqual(other.subarray(otherKey.start, otherKey.end), q.subarray(key.start, key.end));
  assert.equal(questionKey(query('.', 'NS'))?.end, 12 + 1 + 4);
});

test('questionKey returns null for anything but the simple case', () => {
  const compressed = Buffer.from([...header(), 0xc0, 12, 0, 1, 0, 1]);
  const two = Buffer.from([...header({ qd: 2 }), 0, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
  const long = Buffer.from([...header(), 64, ...new Array<number>(64).fill(0x61), 0, 0, 1, 0, 1]);
  const tooLong = Buffer.from([...header(), ...[0, 1, 2, 3].flatMap(() => [63, ...new Array<number>(63).fill(0x61)]), 0, 0, 1, 0, 1]);
  const truncated = Buffer.from([...header(), 3, 0x61, 0x62, 0x63, 0, 0, 1, 0]);
  const unterminated = Buffer.from([...header(), 3, 0x61, 0x62, 0x63, 1, 0x61]);
  for (const [name, buf] of Object.entries({ compressed, two, long, tooLong, truncated, unterminated })) {
    assert.equal(questionKey(buf), null, name);
  }
});

test('errorReply: header copied, question echoed, OPT mirrored with DO', () => {
  const q = query('Web.Example', 'TXT', true, true);
  const reply = errorReply(q, 1);
  const m = decodeMessage(reply);
  assert.equal(m.id, 4242);
  assert.equal(m.qr, true);
  assert.equal(m.rd, true);
  assert.equal(m.cd, true);
  assert.equal(m.aa, false);
  assert.equal(m.tc, false);
  assert.equal(m.opcode, 0);
  assert.equal(m.rcode, 1);
  assert.deepEqual(m.questions, [{ name: 'Web.Example.', type: 16, class: 1 }]);
  assert.deepEqual(m.edns, { udpSize: 1232, version: 0, do: true, extendedRcode: 0, options: [] });
  assert.equal(m.answers.length + m.authorities.length + m.additionals.length, 0);
  // dns-packet agrees.
  const p = dnsPacket.decode(Buffer.from(reply));
  assert.equal((p as unknown as { rcode: string }).rcode, 'FORMERR');
  assert.equal((p.additionals?.[0] as { type: string } | undefined)?.type, 'OPT');

  const noOpt = decodeMessage(errorReply(query('example', 'A'), 2, { udpSize: 4096 }));
  assert.equal(noOpt.edns, null);
  assert.equal(noOpt.rcode, 2);
  assert.equal(decodeMessage(errorReply(q, 2, { udpSize: 4096 })).edns?.udpSize, 4096);
});

test('errorReply: extended rcodes go into OPT, or become SERVFAIL without one', () => {
  const badvers = decodeMessage(errorReply(query('example', 'A', true), 16));
  assert.equal(badvers.rcode, 16);
  assert.equal(badvers.edns?.extendedRcode, 1);
  assert.equal(decodeMessage(errorReply(query('example', 'A', false), 16)).rcode, 2);
});

test('errorReply: keeps the opcode, drops unparseable questions, refuses short input', () => {
  const update = Buffer.from(query('example', 'SOA'));
  update[2] = (update[2]! & 0x87) | (5 << 3);
  const r = decodeMessage(errorReply(update, 4));
  assert.equal(r.opcode, 5);
  assert.equal(r.rcode, 4);
  assert.equal(r.questions.length, 1);

  const pointer = Buffer.from([...header(), 0xc0, 12, 0, 1, 0, 1]);
  const rp = decodeMessage(errorReply(pointer, 1));
  assert.equal(rp.questions.length, 0);
  assert.equal(rp.id, 0xbeef);

  const none = errorReply(header({ qd: 0, ar: 1 }), 1);
  assert.equal(none.length, 12, 'an OPT that is announced but missing is not mirrored');
  const twoQ = decodeMessage(errorReply(Buffer.from([...header({ qd: 2 }), 0, 0, 1, 0, 1, 0, 0, 1, 0, 1]), 1));
  assert.equal(twoQ.questions.length, 0);

  assert.throws(() => errorReply(new Uint8Array(5), 1), WireError);
});
