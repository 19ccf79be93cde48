/**
 * The transfer handler against a scripted Transferer: the decision table of CoreDNS's
 * transfer.go (TCP only, zone match, `to`, IXFR serials, no Transferer → next plugin) and the
 * envelopes the transfer is cut into.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Transferer } from '../../core/capabilities.ts';
import { TRANSFER } from '../../core/capabilities.ts';
import type { Handler } from '../../core/handler.ts';
import { Request } from '../../core/request.ts';
import type { Address, Transport } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { testContext } from '../../testing/context.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { compileAcl } from './setup.ts';
import { ENVELOPE_RECORDS, TransferHandler, envelopes } from './transfer.ts';

const SOA = rr('example.org. 300 IN SOA ns.example.org. hostmaster.example.org. 42 7200 1800 86400 5');

function zoneOf(n: number): ResourceRecord[] {
  const out = [SOA];
  for (let i = 0; i < n; i++) out.push(rr(`h${i}.example.org. 5 IN A 10.0.${i >> 8}.${i & 255}`));
  return out;
}

function fakeTransferer(records: ResourceRecord[] | null): Transferer & { asked: string[] } {
  const asked: string[] = [];
  return { asked, zones: ['example.org.'], serial: () => 42, transfer: (z) => { asked.push(z); return z.toLowerCase() === 'example.org.' ? records : null; } };
}

const NEXT_MARK = rr('next.example. 1 IN TXT "next"');
const next: Handler = {
  name: 'next',
  serveDNS(req, w) { w.write({ ...req.msg, qr: true, answers: [NEXT_MARK] }, 'next'); return Promise.resolve(); },
};

interface Ask {
  readonly name?: string;
  readonly type?: number;
  readonly transport?: Transport;
  readonly client?: string;
  readonly authorities?: ResourceRecord[];
}

function request(a: Ask): Request {
  const msg: Message = {
    id: 7, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name: a.name ?? 'example.org.', type: a.type ?? RRType.AXFR, class: RRClass.IN }],
    answers: [], authorities: a.authorities ?? [], additionals: [], edns: null,
  };
  const ip = a.client ?? '127.0.0.1';
  const client: Address = { address: ip, port: 5353, family: ip.includes(':') ? 6 : 4 };
  return new Request(msg, client, a.transport ?? 'tcp');
}

async function serve(a: Ask, opts: { to?: string[]; zones?: string[]; records?: ResourceRecord[] | null; provide?: boolean } = {}): Promise<{ w: Recorder; t: ReturnType<typeof fakeTransferer>; lines: string[] }> {
  const ctx = testContext({ zones: ['example.org.'] });
  const t = fakeTransferer(opts.records === undefined ? zoneOf(3) : opts.records);
  if (opts.provide !== false) ctx.provide(TRANSFER, t);
  const h = new TransferHandler(next, opts.zones ?? ['example.org.'], compileAcl(opts.to ?? ['*']), ctx);
  const w = new Recorder();
  await h.serveDNS(request(a), w);
  return { w, t, lines: ctx.lines };
}

const lines = (m: Message | null): string[] => (m?.answers ?? []).map(formatRR);

describe('transfer: the handler', () => {
  it('AXFR over TCP: SOA, records, SOA in one authoritative message, never cacheable', async () => {
    const { w, lines: log } = await serve({});
    assert.equal(w.writtenBy, 'transfer');
    assert.equal(w.written?.rcode, Rcode.NOERROR);
    assert.equal(w.written?.aa, true);
    assert.deepEqual(w.written?.questions, [{ name: 'example.org.', type: RRType.AXFR, class: RRClass.IN }]);
    assert.deepEqual(lines(w.written), [...zoneOf(3), SOA].map(formatRR));
    assert.equal(w.more, null);
    assert.equal(w.noCache, true);
    assert.deepEqual(log, ['[INFO] plugin/transfer: Outgoing transfer of 5 records of zone "example.org." to 127.0.0.1 for 42 SOA serial']);
  });

  it('a large zone: envelopes of 501 records, in order, SOA first and last', async () => {
    const zone = zoneOf(1200);
    const { w } = await serve({}, { records: zone });
    const msgs = [w.written!, ...(w.more ?? [])];
    assert.deepEqual(msgs.map((m) => m.answers.length), [501, 501, 200]);
    assert.ok(msgs.every((m) => m.aa && m.id === 7 && m.questions.length === 1));
    assert.deepEqual(msgs.flatMap((m) => m.answers).map(formatRR), [...zone, SOA].map(formatRR));
  });

  it('the zone name is handed over as asked; matching is case-insensitive', async () => {
    const { w, t } = await serve({ name: 'Example.ORG.' });
    assert.deepEqual(t.asked, ['Example.ORG.']);
    assert.equal(w.writtenBy, 'transfer');
  });

  it('IXFR with the current serial: the single SOA, not authoritative', async () => {
    const { w, lines: log } = await serve({ type: RRType.IXFR, authorities: [rr('example.org. 0 IN SOA a. b. 42 0 0 0 0')] });
    assert.deepEqual(lines(w.written), [formatRR(SOA)]);
    assert.equal(w.written?.aa, false);
    assert.equal(w.more, null);
    assert.equal(w.noCache, true);
    assert.match(log[0]!, /Outgoing noop, incremental transfer for up to date zone "example.org." to 127.0.0.1 for 42 SOA serial/);
  });

  for (const serial of [41, 0, 43]) {
    it(`IXFR with serial ${serial} (not the current one): the full zone`, async () => {
      const { w } = await serve({ type: RRType.IXFR, authorities: [rr(`example.org. 0 IN SOA a. b. ${serial} 0 0 0 0`)] });
      assert.deepEqual(lines(w.written), [...zoneOf(3), SOA].map(formatRR));
      assert.equal(w.written?.questions[0]?.type, RRType.IXFR);
    });
  }

  it('IXFR without exactly one SOA in the authority section: SERVFAIL', async () => {
    for (const authorities of [[], [rr('example.org. 0 IN NS a.')], [SOA, SOA]]) {
      const { w } = await serve({ type: RRType.IXFR, authorities });
      assert.equal(w.written?.rcode, Rcode.SERVFAIL, JSON.stringify(authorities));
    }
  });

  it('over UDP: REFUSED, whatever the zone', async () => {
    for (const name of ['example.org.', 'other.test.']) {
      const { w, t } = await serve({ name, transport: 'udp' });
      assert.equal(w.written?.rcode, Rcode.REFUSED);
      assert.equal(w.writtenBy, 'transfer');
      assert.deepEqual(w.written?.answers, []);
      assert.deepEqual(t.asked, []);
    }
  });

  it('a client not in `to`: REFUSED without building the zone', async () => {
    const { w, t } = await serve({ client: '192.0.2.9' }, { to: ['10.0.0.0/8', '192.0.2.1:53'] });
    assert.equal(w.written?.rcode, Rcode.REFUSED);
    assert.deepEqual(t.asked, []);
    const ok = await serve({ client: '::ffff:10.1.2.3' }, { to: ['10.0.0.0/8'] });
    assert.equal(ok.w.written?.rcode, Rcode.NOERROR);
  });

  it('to the next plugin: other qtypes, other zones, no Transferer, a Transferer without the zone', async () => {
    const cases: Array<[Ask, Parameters<typeof serve>[1]]> = [
      [{ type: RRType.SOA }, {}],
      [{ type: RRType.A, transport: 'udp' }, {}],
      [{ name: 'other.test.' }, {}],
      [{}, { provide: false }],
      [{}, { records: null }],
    ];
    for (const [ask, opts] of cases) {
      const { w } = await serve(ask, opts);
      assert.equal(w.writtenBy, 'next', JSON.stringify(ask));
    }
  });

  it('a name below the zone is asked of the Transferer (which decides)', async () => {
    const { w, t } = await serve({ name: 'sub.example.org.' });
    assert.deepEqual(t.asked, ['sub.example.org.']);
    assert.equal(w.writtenBy, 'next');
  });
});

describe('transfer: envelopes', () => {
  it('501 records each (CoreDNS sends once it holds more than 500)', () => {
    assert.equal(ENVELOPE_RECORDS, 501);
    assert.deepEqual(envelopes(zoneOf(1001)).map((e) => e.length), [501, 501]);
    assert.deepEqual(envelopes(zoneOf(500)).map((e) => e.length), [501]);
    assert.deepEqual(envelopes([]), []);
  });

  it('cut earlier when 501 records could exceed a TCP message', () => {
    const label = 'x'.repeat(63);
    const long = Array.from({ length: 600 }, (_, i) => rr(`${label}.${label}.${label}.n${i}.example.org. 5 IN CNAME ${label}.${label}.${label}.t${i}.example.org.`));
    const parts = envelopes(long);
    assert.ok(parts.length > 2, `got ${parts.map((p) => p.length).join(',')}`);
    assert.deepEqual(parts.flat(), long);
    for (const p of parts) assert.ok(p.length < 501);
  });
});
