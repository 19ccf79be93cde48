// prometheus: what one QueryEvent adds to the server metrics, label by label. Each test uses its
// own `server` label, since the metrics are process-wide.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueryEvent } from '../../core/handler.ts';
import { registry } from '../../core/metrics.ts';
import { Request, reply } from '../../core/request.ts';
import type { ReplyParts } from '../../core/request.ts';
import { encodeMessage } from '../../dns/message.ts';
import type { Edns, Message } from '../../dns/types.ts';
import { Rcode, RRType } from '../../dns/types.ts';
import { rr } from '../../testing/rr.ts';
import { dnssecOk, queryType, rcodeLabel, recordQuery, replyRcode } from './observer.ts';

function edns(udpSize: number, dnssec: boolean): Edns {
  return { udpSize, version: 0, do: dnssec, extendedRcode: 0, options: [] };
}

function query(name: string, type: number, e: Edns | null = null): Message {
  return {
    id: 4242, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: e,
  };
}

interface EventOptions {
  readonly server: string;
  readonly zone?: string;
  readonly transport?: 'udp' | 'tcp';
  readonly family?: 4 | 6;
  readonly address?: string;
  readonly by?: string | null;
  readonly durationNs?: number;
  readonly replyParts?: ReplyParts | null;
  readonly replyEdns?: Edns | null;
}

function event(q: Message, o: EventOptions): QueryEvent {
  const client = { address: o.address ?? (o.family === 6 ? '::1' : '10.0.0.7'), port: 40000, family: o.family ?? 4 };
  const req = new Request(q, client, o.transport ?? 'udp');
  const r = o.replyParts === null ? null : encodeMessage({ ...reply(req, o.replyParts ?? {}), edns: o.replyEdns ?? null });
  return {
    server: o.server, zone: o.zone ?? 'cluster.local.', local: '::', client, transport: o.transport ?? 'udp',
    query: encodeMessage(q), reply: r, by: o.by === undefined ? 'kubernetes' : o.by,
    start: 0n, durationNs: o.durationNs ?? 1_000_000,
  };
}

async function scrape(): Promise<string> { return registry.metrics(); }

/** The value of the series `name{labels}` whose label text starts with `labels`, or undefined. */
function value(text: string, name: string, labels: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{${labels}`)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('prometheus: server metrics from query events', () => {
  test('requests_total by proto, family and type; unmonitored types are "other"', async () => {
    const server = 'dns://:1001';
    recordQuery(event(query('a.cluster.local.', RRType.A), { server }));
    recordQuery(event(query('a.cluster.local.', RRType.A), { server }));
    recordQuery(event(query('a.cluster.local.', RRType.AAAA), { server, transport: 'tcp', family: 6 }));
    recordQuery(event(query('a.cluster.local.', RRType.HINFO), { server }));
    recordQuery(event(query('a.cluster.local.', RRType.HTTPS), { server, address: '::ffff:10.1.2.3', family: 6 }));
    const m = await scrape();
    const base = `server="${server}",zone="cluster.local.",view="",`;
    assert.equal(value(m, 'coredns_dns_requests_total', `${base}proto="udp",family="1",type="A"}`), 2);
    assert.equal(value(m, 'coredns_dns_requests_total', `${base}proto="tcp",family="2",type="AAAA"}`), 1);
    assert.equal(value(m, 'coredns_dns_requests_total', `${base}proto="udp",family="1",type="other"}`), 1);
    assert.equal(value(m, 'coredns_dns_requests_total', `${base}proto="udp",family="1",type="HTTPS"}`), 1, 'IPv4-mapped IPv6 counts as family 1');
    assert.equal(value(m, 'coredns_dns_requests_total', `${base}proto="udp",family="1",type="HINFO"}`), undefined);
  });

  test('responses_total by rcode name and the plugin that wrote; "" when the server did', async () => {
    const server = 'dns://:1002';
    const q = query('x.cluster.local.', RRType.A);
    recordQuery(event(q, { server, replyParts: { rcode: Rcode.NXDOMAIN } }));
    recordQuery(event(q, { server, replyParts: { rcode: Rcode.NXDOMAIN } }));
    recordQuery(event(q, { server, replyParts: { rcode: Rcode.SERVFAIL }, by: null }));
    recordQuery(event(q, { server, replyParts: { answers: [rr('x.cluster.local. 5 IN A 10.0.0.1')] }, by: 'hosts' }));
    recordQuery(event(query('x.cluster.local.', RRType.A, edns(1232, false)), { server, replyParts: { rcode: Rcode.BADVERS }, replyEdns: edns(1232, false) }));
    const m = await scrape();
    const base = `server="${server}",zone="cluster.local.",view="",`;
    assert.equal(value(m, 'coredns_dns_responses_total', `${base}rcode="NXDOMAIN",plugin="kubernetes"}`), 2);
    assert.equal(value(m, 'coredns_dns_responses_total', `${base}rcode="SERVFAIL",plugin=""}`), 1);
    assert.equal(value(m, 'coredns_dns_responses_total', `${base}rcode="NOERROR",plugin="hosts"}`), 1);
    assert.equal(value(m, 'coredns_dns_responses_total', `${base}rcode="BADSIG",plugin="kubernetes"}`), 1, 'extended rcode 16 (miekg names it BADSIG)');
  });

  test('DO queries, sizes and durations', async () => {
    const server = 'dns://:1003';
    const q = query('x.cluster.local.', RRType.A, edns(4096, true));
    const e = event(q, { server, durationNs: 3_000_000, replyParts: { answers: [rr('x.cluster.local. 5 IN A 10.0.0.1')] } });
    recordQuery(e);
    recordQuery(event(query('x.cluster.local.', RRType.A), { server, durationNs: 100_000 }));
    const m = await scrape();
    const base = `server="${server}",zone="cluster.local.",view=""`;
    assert.equal(value(m, 'coredns_dns_do_requests_total', `${base}}`), 1);
    assert.equal(value(m, 'coredns_dns_request_duration_seconds_bucket', `${base},le="0.00025"}`), 1);
    assert.equal(value(m, 'coredns_dns_request_duration_seconds_bucket', `${base},le="0.002"}`), 1);
    assert.equal(value(m, 'coredns_dns_request_duration_seconds_bucket', `${base},le="0.004"}`), 2);
    assert.equal(value(m, 'coredns_dns_request_duration_seconds_count', `${base}}`), 2);
    assert.ok(Math.abs(value(m, 'coredns_dns_request_duration_seconds_sum', `${base}}`)! - 0.0031) < 1e-12);
    assert.equal(value(m, 'coredns_dns_request_size_bytes_sum', `${base},proto="udp"}`), e.query.length + encodeMessage(query('x.cluster.local.', RRType.A)).length);
    assert.equal(value(m, 'coredns_dns_request_size_bytes_bucket', `${base},proto="udp",le="0"}`), 0);
    assert.equal(value(m, 'coredns_dns_request_size_bytes_bucket', `${base},proto="udp",le="100"}`), 2);
    assert.equal(value(m, 'coredns_dns_response_size_bytes_count', `${base},proto="udp"}`), 2);
  });

  test('the wire readers', () => {
    assert.equal(queryType(encodeMessage(query('a.b.', RRType.SRV))), RRType.SRV);
    assert.equal(queryType(new Uint8Array(5)), -1);
    assert.equal(dnssecOk(encodeMessage(query('a.', RRType.A, edns(1232, true)))), true);
    assert.equal(dnssecOk(encodeMessage(query('a.', RRType.A, edns(1232, false)))), false);
    assert.equal(dnssecOk(encodeMessage(query('a.', RRType.A))), false);
    const req = new Request(query('a.', RRType.A), { address: '1.2.3.4', port: 1, family: 4 }, 'udp');
    assert.equal(replyRcode(encodeMessage({ ...reply(req, { rcode: Rcode.REFUSED }), edns: null })), Rcode.REFUSED);
    assert.equal(replyRcode(encodeMessage({ ...reply(req, { rcode: Rcode.BADVERS }), edns: edns(512, false) })), 16);
    assert.equal(rcodeLabel(3), 'NXDOMAIN');
    assert.equal(rcodeLabel(12), 'RCODE12');
  });
});
