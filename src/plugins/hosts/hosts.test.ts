// Lookups through the hosts handler with a scripted next plugin: what is answered, what is passed
// on, what is left for the server to SERVFAIL (CoreDNS plugin/hosts/hosts.go and hosts_test.go).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Handler } from '../../core/handler.ts';
import { Request } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Message } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { formatRR } from '../../testing/rr.ts';
import { HostsHandler } from './hosts.ts';
import { parseHostsText } from './hostsfile.ts';
import { parseHosts } from './setup.ts';
import { HostsTable } from './table.ts';

const FILE = `
127.0.0.1 localhost localhost.domain
::1 localhost localhost.domain
10.0.0.1 example.org
::FFFF:10.0.0.2 example.com
10.0.0.3 multi.example.org
10.0.0.4 multi.example.org
fd00::5 v6only.example.org
10.0.0.10 *.wild.example.org
10.0.0.11 a.wild.example.org
fd00::12 b.wild.example.org
`;

interface Setup { readonly stanza?: string; readonly keys?: string; readonly file?: string }

function build({ stanza = 'hosts /nonexistent', keys = '.', file = FILE }: Setup = {}) {
  const block = parseCorefile(`${keys} {\n${stanza}\n}\n`, { file: 'Corefile' })[0]!;
  const options = parseHosts(block.directives[0]!, block.keys.flatMap((k) => k.zones));
  const table = new HostsTable(options.inline, options.ttl);
  table.setFile(parseHostsText(file, options.origins, options.autoReverse));
  const passed: string[] = [];
  const next: Handler = {
    name: 'next',
    serveDNS(req, w) {
      passed.push(req.qname);
      w.write({ ...req.msg, qr: true, rcode: Rcode.REFUSED }, 'next');
      return Promise.resolve();
    },
  };
  return { table, passed, handler: new HostsHandler(options, table, next) };
}

function request(name: string, type: number): Request {
  const msg: Message = {
    id: 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: '127.0.0.1', port: 5353, family: 4 }, 'udp');
}

type Outcome = { by: 'hosts'; rcode: number; aa: boolean; answer: string[]; ns: number } | { by: 'next' } | { by: 'nothing' };

async function ask(h: ReturnType<typeof build>, name: string, type: number): Promise<Outcome & { cacheable?: boolean }> {
  const w = new Recorder();
  await h.handler.serveDNS(request(name, type), w);
  if (w.written === null) return { by: 'nothing' };
  if (w.writtenBy === 'next') return { by: 'next' };
  const m = w.written;
  return { by: 'hosts', rcode: m.rcode, aa: m.aa, answer: m.answers.map(formatRR), ns: m.authorities.length, cacheable: w.cacheSource === h.table };
}

const noerror = (...answer: string[]) => ({ by: 'hosts', rcode: Rcode.NOERROR, aa: true, answer, ns: 0, cacheable: true });

test('hosts: lookups without fallthrough', async () => {
  const h = build();
  const cases: Array<[string, keyof typeof RRType, unknown]> = [
    ['example.org.', 'A', noerror('example.org. 3600 IN A 10.0.0.1')],
    ['example.com.', 'A', noerror('example.com. 3600 IN A 10.0.0.2')],
    ['localhost.', 'AAAA', noerror('localhost. 3600 IN AAAA ::1')],
    ['localhost.', 'A', noerror('localhost. 3600 IN A 127.0.0.1')],
    ['multi.example.org.', 'A', noerror('multi.example.org. 3600 IN A 10.0.0.3', 'multi.example.org. 3600 IN A 10.0.0.4')],
    // Case-insensitive; the owner is the lower-cased query name, as CoreDNS's state.Name().
    ['EXAMPLE.Org.', 'A', noerror('example.org. 3600 IN A 10.0.0.1')],
    // PTR, generated from every name of the address, v4 and v6, mapped v4 included.
    ['1.0.0.10.in-addr.arpa.', 'PTR', noerror('1.0.0.10.in-addr.arpa. 3600 IN PTR example.org.')],
    ['2.0.0.10.in-addr.arpa.', 'PTR', noerror('2.0.0.10.in-addr.arpa. 3600 IN PTR example.com.')],
    ['1.0.0.127.in-addr.arpa.', 'PTR', noerror('1.0.0.127.in-addr.arpa. 3600 IN PTR localhost.', '1.0.0.127.in-addr.arpa. 3600 IN PTR localhost.domain.')],
    [
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.', 'PTR',
      noerror('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. 3600 IN PTR localhost.', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. 3600 IN PTR localhost.domain.'),
    ],
    [
      '5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.D.F.ip6.arpa.', 'PTR',
      noerror('5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 3600 IN PTR v6only.example.org.'),
    ],
    // The name has the other family, or only other types are asked: NODATA, no SOA.
    ['example.org.', 'AAAA', noerror()],
    ['v6only.example.org.', 'A', noerror()],
    ['example.org.', 'MX', noerror()],
    ['example.org.', 'TXT', noerror()],
    // Unknown name in the zone: nothing written, the server answers SERVFAIL.
    ['nope.example.org.', 'A', { by: 'nothing' }],
    ['nope.example.org.', 'MX', { by: 'nothing' }],
    // PTR misses always go on, fallthrough or not.
    ['9.9.9.9.in-addr.arpa.', 'PTR', { by: 'next' }],
    ['example.org.', 'PTR', { by: 'next' }],
    ['0.10.in-addr.arpa.', 'PTR', { by: 'next' }],
    // Wildcards: one label below, not the apex, not two labels; explicit names win.
    ['x.wild.example.org.', 'A', noerror('x.wild.example.org. 3600 IN A 10.0.0.10')],
    ['X.Wild.example.org.', 'A', noerror('x.wild.example.org. 3600 IN A 10.0.0.10')],
    ['x.wild.example.org.', 'AAAA', noerror()],
    ['a.wild.example.org.', 'A', noerror('a.wild.example.org. 3600 IN A 10.0.0.11')],
    ['b.wild.example.org.', 'A', noerror()],
    ['wild.example.org.', 'A', { by: 'nothing' }],
    ['deep.x.wild.example.org.', 'A', { by: 'nothing' }],
    ['10.0.0.10.in-addr.arpa.', 'PTR', { by: 'next' }],
  ];
  for (const [name, type, want] of cases) assert.deepEqual(await ask(h, name, RRType[type]), want, `${name} ${type}`);
});

test('hosts: zones, fallthrough and fallthrough_unsupported', async () => {
  const zoned = build({ stanza: 'hosts /nonexistent example.org {\nfallthrough\n}' });
  assert.deepEqual(await ask(zoned, 'example.org.', RRType.A), noerror('example.org. 3600 IN A 10.0.0.1'));
  // Names outside the zones were never loaded, and queries for them go on.
  assert.deepEqual(await ask(zoned, 'localhost.', RRType.A), { by: 'next' });
  assert.deepEqual(await ask(zoned, 'example.com.', RRType.A), { by: 'next' });
  // PTR is looked up whatever the zones (only in-zone names were loaded).
  assert.deepEqual(await ask(zoned, '1.0.0.10.in-addr.arpa.', RRType.PTR), noerror('1.0.0.10.in-addr.arpa. 3600 IN PTR example.org.'));
  assert.deepEqual(await ask(zoned, '1.0.0.127.in-addr.arpa.', RRType.PTR), { by: 'next' });
  // Unknown name in the zone falls through; a known name's other types still get NODATA.
  assert.deepEqual(await ask(zoned, 'nope.example.org.', RRType.A), { by: 'next' });
  assert.deepEqual(await ask(zoned, 'example.org.', RRType.TXT), noerror());

  const some = build({ stanza: 'hosts /nonexistent {\nfallthrough sub.example.org\n}' });
  assert.deepEqual(await ask(some, 'x.sub.example.org.', RRType.A), { by: 'next' });
  assert.deepEqual(await ask(some, 'x.example.org.', RRType.A), { by: 'nothing' });

  const unsupported = build({ stanza: 'hosts /nonexistent {\nfallthrough example.org\nfallthrough_unsupported\n}' });
  assert.deepEqual(await ask(unsupported, 'example.org.', RRType.HTTPS), { by: 'next' });
  assert.deepEqual(await ask(unsupported, 'example.org.', RRType.AAAA), noerror(), 'AAAA is a supported type: NODATA');
  assert.deepEqual(await ask(unsupported, 'localhost.', RRType.TXT), noerror(), 'outside the fallthrough zones: NODATA');
});

test('hosts: ttl, no_reverse, and inline entries after the file ones', async () => {
  const h = build({ stanza: 'hosts /nonexistent {\n10.9.9.9 example.org inline.example.org\n10.0.0.1 example.org\nttl 60\nno_reverse\n}' });
  assert.deepEqual(await ask(h, 'example.org.', RRType.A), noerror('example.org. 60 IN A 10.0.0.1', 'example.org. 60 IN A 10.9.9.9'));
  assert.deepEqual(await ask(h, 'inline.example.org.', RRType.A), noerror('inline.example.org. 60 IN A 10.9.9.9'));
  assert.deepEqual(await ask(h, '1.0.0.10.in-addr.arpa.', RRType.PTR), { by: 'next' });

  const r = build({ stanza: 'hosts /nonexistent {\n10.0.0.1 inline.example.org\nttl 60\n}' });
  assert.deepEqual(await ask(r, '1.0.0.10.in-addr.arpa.', RRType.PTR), noerror('1.0.0.10.in-addr.arpa. 60 IN PTR example.org.', '1.0.0.10.in-addr.arpa. 60 IN PTR inline.example.org.'));
});

test('hosts: a new file map bumps the revision and changes the answers', async () => {
  const h = build();
  const before = h.table.revision;
  h.table.setFile(parseHostsText('10.1.1.1 example.org', ['.'], true));
  assert.notEqual(h.table.revision, before);
  assert.deepEqual(await ask(h, 'example.org.', RRType.A), noerror('example.org. 3600 IN A 10.1.1.1'));
  assert.deepEqual(await ask(h, 'localhost.', RRType.A), { by: 'nothing' });
});
