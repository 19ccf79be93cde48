// The rewrite handler with a scripted next plugin: what the rest of the chain is asked, and what
// the client gets back (CoreDNS plugin/rewrite rewrite_test.go, name_test.go, ttl_test.go,
// rcode_test.go, reverter_test.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { DnsError } from '../../core/errors.ts';
import type { Handler } from '../../core/handler.ts';
import { Request, reply } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { testContext } from '../../testing/context.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { rewritePlugin } from './index.ts';

const SOURCE = { revision: 7 };

interface Seen { name: string; type: number; class: number; request: Request }

/** CoreDNS's msgPrinter: answers with an A record owned by the question it got, plus `extra(name)`. */
function printer(extra: (name: string) => { answers?: ResourceRecord[]; authorities?: ResourceRecord[]; additionals?: ResourceRecord[]; rcode?: number } = () => ({})) {
  const seen: Seen[] = [];
  const next: Handler = {
    name: 'next',
    serveDNS(req, w) {
      const q = req.msg.questions[0]!;
      seen.push({ name: q.name, type: q.type, class: q.class, request: req });
      const e = extra(q.name);
      w.write(reply(req, { aa: true, answers: e.answers ?? [rr(`${q.name} 5 IN A 10.0.0.1`)], authorities: e.authorities ?? [], additionals: e.additionals ?? [], rcode: e.rcode ?? 0 }), 'next');
      w.cacheable(SOURCE);
      return Promise.resolve();
    },
  };
  return { seen, next };
}

/** The rewrite link(s) of a block with these rewrite lines, built the way the server builds them. */
function chain(lines: readonly string[], next: Handler): Handler {
  const block = parseCorefile(`. {\n${lines.join('\n')}\n}\n`, { file: 'Corefile' })[0]!;
  const ctx = testContext();
  const factories = block.directives.map((d) => rewritePlugin.setup(rewritePlugin.parse(d, ['.']), ctx)!);
  let h = next;
  for (let i = factories.length - 1; i >= 0; i--) h = factories[i]!(h);
  return h;
}

function request(name: string, type: number = RRType.A, cls: number = RRClass.IN): Request {
  const msg: Message = {
    id: 9, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: cls }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: '127.0.0.1', port: 5353, family: 4 }, 'udp');
}

async function ask(h: Handler, name: string, type: number = RRType.A, cls: number = RRClass.IN) {
  const w = new Recorder();
  await h.serveDNS(request(name, type, cls), w);
  const m = w.written!;
  return { w, m, question: m.questions[0]!, answer: m.answers.map(formatRR), ns: m.authorities.map(formatRR), extra: m.additionals.map(formatRR) };
}

// CoreDNS TestRewrite's rule list, in order.
const RULES = [
  'rewrite stop name from.nl. to.nl.',
  'rewrite stop name regex (core)\\.(dns)\\.(rocks)\\.(nl) {2}.{1}.{3}.{4} answer name (dns)\\.(core)\\.(rocks)\\.(nl) {2}.{1}.{3}.{4}',
  'rewrite stop name exact from.exact.nl. to.nl.',
  'rewrite stop name prefix prefix to',
  'rewrite stop name suffix .suffix. .nl.',
  'rewrite stop name substring from.substring to',
  'rewrite stop name regex (f.*m)\\.regex\\.(nl) to.{2}',
  'rewrite continue name regex consul\\.(rocks) core.dns.{1}',
  'rewrite stop name core.dns.rocks to.nl.',
  'rewrite continue class HS CH',
  'rewrite stop class CH IN',
  'rewrite stop type ANY HINFO',
];

test('rewrite: rules in order, stop and continue, what the next plugin is asked and what the client sees', async () => {
  const { seen, next } = printer();
  const h = chain(RULES, next);
  const cases: Array<[string, number, number, string, number, number, string]> = [
    // [asked name, type, class, → name/type/class the next plugin gets, answer owner the client sees]
    ['from.nl.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'from.nl.'],
    ['a.nl.', RRType.A, RRClass.IN, 'a.nl.', RRType.A, RRClass.IN, 'a.nl.'],
    ['a.nl.', RRType.A, RRClass.CH, 'a.nl.', RRType.A, RRClass.IN, 'a.nl.'],
    ['a.nl.', RRType.ANY, RRClass.IN, 'a.nl.', RRType.HINFO, RRClass.IN, 'a.nl.'],
    // name is rewritten (a matching stop rule), type is not.
    ['from.nl.', RRType.ANY, RRClass.IN, 'to.nl.', RRType.ANY, RRClass.IN, 'from.nl.'],
    ['from.exact.nl.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'from.exact.nl.'],
    // prefix, suffix, substring and regex rules without `answer`: the answer keeps the rewritten name.
    ['prefix.nl.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'to.nl.'],
    ['to.suffix.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'to.nl.'],
    ['from.substring.nl.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'to.nl.'],
    ['from.regex.nl.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'to.nl.'],
    // continue, then the exact rule on the rewritten name; its auto answer maps back one step.
    ['consul.rocks.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'core.dns.rocks.'],
    // class is the 2nd rule that matches; class rewritten twice through continue then stop.
    ['a.nl.', RRType.ANY, RRClass.CH, 'a.nl.', RRType.ANY, RRClass.IN, 'a.nl.'],
    ['a.nl.', RRType.ANY, RRClass.HS, 'a.nl.', RRType.ANY, RRClass.IN, 'a.nl.'],
    // regex with an explicit answer name rule.
    ['core.dns.rocks.nl.', RRType.A, RRClass.IN, 'dns.core.rocks.nl.', RRType.A, RRClass.IN, 'core.dns.rocks.nl.'],
    // Case: rules see the lower-cased name; the client gets its own spelling back in the question.
    ['FROM.nl.', RRType.A, RRClass.IN, 'to.nl.', RRType.A, RRClass.IN, 'from.nl.'],
  ];
  for (const [name, type, cls, toName, toType, toClass, owner] of cases) {
    seen.length = 0;
    const got = await ask(h, name, type, cls);
    const what = `${name} ${type} ${cls}`;
    assert.deepEqual(seen.map((s) => [s.name, s.type, s.class]), [[toName, toType, toClass]], what);
    assert.deepEqual(got.question, { name, type, class: cls }, `${what}: the client's question`);
    assert.equal(got.m.answers[0]!.name, owner, `${what}: answer owner`);
  }
});

test('rewrite: a query no rule matches goes on untouched, with the same request and writer', async () => {
  let got: { req: Request; w: unknown } | null = null;
  const h = chain(['rewrite name a.example. b.example.'], { name: 'next', serveDNS(req, w) { got = { req, w }; return Promise.resolve(); } });
  const req = request('other.example.');
  const w = new Recorder();
  await h.serveDNS(req, w);
  assert.equal(got!.req, req);
  assert.equal(got!.w, w);
});

test('rewrite: answer auto and answer value revert names and record values in every section', async () => {
  const records = (name: string) => ({
    answers: [
      rr(`${name} 5 IN CNAME web.shop.svc.cluster.local.`),
      rr('web.shop.svc.cluster.local. 5 IN A 10.96.100.10'),
      rr(`${name} 5 IN SRV 0 100 80 web.shop.svc.cluster.local.`),
      rr(`${name} 5 IN MX 10 mail.shop.svc.cluster.local.`),
      rr('other.example. 5 IN PTR web.shop.svc.cluster.local.'),
    ],
    authorities: [rr('shop.svc.cluster.local. 5 IN SOA ns.dns.shop.svc.cluster.local. hostmaster.cluster.local. 1 2 3 4 5')],
    additionals: [rr('web.shop.svc.cluster.local. 5 IN AAAA fd00::1')],
  });
  const { next } = printer(records);

  // suffix + answer auto: the reverse suffix rewrite, on names and values.
  const suffix = await ask(chain(['rewrite name suffix .example.com .shop.svc.cluster.local answer auto'], next), 'x.example.com.');
  assert.deepEqual(suffix.answer, [
    'x.example.com. 5 IN CNAME web.example.com.',
    'web.example.com. 5 IN A 10.96.100.10',
    'x.example.com. 5 IN SRV 0 100 80 web.example.com.',
    'x.example.com. 5 IN MX 10 mail.example.com.',
    'other.example. 5 IN PTR web.example.com.',
  ]);
  assert.deepEqual(suffix.ns, ['shop.svc.cluster.local. 5 IN SOA ns.dns.example.com. hostmaster.cluster.local. 1 2 3 4 5'], 'the SOA owner is not below the suffix; its server name is');
  assert.deepEqual(suffix.extra, ['web.example.com. 5 IN AAAA fd00::1']);

  // exact: always reverted, the asked name and names below the rewritten one.
  const exact = await ask(chain(['rewrite name exact db.example.com. web.shop.svc.cluster.local.'], next), 'db.example.com.');
  assert.deepEqual(exact.answer, [
    'db.example.com. 5 IN CNAME db.example.com.',
    'db.example.com. 5 IN A 10.96.100.10',
    'db.example.com. 5 IN SRV 0 100 80 db.example.com.',
    'db.example.com. 5 IN MX 10 mail.shop.svc.cluster.local.',
    'other.example. 5 IN PTR db.example.com.',
  ]);

  // regex + answer value only: owners are left as they are, values are rewritten.
  const value = await ask(chain(['rewrite name regex (.*)\\.example\\.com {1}.shop.svc.cluster.local answer value (.*)\\.shop\\.svc\\.cluster\\.local\\. {1}.example.com'], next), 'web.example.com.');
  assert.deepEqual(value.answer, [
    'web.shop.svc.cluster.local. 5 IN CNAME web.example.com.',
    'web.shop.svc.cluster.local. 5 IN A 10.96.100.10',
    'web.shop.svc.cluster.local. 5 IN SRV 0 100 80 web.example.com.',
    'web.shop.svc.cluster.local. 5 IN MX 10 mail.example.com.',
    'other.example. 5 IN PTR web.example.com.',
  ]);

  // prefix + answer auto: the name mapping of this very query, reverted.
  const prefix = await ask(chain(['rewrite name prefix db web answer auto'], printer().next), 'db.shop.svc.cluster.local.');
  assert.deepEqual(prefix.answer, ['db.shop.svc.cluster.local. 5 IN A 10.0.0.1']);
});

test('rewrite: continue rules are undone last first', async () => {
  const { seen, next } = printer();
  const h = chain(['rewrite continue name suffix .a. .b. answer auto', 'rewrite continue name suffix .b. .c. answer auto'], next);
  const got = await ask(h, 'x.a.');
  assert.equal(seen[0]!.name, 'x.c.');
  assert.deepEqual(got.answer, ['x.a. 5 IN A 10.0.0.1']);
});

test('rewrite: ttl rules clamp every record; rcode rules change the reply code', async () => {
  const { next } = printer((name) => ({
    answers: [rr(`${name} 5 IN A 10.0.0.1`), rr(`${name} 900 IN A 10.0.0.2`), rr(`${name} 60 IN A 10.0.0.3`)],
    authorities: [rr('example.com. 1 IN NS ns.example.com.')],
  }));
  const ranged = await ask(chain(['rewrite ttl example.com. 30-300'], next), 'example.com.');
  assert.deepEqual(ranged.answer.map((l) => l.split(' ')[1]), ['30', '300', '60']);
  assert.deepEqual(ranged.ns, ['example.com. 30 IN NS ns.example.com.']);
  const fixed = await ask(chain(['rewrite ttl suffix .com 15'], next), 'www.example.com.');
  assert.deepEqual(fixed.answer.map((l) => l.split(' ')[1]), ['15', '15', '15']);
  const other = await ask(chain(['rewrite ttl example.com. 15'], next), 'www.example.com.');
  assert.deepEqual(other.answer.map((l) => l.split(' ')[1]), ['5', '900', '60'], 'exact does not match a name below');

  const failing = printer(() => ({ answers: [], rcode: Rcode.SERVFAIL })).next;
  const rc = await ask(chain(['rewrite rcode regex (.*)\\.coredns\\.rocks SERVFAIL NOERROR'], failing), 'x.coredns.rocks.');
  assert.equal(rc.m.rcode, Rcode.NOERROR, 'even with no record in the reply');
  const untouched = await ask(chain(['rewrite rcode example.com. NXDOMAIN NOERROR'], failing), 'example.com.');
  assert.equal(untouched.m.rcode, Rcode.SERVFAIL);
});

test('rewrite: when the rest of the chain fails after a stop rule, the error reply goes through the response rules', async () => {
  const boom: Handler = { name: 'next', serveDNS() { return Promise.reject(new DnsError('PODNS_ERR_PLUGIN', 'boom', Rcode.SERVFAIL, 'next')); } };
  const h = chain(['rewrite stop rcode example.com. SERVFAIL REFUSED'], boom);
  const w = new Recorder();
  await assert.rejects(h.serveDNS(request('EXAMPLE.com.'), w), /boom/);
  assert.equal(w.written!.rcode, Rcode.REFUSED);
  assert.equal(w.writtenBy, 'rewrite');
  assert.deepEqual(w.written!.questions, [{ name: 'EXAMPLE.com.', type: RRType.A, class: RRClass.IN }]);

  const silent: Handler = { name: 'next', serveDNS() { return Promise.resolve(); } };
  const w2 = new Recorder();
  await chain(['rewrite name a.example. b.example.'], silent).serveDNS(request('a.example.'), w2);
  assert.equal(w2.written!.rcode, Rcode.SERVFAIL);
  assert.deepEqual(w2.written!.questions[0]!.name, 'a.example.');
});

test('rewrite: an invalid name after a rewrite fails the query', async () => {
  const { seen, next } = printer();
  const h = chain(['rewrite name example.org. example..org.'], next);
  await assert.rejects(h.serveDNS(request('example.org.'), new Recorder()), (err: unknown) => {
    assert.ok(err instanceof DnsError);
    assert.equal(err.message, 'invalid name after rewrite: example..org.');
    assert.equal(err.rcode, Rcode.SERVFAIL);
    return true;
  });
  const long = chain([`rewrite name regex (.*) {1}${'.abcdefghij'.repeat(24)}`], next);
  await assert.rejects(long.serveDNS(request('x.example.org.'), new Recorder()), /invalid name after rewrite/);
  assert.equal(seen.length, 0);
});

test('rewrite: a continue-only type rewrite still gives the client its own question (CoreDNS does not)', async () => {
  const { seen, next } = printer();
  const got = await ask(chain(['rewrite continue type AAAA A'], next), 'example.org.', RRType.AAAA);
  assert.equal(seen[0]!.type, RRType.A);
  assert.deepEqual(got.question, { name: 'example.org.', type: RRType.AAAA, class: RRClass.IN });
});

test('rewrite: cacheable() reaches the outer writer; the rewritten request keeps the client and EDNS', async () => {
  const { seen, next } = printer();
  const got = await ask(chain(['rewrite name a.example. b.example.'], next), 'a.example.');
  assert.equal(got.w.cacheSource, SOURCE);
  assert.equal(got.w.writtenBy, 'next');
  const req = seen[0]!.request;
  assert.equal(req.client.address, '127.0.0.1');
  assert.equal(req.lname, 'b.example.');
  assert.equal(req.depth, 0);
});

test('rewrite: several rewrite lines of a block make one handler', () => {
  const block = parseCorefile('. {\nrewrite name a. b.\nrewrite name c. d.\n}\n', { file: 'Corefile' })[0]!;
  const ctx = testContext();
  const [f1, f2] = block.directives.map((d) => rewritePlugin.setup(rewritePlugin.parse(d, ['.']), ctx)!);
  const end: Handler = { name: 'end', serveDNS: () => Promise.resolve() };
  assert.equal(f2!(end), end, 'the second line adds no link');
  assert.equal(f1!(end).name, 'rewrite');
  // Another block (another SetupContext) starts its own list.
  assert.equal(rewritePlugin.setup(rewritePlugin.parse(block.directives[1]!, ['.']), testContext())!(end).name, 'rewrite');
});
