// AnswerCache: Versioned entries replay until their source moves; Countdown entries replay with
// every record's TTL rewritten to what the countdown says, and go when it declines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage } from '../dns/message.ts';
import { Opcode, RRClass, RRType } from '../dns/types.ts';
import type { Message, ResourceRecord } from '../dns/types.ts';
import { rr } from '../testing/rr.ts';
import { AnswerCache } from './answer-cache.ts';

function message(id: number, records: { answers?: ResourceRecord[]; authorities?: ResourceRecord[] } = {}, edns = false): Uint8Array {
  const m: Message = {
    id, qr: records.answers !== undefined, opcode: Opcode.QUERY, aa: false, tc: false, rd: true, ra: true, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name: 'www.example.org.', type: RRType.A, class: RRClass.IN }],
    answers: records.answers ?? [], authorities: records.authorities ?? [], additionals: [],
    edns: edns ? { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [] } : null,
  };
  return encodeMessage(m);
}

const CLIENT = { address: '10.244.0.5', port: 5353, family: 4 as const };

const ttls = (bytes: Uint8Array): number[] => {
  const m = decodeMessage(bytes);
  return [...m.answers, ...m.authorities, ...m.additionals].map((r) => r.ttl);
};

test('a Versioned entry: the ID patched, served until the source moves', () => {
  const c = new AnswerCache();
  const source = { revision: 1 };
  const q = message(7);
  const key = AnswerCache.key(q);
  c.set(key, message(0, { answers: [rr('www.example.org. 30 IN A 192.0.2.1')] }), { source, revision: 1 }, 'meta');
  const hit = c.get(key, CLIENT)!;
  assert.equal(decodeMessage(hit.to(message(0x1234))).id, 0x1234);
  assert.equal(c.lastMeta, 'meta');
  assert.equal(c.get(key, CLIENT), hit, 'the same stored reply at every hit: nothing copied');
  source.revision = 2;
  assert.equal(c.get(key, CLIENT), null);
  assert.equal(c.size, 0);
});

test('a Countdown entry: every TTL rewritten on each replay, OPT untouched; a decline removes it', () => {
  const c = new AnswerCache();
  let ttl = 30;
  let replays = 0;
  const countdown = { replay: (): number => { replays++; return ttl; } };
  const reply = message(0, {
    answers: [rr('www.example.org. 30 IN CNAME web.example.org.'), rr('web.example.org. 30 IN A 192.0.2.1')],
    authorities: [rr('example.org. 30 IN NS ns.example.org.')],
  }, true);
  const key = AnswerCache.key(message(1, {}, true));
  c.set(key, reply, { countdown });
  const first = c.get(key, CLIENT)!;
  assert.deepEqual(ttls(first.to(message(2))), [30, 30, 30]);
  assert.equal(c.get(key, CLIENT), first, 'the TTL has not moved: the same bytes');
  ttl = 17;
  const later = c.get(key, CLIENT)!.to(message(3));
  assert.deepEqual(ttls(later), [17, 17, 17]);
  assert.deepEqual(ttls(first.to(message(2))), [30, 30, 30], 'a reply handed out (maybe still being sent) is not written to');
  assert.deepEqual(decodeMessage(later).edns, { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [] }, 'the OPT record\'s TTL field (EDNS flags) is not a TTL');
  assert.deepEqual(ttls(reply), [30, 30, 30], 'the stored bytes are not touched');
  assert.equal(replays, 3);
  ttl = -1;
  assert.equal(c.get(key, CLIENT), null);
  assert.equal(c.size, 0, 'declined: gone, the chain answers next');
});

test('a Countdown entry is not stored when its records disagree on the TTL or the bytes cannot be walked', () => {
  const c = new AnswerCache();
  const countdown = { replay: (): number => 5 };
  c.set('a', message(0, { answers: [rr('a.example.org. 30 IN A 192.0.2.1'), rr('a.example.org. 20 IN A 192.0.2.2')] }), { countdown });
  c.set('b', message(0, { answers: [rr('a.example.org. 30 IN A 192.0.2.1')] }).subarray(0, 40), { countdown });
  assert.equal(c.size, 0);
  c.set('c', message(0, { answers: [] }), { countdown });
  assert.equal(c.size, 1, 'no record: nothing to count down, replayed as it is');
  assert.equal(c.get('c', CLIENT)!.to(message(9)).length, message(0, { answers: [] }).length);
});

test('the key: every byte after the ID, from a Buffer or a plain view alike', () => {
  const q = Buffer.from(message(7));
  assert.equal(AnswerCache.key(q), AnswerCache.key(message(8)), 'the ID is not part of it');
  const plain = new Uint8Array(q.length + 3);
  plain.set(q, 3);
  assert.equal(AnswerCache.key(plain.subarray(3)), AnswerCache.key(q));
  const other = Buffer.from(q);
  other[q.length - 1] = other[q.length - 1]! ^ 1;
  assert.notEqual(AnswerCache.key(other), AnswerCache.key(q));
});

test('a varying entry: one reply per value of its ClientKey; each checked against its source and countdown', () => {
  const c = new AnswerCache();
  const namespaceOf: Record<string, string> = { '10.244.0.5': 'shop', '10.244.1.7': 'shop', '10.244.2.9': 'web' };
  const byNamespace = { of: (client: { address: string }): string => namespaceOf[client.address] ?? '' };
  const at = (address: string): { address: string; port: number; family: 4 } => ({ address, port: 5353, family: 4 });
  const state = { revision: 3 };
  let ttl = 30;
  let replays = 0;
  const countdown = { replay: (): number => { replays++; return ttl; } };
  const key = AnswerCache.key(message(1));
  const shop = message(0, { answers: [rr('www.example.org. 30 IN CNAME www.example.org.shop.'), rr('www.example.org.shop. 30 IN A 192.0.2.1')] });
  c.set(key, shop, { source: state, revision: 3, countdown, vary: byNamespace, varyValue: 'shop' }, 'shop');
  assert.equal(c.get(key, at('10.244.2.9')), null, 'another namespace: not this reply');
  assert.equal(c.get(key, at('192.0.2.200')), null, 'not a pod: not this reply');
  assert.equal(decodeMessage(c.get(key, at('10.244.1.7'))!.to(message(5))).answers.length, 2, 'a pod of the same namespace: the reply');
  const web = message(0, { answers: [] });
  c.set(key, web, { source: state, revision: 3, countdown, vary: byNamespace, varyValue: 'web' }, 'web');
  assert.equal(c.get(key, at('10.244.2.9'))!.tail.length, web.length - 2);
  assert.equal(c.lastMeta, 'web');
  assert.equal(c.get(key, at('10.244.0.5'))!.tail.length, shop.length - 2, 'both kept');
  ttl = 12;
  assert.deepEqual(ttls(c.get(key, at('10.244.0.5'))!.to(message(6))), [12, 12], 'counted down');
  assert.equal(replays, 4);
  state.revision = 4;
  assert.equal(c.get(key, at('10.244.0.5')), null, 'the source moved: gone, whatever the countdown says');
  assert.equal(replays, 4, 'the countdown is not asked once the source has moved');
  assert.equal(c.size, 1);
});

test('capacity: the oldest goes first; denials (NXDOMAIN, NODATA) have their own, smaller bound', () => {
  const c = new AnswerCache(8, 3);
  const source = { revision: 1 };
  const nx = (id: number): Uint8Array => { const m = message(id); const b = Buffer.from(m); b[2] = 0x81; b[3] = 0x83; return b; };
  const positive = message(0, { answers: [rr('www.example.org. 30 IN A 192.0.2.1')] });
  const nodata = message(0, { answers: [] });
  c.set('p1', positive, { source, revision: 1 });
  c.set('p2', positive, { source, revision: 1 });
  for (let i = 0; i < 10; i++) c.set(`nx${i}`, i % 2 === 0 ? nx(i) : nodata, { source, revision: 1 });
  assert.equal(c.size, 5, 'two answers and the three newest denials');
  assert.deepEqual(['nx6', 'nx7', 'nx8', 'nx9', 'p1', 'p2'].map((k) => c.get(k, CLIENT) !== null), [false, true, true, true, true, true]);
  for (let i = 3; i <= 9; i++) c.set(`p${i}`, positive, { source, revision: 1 });
  assert.equal(c.size, 8);
  assert.equal(c.get('p1', CLIENT), null, 'the oldest answer went for the newest');
  const d = new AnswerCache(100, 2);
  d.set('k', nx(1), { source, revision: 1 });
  d.set('k', positive, { source, revision: 1 });
  for (let i = 2; i < 6; i++) d.set(`nx${i}`, nx(i), { source, revision: 1 });
  assert.notEqual(d.get('k', CLIENT), null, 'a key that became an answer no longer counts as a denial');
  assert.equal(d.size, 3);
});

test('a stored reply is a copy of its own: the bytes handed to set() may be reused', () => {
  const c = new AnswerCache();
  const reply = Buffer.from(message(0, { answers: [rr('www.example.org. 30 IN A 192.0.2.1')] }));
  const key = AnswerCache.key(message(1));
  c.set(key, reply, { source: { revision: 1 }, revision: 1 });
  const before = Buffer.from(c.get(key, CLIENT)!.to(message(2)));
  reply.fill(0xee);
  assert.deepEqual(Buffer.from(c.get(key, CLIENT)!.to(message(2))), before);
  assert.deepEqual(decodeMessage(before).answers.map((a) => a.data), ['192.0.2.1']);
});
