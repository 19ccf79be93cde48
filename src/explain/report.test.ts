// report.ts: reply classification and the verdict of `podns explain`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rcode, RRClass, RRType } from '../dns/types.ts';
import type { Message, ResourceRecord } from '../dns/types.ts';
import { simulate } from './plan.ts';
import type { PlanInput } from './plan.ts';
import { classifyReply, roundTrips, verdict } from './report.ts';
import type { Outcome, Query } from './types.ts';

function reply(parts: { rcode?: number; tc?: boolean; answers?: ResourceRecord[] } = {}): Message {
  return {
    id: 1, qr: true, opcode: 0, aa: false, tc: parts.tc ?? false, rd: true, ra: true, z: false, ad: false, cd: false,
    rcode: parts.rcode ?? Rcode.NOERROR, questions: [{ name: 'x.', type: RRType.A, class: RRClass.IN }],
    answers: parts.answers ?? [], authorities: [], additionals: [], edns: null,
  };
}
const a = (name: string, data: string): ResourceRecord => ({ name, type: RRType.A, class: RRClass.IN, ttl: 5, data });
const aaaa = (name: string, data: string): ResourceRecord => ({ name, type: RRType.AAAA, class: RRClass.IN, ttl: 5, data });
const cname = (name: string, data: string): ResourceRecord => ({ name, type: RRType.CNAME, class: RRClass.IN, ttl: 5, data });

describe('classifyReply', () => {
  test('rcodes and TC', () => {
    assert.deepEqual(classifyReply(reply({ rcode: Rcode.NXDOMAIN }), 'A'), { kind: 'nxdomain' });
    assert.deepEqual(classifyReply(reply({ rcode: Rcode.SERVFAIL }), 'A'), { kind: 'servfail' });
    assert.deepEqual(classifyReply(reply({ rcode: Rcode.REFUSED }), 'A'), { kind: 'refused' });
    assert.deepEqual(classifyReply(reply({ rcode: Rcode.NOTIMP }), 'A'), { kind: 'refused' });
    assert.deepEqual(classifyReply(reply({ rcode: Rcode.FORMERR }), 'AAAA'), { kind: 'refused' });
    assert.deepEqual(classifyReply(reply({ tc: true, answers: [a('x.', '10.0.0.1')] }), 'A'), { kind: 'truncated' });
  });
  test('NOERROR: records of the query type (through a CNAME), else NODATA', () => {
    assert.deepEqual(classifyReply(reply({ answers: [a('x.', '10.0.0.1'), a('x.', '10.0.0.2')] }), 'A'), { kind: 'answer', addresses: ['10.0.0.1', '10.0.0.2'] });
    assert.deepEqual(classifyReply(reply({ answers: [cname('x.', 'y.'), a('y.', '10.0.0.3')] }), 'A'), { kind: 'answer', addresses: ['10.0.0.3'] });
    assert.deepEqual(classifyReply(reply({ answers: [a('x.', '10.0.0.1')] }), 'AAAA'), { kind: 'nodata' });
    assert.deepEqual(classifyReply(reply({ answers: [aaaa('x.', 'fd00::1')] }), 'AAAA'), { kind: 'answer', addresses: ['fd00::1'] });
    assert.deepEqual(classifyReply(reply(), 'A'), { kind: 'nodata' });
  });
});

const CF = 'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';

function run(input: Omit<PlanInput, 'resolvConf'> & { resolvConf?: string }, respond: (q: Query) => Outcome): string {
  const s = simulate({ resolvConf: CF, ...input }, respond);
  const outcomes = new Map(s.queries.map((q) => [q.id, respond(q)]));
  return verdict({ name: input.name, queries: s.queries, outcomes, candidates: s.candidates, result: s.result, ms: 12 });
}
const external = (q: Query): Outcome => (q.name === 'example.com.' ? { kind: 'answer', addresses: [q.type === 'A' ? '93.184.215.14' : '2606:2800::1'] } : { kind: 'nxdomain' });

describe('verdict', () => {
  test('an external name after the search list: trailing dot or ndots', () => {
    assert.equal(run({ resolver: 'glibc', name: 'example.com' }, external), '8 queries for one external name: write example.com. (trailing dot) or set ndots:1');
  });
  test('one round trip', () => {
    assert.equal(run({ resolver: 'glibc', name: 'example.com.' }, external), '1 round trip: fine');
    assert.equal(run({ resolver: 'musl', name: 'web' }, (q) => (q.name === 'web.ns.svc.cluster.local.' ? { kind: 'answer', addresses: ['10.0.0.1'] } : { kind: 'nodata' })), '1 round trip: fine');
  });
  test('found on a later search domain', () => {
    const v = run({ resolver: 'glibc', name: 'web.shop' }, (q) => (q.name === 'web.shop.svc.cluster.local.' && q.type === 'A' ? { kind: 'answer', addresses: ['10.0.0.1'] } : q.name === 'web.shop.svc.cluster.local.' ? { kind: 'nodata' } : { kind: 'nxdomain' }));
    assert.match(v, /^4 queries: found as web\.shop\.svc\.cluster\.local\. .* after 1 candidate that does not exist/);
  });
  test('failures', () => {
    assert.equal(run({ resolver: 'glibc', name: 'nope' }, () => ({ kind: 'nxdomain' })), '8 queries, 4 round trips, and the name does not exist under any candidate (EAI_NONAME)');
    assert.match(run({ resolver: 'musl', name: 'nope' }, () => ({ kind: 'servfail' })), /EAI_AGAIN/);
  });
  test('hosts and literals', () => {
    assert.equal(run({ resolver: 'glibc', name: 'db', hosts: '10.1.1.1 db\n' }, external), 'answered from /etc/hosts: no DNS query');
    assert.equal(run({ resolver: 'glibc', name: '10.1.1.1' }, external), 'an IP address: no lookup at all');
  });
  test('roundTrips counts groups', () => {
    const s = simulate({ resolver: 'glibc', resolvConf: CF, name: 'example.com' }, external);
    assert.equal(roundTrips(s.queries), 4);
  });
});
