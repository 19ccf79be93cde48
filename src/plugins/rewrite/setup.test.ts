// The rewrite stanza: good rules (checked by what they do to a question), bad ones with
// CoreDNS's error text at the directive's line (CoreDNS plugin/rewrite rewrite_test.go TestNewRule,
// name_test.go TestNewNameRule, ttl.go, rcode.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { RRClass, RRType } from '../../dns/types.ts';
import { parseRewrite, ruleTokens } from './setup.ts';
import { parseTTL } from './setup.ts';
import type { Question } from './rules.ts';

function directive(stanza: string) {
  return parseCorefile(`. {\n${stanza}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;
}

function run(stanza: string, name: string, type: number = RRType.A, cls: number = RRClass.IN) {
  const rule = parseRewrite(directive(stanza));
  const q: Question = { name, type, class: cls };
  const r = rule.apply(q);
  return { mode: rule.mode, matched: r !== null, q, kinds: r?.map((x) => x.kind) ?? [] };
}

test('rewrite: good rules, by what they do to a question', () => {
  const cases: Array<[string, string, Partial<Question> | null, string[]?, string?]> = [
    // [stanza, query name, rewritten question (null: no match), response rule kinds, mode]
    ['rewrite name a.com b.com', 'a.com.', { name: 'b.com.' }, ['name', 'value'], 'stop'],
    ['rewrite name A.COM. B.com', 'a.com.', { name: 'b.com.' }, ['name', 'value']],
    ['rewrite name a.com b.com', 'x.a.com.', null],
    ['rewrite continue name exact a.com b.com', 'a.com.', { name: 'b.com.' }, ['name', 'value'], 'continue'],
    ['rewrite stop name exact a.com b.com answer value (.*)\\.b\\.com {1}.a.com', 'a.com.', { name: 'b.com.' }, ['name', 'value', 'value']],
    // prefix/substring are normalised like names: a trailing dot is added (CoreDNS plugin.Name.Normalize).
    ['rewrite name prefix foo bar', 'foo.example.com.', { name: 'bar.example.com.' }, []],
    ['rewrite name prefix foo bar', 'foobar.example.com.', null],
    ['rewrite name prefix foo. bar. answer auto', 'foo.example.com.', { name: 'bar.example.com.' }, ['name', 'value']],
    ['rewrite name suffix com org', 'foo.example.com.', { name: 'foo.example.org.' }, []],
    ['rewrite name suffix .ingress.coredns.rocks nginx.coredns.rocks', 'coredns.ingress.coredns.rocks.', { name: 'corednsnginx.coredns.rocks.' }, []],
    ['rewrite name suffix .schmoogle.com. .google.com. answer auto', 'www.schmoogle.com.', { name: 'www.google.com.' }, ['name', 'value']],
    ['rewrite name substring service.us-west-1.example.org service.us-west-1.consul', 'ftp.service.us-west-1.example.org.', { name: 'ftp.service.us-west-1.consul.' }, []],
    ['rewrite name regex (.*)-(us-west-1)\\.example\\.org {1}.service.{2}.consul', 'ftp-us-west-1.example.org.', { name: 'ftp.service.us-west-1.consul.' }, []],
    ['rewrite name regex (.*)-(us-west-1)\\.example\\.org {1}.service.{2}.consul answer auto', 'ftp-us-west-1.example.org.', { name: 'ftp.service.us-west-1.consul.' }, ['name', 'value']],
    ['rewrite name regex (.*)-(us-west-1)\\.example\\.org {1}.Service.{2}.consul answer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.example.org', 'ftp-us-west-1.example.org.', { name: 'ftp.service.us-west-1.consul.' }, ['name']],
    ['rewrite name regex (a)\\.b x.{1} answer name (.*) {1} value (.*) {1} answer value (.*) {1}', 'a.b.', { name: 'x.a.' }, ['name', 'value', 'value']],
    ['rewrite stop {\nname regex (.*)-(us-west-1)\\.coredns\\.rocks {1}.service.{2}.consul\nanswer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.coredns.rocks\n}', 'ftp-us-west-1.coredns.rocks.', { name: 'ftp.service.us-west-1.consul.' }, ['name'], 'stop'],
    ['rewrite continue {\nttl regex (.*)\\.coredns\\.rocks 15\n}', 'www.coredns.rocks.', { name: 'www.coredns.rocks.' }, ['ttl'], 'continue'],
    ['rewrite {\nname suffix .coredns.rocks .service.consul answer auto\n}', 'a.coredns.rocks.', { name: 'a.service.consul.' }, ['name', 'value'], 'stop'],
    ['rewrite type ANY HINFO', 'a.com.', { type: RRType.HINFO }, []],
    ['rewrite type MX A', 'a.com.', null],
    ['rewrite continue class ch in', 'a.com.', null, [], 'continue'],
    ['rewrite ttl example.com. 30-300', 'example.com.', { name: 'example.com.' }, ['ttl']],
    ['rewrite ttl suffix .example.com. -30', 'x.example.com.', { name: 'x.example.com.' }, ['ttl']],
    ['rewrite rcode regex (.*)\\.coredns\\.rocks SERVFAIL NOERROR', 'x.coredns.rocks.', { name: 'x.coredns.rocks.' }, ['rcode']],
    ['rewrite rcode example.com 2 0', 'example.com.', { name: 'example.com.' }, ['rcode']],
  ];
  for (const [stanza, name, want, kinds = [], mode] of cases) {
    const got = run(stanza, name, stanza.includes('type ANY') ? RRType.ANY : RRType.A);
    assert.equal(got.matched, want !== null, stanza);
    if (want !== null) {
      for (const [k, v] of Object.entries(want)) assert.equal(got.q[k as keyof Question], v, `${stanza}: ${k}`);
      assert.deepEqual(got.kinds, kinds, `${stanza}: response rules`);
    }
    if (mode !== undefined) assert.equal(got.mode, mode, stanza);
  }
  assert.equal(run('rewrite class ch in', 'a.com.', RRType.A, RRClass.CH).q.class, RRClass.IN);
});

test('rewrite: TTL values and ranges (CoreDNS isValidTTL)', () => {
  const cases: Array<[string, [number, number] | null]> = [
    ['15', [15, 15]], ['30-300', [30, 300]], ['-30', [0, 30]], ['30-', [30, 2147483647]], ['0', [0, 0]],
    ['4294967295', [4294967295, 4294967295]],
    ['-', null], ['', null], ['x', null], ['300-30', null], ['1-2-3', null], ['+5', null], ['4294967296', null],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseTTL(text), want, text);
});

test('rewrite: a block gives its tokens, in order, to one rule', () => {
  assert.deepEqual(ruleTokens(directive('rewrite stop {\nname regex a b\nanswer name c d\n}')), ['stop', 'name', 'regex', 'a', 'b', 'answer', 'name', 'c', 'd']);
  assert.deepEqual(ruleTokens(directive('rewrite name a b')), ['name', 'a', 'b']);
});

test('rewrite: bad rules are errors at the directive, worded as CoreDNS words them', () => {
  const cases: Array<[string, string]> = [
    ['rewrite', 'no rule type specified for rewrite'],
    ['rewrite foo', 'invalid rule type "foo"'],
    ['rewrite unknown-action name a.com b.com', 'invalid rule type "unknown-action"'],
    ['rewrite stop foo a b', 'invalid rule type "stop"'],
    ['rewrite stop', 'stop rule must begin with a rule type'],
    ['rewrite continue', 'continue rule must begin with a rule type'],
    ['rewrite answer name a b', 'response rewrites must begin with a name rule'],
    ['rewrite name', 'too few arguments for a name rule'],
    ['rewrite name a.com', 'too few arguments for a name rule'],
    ['rewrite name a.com b.com c.com', 'name rule supports only exact, prefix, suffix, substring, and regex name matching, received: a.com'],
    ['rewrite name regex ([a]\\.com new-{1}.com', 'invalid regex matching pattern: ([a]\\.com'],
    ['rewrite name regex (.*).coredns.rocks {1}.{2}.coredns.rocks', 'the rewrite regex pattern ({1}.{2}.coredns.rocks) uses more subexpressions than its corresponding matching regex pattern ((.*).coredns.rocks)'],
    ['rewrite name regex (?=x)y z', 'invalid regex matching pattern: (?=x)y'],
    ['rewrite name exact a.com b(.com', 'invalid regex matching pattern: b(.com.'],
    ['rewrite name substring a.com b.com c.com', 'invalid arguments for substring rule'],
    ['rewrite name suffix staging.mydomain.com coredns.rock answer', 'invalid arguments for suffix rule'],
    ['rewrite name suffix staging.mydomain.com coredns.rock answer name', 'name answer rule for suffix rule: 2 arguments required'],
    ['rewrite name suffix staging.mydomain.com coredns.rock answer other', 'invalid type "other" for answer rule for suffix rule'],
    ['rewrite name regex (b)\\.(c) {2}.{1} NoAnswer name (c)\\.(b) {2}.{1}', 'exceeded the number of arguments for a non-answer rule argument for regex rule'],
    ['rewrite name regex (a)\\.(c) {2}.{1} answer ttl (c)\\.(a) {2}.{1}', 'invalid type "ttl" for answer rule for regex rule'],
    ['rewrite name regex a b answer name (.*).coredns.rock {1}.{2}.x', 'name answer rule for regex rule: the rewrite regex pattern ({1}.{2}.x) uses more subexpressions than its corresponding matching regex pattern ((.*).coredns.rock)'],
    ['rewrite name regex a b answer name c d value (.*).x', 'value answer rule for regex rule: 2 arguments required'],
    ['rewrite name regex a b answer auto answer name c d', 'auto name answer rule cannot be combined with explicit name anwer rules'],
    ['rewrite type', 'type rules must have exactly two arguments'],
    ['rewrite type a', 'type rules must have exactly two arguments'],
    ['rewrite type any a a', 'type rules must have exactly two arguments'],
    ['rewrite type XY WV', 'invalid type "XY"'],
    ['rewrite type ANY wv', 'invalid type "WV"'],
    ['rewrite class IN', 'class rules must have exactly two arguments'],
    ['rewrite class XY WV', 'invalid class "XY"'],
    ['rewrite class IN WV', 'invalid class "WV"'],
    ['rewrite ttl a.com', 'too few (1) arguments for a ttl rule'],
    ['rewrite ttl a.com x', "invalid TTL 'x' for a ttl rule"],
    ['rewrite ttl exact a.com 1 2', "invalid TTL '' for a ttl rule"],
    ['rewrite ttl foo a.com 10', 'ttl rule supports only exact, prefix, suffix, substring, and regex name matching'],
    ['rewrite ttl regex ( 10', 'invalid regex pattern in a ttl rule: ('],
    ['rewrite rcode a.com SERVFAIL', 'too few (2) arguments for a rcode rule'],
    ['rewrite rcode a.com FOO NOERROR', "invalid matching RCODE 'FOO' for a rcode rule"],
    ['rewrite rcode a.com 2 24', "invalid replacement RCODE '24' for a rcode rule"],
    ['rewrite rcode foo a.com 2 0', 'rcode rule supports only exact, prefix, suffix, substring, and regex name matching'],
    ['rewrite edns0 local set 0xffee abcd', 'edns0 rules are not supported by podns (supported: name, type, class, ttl, rcode)'],
    ['rewrite stop cname exact a.com. b.com.', 'cname rules are not supported by podns (supported: name, type, class, ttl, rcode)'],
  ];
  for (const [stanza, message] of cases) {
    assert.throws(() => parseRewrite(directive(stanza)), (err: Error) => {
      assert.equal(err.message, `Corefile:2 - Error during setup: plugin/rewrite: ${message}`, stanza);
      return true;
    }, stanza);
  }
  assert.throws(() => parseRewrite(directive(`rewrite name regex ${'a'.repeat(10_001)} b`)), /regex pattern too long: 10001 > 10000/);
  assert.throws(() => parseRewrite(directive('rewrite name a b {\nc\n}')), /Corefile:2 - Error during setup: plugin\/rewrite: a rule written on the rewrite line takes no block/);
});
