import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { AUTOPATH } from '../../core/capabilities.ts';
import type { Handler } from '../../core/handler.ts';
import { registry } from '../../core/metrics.ts';
import type { Request } from '../../core/request.ts';
import { Request as Req, reply } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { ClientKey, Countdown } from '../../core/writer.ts';
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { testContext } from '../../testing/context.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { AutopathHandler, cnamer, mayAutopath } from './autopath.ts';
import type { SearchSource } from './autopath.ts';
import { parseAutopath, setupAutopath } from './setup.ts';
import { parseResolvSearch } from '../../dns/resolvconf.ts';

const directive = (line: string, zones = '.') => parseCorefile(`${zones} {\n${line}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;

test('autopath: parse, good stanzas', () => {
  const cases: Array<[string, string, object]> = [
    ['autopath @kubernetes', '.', { zones: ['.'], plugin: 'kubernetes', resolvConf: null }],
    ['autopath @kubernetes', 'cluster.local', { zones: ['cluster.local.'], plugin: 'kubernetes', resolvConf: null }],
    ['autopath Cluster.Local example.org @kubernetes', '.', { zones: ['cluster.local.', 'example.org.'], plugin: 'kubernetes', resolvConf: null }],
    ['autopath /etc/resolv.conf', '.', { zones: ['.'], plugin: null, resolvConf: '/etc/resolv.conf' }],
    ['autopath example.org my-resolv.conf', '.', { zones: ['example.org.'], plugin: null, resolvConf: 'my-resolv.conf' }],
  ];
  for (const [line, zones, want] of cases) {
    const d = directive(line, zones);
    const blockZones = zones === '.' ? ['.'] : [`${zones}.`];
    assert.deepEqual(parseAutopath(d, blockZones), { ...want, file: 'Corefile', line: 2 }, line);
  }
});

test('autopath: parse, bad stanzas are errors at the directive', () => {
  const cases: Array<[string, string]> = [
    ['autopath', 'Corefile:2 - Error during setup: plugin/autopath: no resolv-conf specified'],
    ['autopath @etcd', 'Corefile:2 - Error during setup: plugin/autopath: @etcd: only @kubernetes can provide a search path'],
    ['autopath @kubernetes {\nfoo\n}', "Corefile:2 - Error during setup: plugin/autopath: unknown property 'foo'"],
  ];
  for (const [line, msg] of cases) assert.throws(() => parseAutopath(directive(line), ['.']), { message: msg }, line);
  assert.throws(() => parseAutopath(directive('autopath 10.0.0.0/33 @kubernetes'), ['.']), /Corefile:2 .*plugin\/autopath/);
});

test('autopath: @kubernetes without a provider fails the start with a clear error; a provider is found lazily', async () => {
  const ctx = testContext();
  setupAutopath(parseAutopath(directive('autopath @kubernetes'), ['.']), ctx);
  await assert.rejects(ctx.start(), {
    message: 'Corefile:2 - Error during setup: plugin/autopath: @kubernetes: no kubernetes plugin in this server block provides a search path (add a kubernetes stanza with `pods verified`)',
  });
  // Provided after autopath's setup (kubernetes comes later in the plugin order): found at startup.
  const ok = testContext();
  const factory = setupAutopath(parseAutopath(directive('autopath @kubernetes'), ['.']), ok);
  ok.provide(AUTOPATH, { searchPath: () => ['ns.svc.cluster.local.', ''] });
  await ok.start();
  const next = scripted({ 'x.cluster.local.': () => 'nodata' });
  const h = factory(next);
  const w = new Recorder();
  await h.serveDNS(request('x.ns.svc.cluster.local.', RRType.A), w);
  assert.deepEqual(next.asked, ['x.ns.svc.cluster.local.', 'x.']);
});

test('autopath: a RESOLV-CONF file is read at startup; unreadable is an error; its search list is the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'autopath-'));
  const bad = testContext();
  setupAutopath(parseAutopath(directive(`autopath ${join(dir, 'missing.conf')}`), ['.']), bad);
  await assert.rejects(bad.start(), /Corefile:2 - Error during setup: plugin\/autopath: failed to parse ".*missing\.conf": ENOENT/);

  const file = join(dir, 'resolv.conf');
  writeFileSync(file, 'nameserver 10.0.0.1\nsearch Example.ORG other.org\noptions ndots:5\n');
  const ctx = testContext();
  const factory = setupAutopath(parseAutopath(directive(`autopath ${file}`), ['.']), ctx);
  await ctx.start();
  const next = scripted({ 'web.other.org.': () => 'nodata' });
  const w = new Recorder();
  await factory(next).serveDNS(request('web.example.org.', RRType.A), w);
  assert.deepEqual(next.asked, ['web.example.org.', 'web.other.org.']);

  const empty = join(dir, 'empty.conf');
  writeFileSync(empty, 'nameserver 10.0.0.1\n');
  const ctx2 = testContext();
  setupAutopath(parseAutopath(directive(`autopath ${empty}`), ['.']), ctx2);
  await ctx2.start();
  assert.ok(ctx2.lines.some((l) => l.startsWith('[WARNING] plugin/autopath: no search domains in')), ctx2.lines.join('\n'));
});

test('autopath: resolv.conf search lists as miekg/dns reads them', () => {
  const cases: Array<[string, string[]]> = [
    ['search a.com b.com\n', ['a.com.', 'b.com.']],
    ['domain x.org\nsearch A.com.\n', ['a.com.']],
    ['search a.com\ndomain x.org\n', ['x.org.']],
    ['# search no.com\n; search no.org\nnameserver 1.1.1.1\n', []],
    ['search . a.com a.com\n', ['a.com.']],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseResolvSearch(text), want, text);
});

// ---- behaviour, with a scripted rest of the chain ------------------------------------------

type Outcome = 'nxdomain' | 'nodata' | 'throw' | ResourceRecord[] | ((req: Request) => Message);

interface Scripted extends Handler { readonly asked: string[] }

/** The rest of the chain: answers per (lower-case) name; anything unscripted is NXDOMAIN. */
function scripted(script: Record<string, (req: Request) => Outcome>, by = 'kubernetes', cacheSource: { revision: number } | null = null): Scripted {
  const asked: string[] = [];
  return {
    name: 'scripted',
    asked,
    async serveDNS(req, w) {
      asked.push(req.qtype === RRType.A || req.qtype === RRType.AAAA ? req.qname : `${req.qname} type${req.qtype}`);
      const f = script[req.lname];
      const o = f === undefined ? 'nxdomain' : f(req);
      if (o === 'throw') throw new Error('upstream timed out');
      const soa = [rr('cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5')];
      let m: Message;
      if (o === 'nxdomain') m = reply(req, { rcode: Rcode.NXDOMAIN, authorities: soa });
      else if (o === 'nodata') m = reply(req, { authorities: soa });
      else if (typeof o === 'function') m = o(req);
      else m = reply(req, { answers: o });
      w.write(m, by);
      if (cacheSource !== null) w.cacheable(cacheSource);
    },
  };
}

function request(name: string, type: number, client = '10.244.1.10'): Request {
  const msg: Message = {
    id: 7, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Req(msg, { address: client, port: 5353, family: 4 }, 'udp', 0, 'dns://:53');
}

const PATH = ['shop.svc.cluster.local.', 'svc.cluster.local.', 'cluster.local.', 'example.org.', ''];

function handler(next: Handler, path: readonly string[] | null = PATH, perClient = true, zones = ['.']): AutopathHandler {
  const source: SearchSource = { searchPath: (req) => (req.client.address === '10.244.1.10' ? path : null) };
  return new AutopathHandler(next, zones, { source }, perClient);
}

async function success(): Promise<number> {
  const m = await registry.getSingleMetric('coredns_autopath_success_total')!.get();
  return m.values.find((v) => v.labels['server'] === 'dns://:53')?.value ?? 0;
}

const lines = (rrs: readonly ResourceRecord[]): string[] => rrs.map(formatRR);

test('autopath: found under a later element: CNAME from the name asked (TTL of the first answer), question restored', async () => {
  const next = scripted({ 'google.com.': () => [rr('google.com. 120 IN A 142.250.1.1'), rr('google.com. 60 IN A 142.250.1.2')] }, 'forward');
  const w = new Recorder();
  const before = await success();
  await handler(next).serveDNS(request('Google.com.Shop.svc.cluster.local.', RRType.A), w);
  assert.deepEqual(next.asked, [
    'Google.com.Shop.svc.cluster.local.', 'Google.com.svc.cluster.local.', 'Google.com.cluster.local.',
    'Google.com.example.org.', 'Google.com.',
  ]);
  const m = w.written!;
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.equal(w.writtenBy, 'autopath');
  assert.deepEqual(m.questions, [{ name: 'Google.com.Shop.svc.cluster.local.', type: RRType.A, class: 1 }]);
  assert.deepEqual(lines(m.answers), [
    'Google.com.Shop.svc.cluster.local. 120 IN CNAME google.com.',
    'google.com. 120 IN A 142.250.1.1',
    'google.com. 60 IN A 142.250.1.2',
  ]);
  assert.equal(w.cacheSource, null);
  assert.equal(w.noCache, true, 'a synthesised reply is never cacheable');
  assert.equal(await success(), before + 1);
});

test('autopath: the walk stops at the first non-NXDOMAIN, NODATA included (no CNAME without answers)', async () => {
  const next = scripted({ 'web.svc.cluster.local.': () => 'nodata', 'web.cluster.local.': () => [rr('web.cluster.local. 5 IN A 1.1.1.1')] });
  const w = new Recorder();
  await handler(next).serveDNS(request('web.shop.svc.cluster.local.', RRType.A), w);
  assert.deepEqual(next.asked, ['web.shop.svc.cluster.local.', 'web.svc.cluster.local.']);
  assert.equal(w.written!.rcode, Rcode.NOERROR);
  assert.deepEqual(w.written!.answers, []);
  assert.equal(w.written!.questions[0]!.name, 'web.shop.svc.cluster.local.');
  assert.equal(lines(w.written!.authorities)[0]!.split(' ')[3], 'SOA');
  assert.equal(w.noCache, true);
});

test('autopath: every step NXDOMAIN: the first reply unchanged, and not cacheable', async () => {
  const next = scripted({}, 'kubernetes', { revision: 3 });
  const w = new Recorder();
  const before = await success();
  await handler(next).serveDNS(request('nope.shop.svc.cluster.local.', RRType.A), w);
  assert.equal(next.asked.length, PATH.length);
  assert.equal(w.written!.rcode, Rcode.NXDOMAIN);
  assert.equal(w.written!.questions[0]!.name, 'nope.shop.svc.cluster.local.');
  assert.equal(w.writtenBy, 'kubernetes');
  assert.equal(w.cacheSource, null);
  assert.equal(w.noCache, true);
  assert.equal(await success(), before);
});

test('autopath: found as asked: the reply passes unchanged, cacheable as its plugin said, and no second CNAME', async () => {
  const source = { revision: 9 };
  const ext = (req: Request): Message => reply(req, { answers: [
    rr('ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.'), rr('api.example.com. 30 IN A 192.0.2.7'),
  ] });
  const next = scripted({ 'ext.shop.svc.cluster.local.': () => ext }, 'kubernetes', source);
  const w = new Recorder();
  await handler(next).serveDNS(request('ext.shop.svc.cluster.local.', RRType.A), w);
  assert.deepEqual(next.asked, ['ext.shop.svc.cluster.local.']);
  // CoreDNS's cnamer would prepend `ext… CNAME api.example.com.` again here.
  assert.deepEqual(lines(w.written!.answers), ['ext.shop.svc.cluster.local. 5 IN CNAME api.example.com.', 'api.example.com. 30 IN A 192.0.2.7']);
  assert.equal(w.writtenBy, 'kubernetes');
  assert.equal(w.cacheSource, source);
});

test('autopath: a later plugin\'s per-client declaration (acl\'s) survives a reply found as asked; a dropped walk is dropped', async () => {
  const key: ClientKey = { of: (c) => c.address };
  const source = { revision: 1 };
  const found: Handler = {
    name: 'acl',
    serveDNS(req, w) {
      w.write(reply(req, { answers: [rr(`${req.qname} 5 IN A 192.0.2.1`)] }), 'kubernetes');
      w.cacheable(source);
      w.varies(key, req.client.address);
      return Promise.resolve();
    },
  };
  const w = new Recorder();
  await handler(found).serveDNS(request('web.shop.svc.cluster.local.', RRType.A), w);
  assert.deepEqual([w.cacheSource, w.vary, w.varyValue], [source, key, '10.244.1.10']);
  const dropper: Handler = { name: 'acl', serveDNS(_req, w) { w.drop('acl'); return Promise.resolve(); } };
  const d = new Recorder();
  await handler(dropper).serveDNS(request('web.shop.svc.cluster.local.', RRType.A), d);
  assert.deepEqual([d.dropped, d.written, d.writtenBy, d.noCache], [true, null, 'acl', true]);
});

test('autopath: an error from the rest of the chain aborts the walk', async () => {
  const next = scripted({ 'x.svc.cluster.local.': () => 'throw' });
  const w = new Recorder();
  await assert.rejects(handler(next).serveDNS(request('x.shop.svc.cluster.local.', RRType.A), w), /upstream timed out/);
  assert.deepEqual(next.asked, ['x.shop.svc.cluster.local.', 'x.svc.cluster.local.']);
  assert.equal(w.written, null);
});

test('autopath: passes on untouched outside its zones, without a path, or not under the first element', async () => {
  const cases: Array<[string, string, string[] | null, string[]]> = [
    // name, client, zones of the plugin (null: all), expected asked
    ['x.shop.svc.cluster.local.', '10.0.0.99', null, ['x.shop.svc.cluster.local.']], // not a pod
    ['x.other.svc.cluster.local.', '10.244.1.10', null, ['x.other.svc.cluster.local.']], // another namespace
    ['shop.svc.cluster.local.', '10.244.1.10', null, ['shop.svc.cluster.local.']], // the first element itself
    ['x.shop.svc.cluster.local.', '10.244.1.10', ['example.org.'], ['x.shop.svc.cluster.local.']], // outside autopath's zones
  ];
  for (const [name, client, zones, asked] of cases) {
    const next = scripted({});
    const w = new Recorder();
    await handler(next, PATH, true, zones ?? ['.']).serveDNS(request(name, RRType.A, client), w);
    assert.deepEqual(next.asked, asked, name);
    assert.equal(w.written!.rcode, Rcode.NXDOMAIN);
  }
});

test('autopath: when it does not apply, an NXDOMAIN another client could autopath is made uncacheable; other replies keep their cacheability', async () => {
  const src = { revision: 1 };
  const cases: Array<[string, 'nxdomain' | 'nodata', boolean, boolean]> = [
    // name, reply, per-client search path, expect uncacheable
    ['x.shop.svc.cluster.local.', 'nxdomain', true, true],
    ['x.com.other.svc.cluster.local.', 'nxdomain', true, true],
    ['x.cluster.local.', 'nxdomain', true, false], // no <ns>.svc. suffix: no client autopaths it
    ['x.shop.svc.cluster.local.', 'nodata', true, false], // a pod's walk would stop at once with this same reply
    ['x.shop.svc.cluster.local.', 'nxdomain', false, false], // a static search path is the same for everyone
  ];
  for (const [name, outcome, perClient, uncacheable] of cases) {
    const next = scripted({ [name]: () => outcome }, 'kubernetes', src);
    const w = new Recorder();
    await handler(next, PATH, perClient).serveDNS(request(name, RRType.A, '10.0.0.99'), w);
    assert.equal(w.noCache, uncacheable, `${name} ${outcome} ${perClient}`);
    assert.equal(w.cacheSource, uncacheable ? null : src);
  }
  assert.equal(mayAutopath('a.ns.svc.'), true);
  assert.equal(mayAutopath('svc.cluster.local.'), false);
});

test('autopath: AAAA answered by filter_aaaa: the name\'s A decides whether the walk stops (A and AAAA walks agree)', async () => {
  // Nothing exists: without the A probe the AAAA walk would stop at example.org's synthetic NODATA.
  const filtered = (req: Request): Message => reply(req, { authorities: [rr(`${req.qname} 300 IN SOA filter-aaaa.podns.invalid. hostmaster.podns.invalid. 1 7200 1800 86400 300`)] });
  const outsideCluster = (name: string): boolean => !name.endsWith('cluster.local.');
  const asked: string[] = [];
  const make = (exists: Set<string>): Handler => ({
    name: 'rest',
    async serveDNS(req, w) {
      asked.push(`${req.qname} ${req.qtype === RRType.A ? 'A' : 'AAAA'}`);
      if (req.qtype === RRType.AAAA && outsideCluster(req.lname)) { w.write(filtered(req), 'filter_aaaa'); return; }
      if (exists.has(req.lname)) { w.write(reply(req, { answers: [rr(`${req.qname} 30 IN A 192.0.2.1`)] }), 'forward'); return; }
      w.write(reply(req, { rcode: Rcode.NXDOMAIN }), 'kubernetes');
    },
  });
  let w = new Recorder();
  await handler(make(new Set())).serveDNS(request('nope.shop.svc.cluster.local.', RRType.AAAA), w);
  assert.equal(w.written!.rcode, Rcode.NXDOMAIN, 'all NXDOMAIN for A, so NXDOMAIN for AAAA too');
  assert.deepEqual(asked.splice(0), [
    'nope.shop.svc.cluster.local. AAAA', 'nope.svc.cluster.local. AAAA', 'nope.cluster.local. AAAA',
    'nope.example.org. AAAA', 'nope.example.org. A', 'nope. AAAA', 'nope. A',
  ]);

  w = new Recorder();
  await handler(make(new Set(['google.com.']))).serveDNS(request('google.com.shop.svc.cluster.local.', RRType.AAAA), w);
  assert.equal(w.written!.rcode, Rcode.NOERROR);
  assert.deepEqual(w.written!.answers, []);
  assert.equal(w.written!.questions[0]!.name, 'google.com.shop.svc.cluster.local.');
  assert.deepEqual(asked.splice(0).slice(-4), ['google.com.example.org. AAAA', 'google.com.example.org. A', 'google.com. AAAA', 'google.com. A']);
  assert.equal(w.noCache, true);
});

test('autopath: steps whose name would exceed 255 octets are skipped', async () => {
  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.`;
  const path = ['shop.svc.cluster.local.', `${'d'.repeat(60)}.example.org.`, ''];
  const next = scripted({});
  const w = new Recorder();
  await handler(next, path).serveDNS(request(`${long}shop.svc.cluster.local.`, RRType.A), w);
  assert.deepEqual(next.asked, [`${long}shop.svc.cluster.local.`, long]);
});

test('autopath: cnamer points at the owner of the first answer not owned by the name asked', () => {
  const req = request('a.shop.svc.cluster.local.', RRType.A);
  const m = reply(req.withQuestion('a.example.org.', RRType.A), { answers: [rr('a.example.org. 40 IN CNAME b.example.org.'), rr('b.example.org. 10 IN A 192.0.2.2')] });
  const out = cnamer(m, req);
  assert.deepEqual(lines(out.answers), [
    'a.shop.svc.cluster.local. 40 IN CNAME a.example.org.', 'a.example.org. 40 IN CNAME b.example.org.', 'b.example.org. 10 IN A 192.0.2.2',
  ]);
  assert.deepEqual(out.questions, req.msg.questions);
  assert.equal(out.id, 7);
});

test('autopath: a reply found at a later step is replayable per namespace while every step holds', async () => {
  const cluster = { revision: 4 };
  const pods = { revision: 11 };
  let nxTtl = 20;
  let foundTtl = 60;
  const nx: Countdown = { replay: () => nxTtl };
  const found: Countdown = { replay: () => foundTtl };
  const next: Handler = {
    name: 'steps',
    async serveDNS(req, w) {
      if (req.lname.endsWith('cluster.local.')) {
        w.write(reply(req, { rcode: Rcode.NXDOMAIN }), 'kubernetes');
        w.cacheable(cluster);
      } else if (req.lname === 'google.com.example.org.') {
        w.write(reply(req, { rcode: Rcode.NXDOMAIN }), 'cache');
        w.replayable(nx);
      } else {
        w.write(reply(req, { answers: [rr('google.com. 60 IN A 142.250.1.1')] }), 'cache');
        w.replayable(found);
      }
    },
  };
  const byNamespace: ClientKey = { of: (c) => (c.address === '10.244.1.10' ? 'shop' : '/') };
  const source: SearchSource = { searchPath: (req) => (req.client.address === '10.244.1.10' ? PATH : null), clientKey: byNamespace, source: pods };
  const h = new AutopathHandler(next, ['.'], { source }, true);
  const w = new Recorder();
  await h.serveDNS(request('google.com.shop.svc.cluster.local.', RRType.A), w);
  assert.deepEqual(lines(w.written!.answers), ['google.com.shop.svc.cluster.local. 60 IN CNAME google.com.', 'google.com. 60 IN A 142.250.1.1']);
  assert.equal(w.noCache, false);
  assert.equal(w.vary, byNamespace);
  assert.equal(w.varyValue, 'shop');
  const valid = w.cacheRevision;
  assert.equal(w.cacheSource!.revision, valid);
  const before = await success();
  foundTtl = 42;
  assert.equal(w.countdown!.replay(), 42, 'the found answer\'s TTL, counted down');
  assert.equal(await success(), before + 1, 'a replay is an autopath success');
  nxTtl = -1;
  assert.equal(w.countdown!.replay(), -1, 'a step\'s cached NXDOMAIN gone: walk again');
  cluster.revision++;
  assert.notEqual(w.cacheSource!.revision, valid, 'a cluster step\'s source moved');
  cluster.revision--;
  pods.revision++;
  assert.notEqual(w.cacheSource!.revision, valid, 'the path\'s source (the pods) moved');

  // A step that is neither cacheable nor replayable (a forward answered it): never replayed.
  const plain = scripted({ 'google.com.': () => [rr('google.com. 60 IN A 142.250.1.1')] }, 'forward');
  const w2 = new Recorder();
  await new AutopathHandler(plain, ['.'], { source }, true).serveDNS(request('google.com.shop.svc.cluster.local.', RRType.A), w2);
  assert.equal(w2.noCache, true);
  assert.equal(w2.vary, null);
});
