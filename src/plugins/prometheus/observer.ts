/**
 * The per-query server metrics (CoreDNS vars.Report), fed by the server's QueryEvents: chain
 * answers and answer-cache hits alike. The series of one server/zone pair are found with two Map
 * lookups and then addressed by array index (proto, family, type) or small maps (rcode, plugin);
 * nothing is allocated per query once a label set has been seen. The query and reply are read
 * from their bytes without decoding.
 */
import type { QueryEvent } from '../../core/handler.ts';
import { findOpt } from '../../dns/header.ts';
import { RRType } from '../../dns/types.ts';
import { doRequestsTotal, requestDuration, requestSize, requestsTotal, responseSize, responsesTotal } from './metrics.ts';
import type { CounterSeries, HistogramSeries } from './series.ts';

/** The query types CoreDNS labels by name (vars.monitorType); every other type is "other". */
const MONITORED = ['A', 'AAAA', 'CNAME', 'DNSKEY', 'DS', 'MX', 'NSEC3', 'NSEC', 'NS', 'PTR', 'RRSIG', 'SOA', 'SRV', 'TXT', 'HTTPS', 'IXFR', 'AXFR', 'ANY'] as const;
const TYPE_LABELS: readonly string[] = [...MONITORED, 'other'];
const OTHER = MONITORED.length;
const TYPE_INDEX = new Map<number, number>(MONITORED.map((t, i) => [RRType[t], i]));
const TYPE_SLOTS = TYPE_LABELS.length;

/** miekg/dns RcodeToString (16 is BADSIG there, which BADVERS shares); others are "RCODE<n>" (CoreDNS rcode.ToString). */
const RCODE_NAMES: readonly string[] = [
  'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE',
  '', '', '', '', '', 'BADSIG', 'BADKEY', 'BADTIME', 'BADMODE', 'BADNAME', 'BADALG', 'BADTRUNC', 'BADCOOKIE',
];
export function rcodeLabel(rcode: number): string {
  const n = RCODE_NAMES[rcode];
  return n !== undefined && n !== '' ? n : `RCODE${rcode}`;
}

const PROTOS = ['udp', 'tcp'] as const;
const FAMILIES = ['1', '2'] as const;

/** Every series of one server/zone pair, created as first used. */
class ZoneSeries {
  readonly #server: string;
  readonly #zone: string;
  readonly requests: Array<CounterSeries | undefined> = new Array<CounterSeries | undefined>(2 * 2 * TYPE_SLOTS);
  doRequests: CounterSeries | null = null;
  readonly duration: HistogramSeries;
  readonly requestSize: Array<HistogramSeries | undefined> = [undefined, undefined];
  readonly responseSize: Array<HistogramSeries | undefined> = [undefined, undefined];
  /** rcode → plugin → series. */
  readonly responses = new Map<number, Map<string, CounterSeries>>();

  constructor(server: string, zone: string) {
    this.#server = server;
    this.#zone = zone;
    this.duration = requestDuration.series(server, zone, '');
  }

  request(proto: number, family: number, type: number): CounterSeries {
    const i = (proto * 2 + family) * TYPE_SLOTS + type;
    return (this.requests[i] ??= requestsTotal.series(this.#server, this.#zone, '', PROTOS[proto]!, FAMILIES[family]!, TYPE_LABELS[type]!));
  }

  doRequest(): CounterSeries {
    return (this.doRequests ??= doRequestsTotal.series(this.#server, this.#zone, ''));
  }

  reqSize(proto: number): HistogramSeries {
    return (this.requestSize[proto] ??= requestSize.series(this.#server, this.#zone, '', PROTOS[proto]!));
  }

  respSize(proto: number): HistogramSeries {
    return (this.responseSize[proto] ??= responseSize.series(this.#server, this.#zone, '', PROTOS[proto]!));
  }

  response(rcode: number, plugin: string): CounterSeries {
    let byPlugin = this.responses.get(rcode);
    if (byPlugin === undefined) this.responses.set(rcode, (byPlugin = new Map()));
    let s = byPlugin.get(plugin);
    if (s === undefined) byPlugin.set(plugin, (s = responsesTotal.series(this.#server, this.#zone, '', rcodeLabel(rcode), plugin)));
    return s;
  }
}

/** server → zone → series; process-wide, like the metrics themselves. */
const byServer = new Map<string, Map<string, ZoneSeries>>();

function zoneSeries(server: string, zone: string): ZoneSeries {
  let zones = byServer.get(server);
  if (zones === undefined) byServer.set(server, (zones = new Map()));
  let z = zones.get(zone);
  if (z === undefined) zones.set(zone, (z = new ZoneSeries(server, zone)));
  return z;
}

/** QTYPE of the first question, walking the (uncompressed) QNAME; -1 when unreadable. */
export function queryType(q: Uint8Array): number {
  if (q.length < 12 || ((q[4]! << 8) | q[5]!) === 0) return -1;
  let p = 12;
  for (;;) {
    const len = q[p];
    if (len === undefined) return -1;
    if (len === 0) { p += 1; break; }
    if ((len & 0xc0) !== 0) { p += 2; break; }
    p += 1 + len;
  }
  return p + 2 <= q.length ? (q[p]! << 8) | q[p + 1]! : -1;
}

/** The query's EDNS DO bit. */
export function dnssecOk(q: Uint8Array): boolean {
  const opt = findOpt(q);
  return opt >= 0 && opt + 4 < q.length && (q[opt + 4]! & 0x80) !== 0;
}

/** The reply's full rcode, with the OPT's extended bits (BADVERS = 16). */
export function replyRcode(r: Uint8Array): number {
  if (r.length < 12) return 2;
  const low = r[3]! & 0xf;
  // Only the server's own BADVERS uses the extended bits; skip the walk unless the reply has an additional section.
  if (r[10] === 0 && r[11] === 0) return low;
  const opt = findOpt(r);
  return opt >= 0 && opt + 2 < r.length ? (r[opt + 2]! << 4) | low : low;
}

/** IPv4, or an IPv4-mapped IPv6 address (Go's To4() succeeds on both): family "1". */
function familyIndex(e: QueryEvent): number {
  if (e.client.family === 4) return 0;
  const a = e.client.address;
  return a.startsWith('::ffff:') && a.includes('.') ? 0 : 1;
}

/** Counts one query in the server metrics (CoreDNS vars.Report). */
export function recordQuery(e: QueryEvent): void {
  const z = zoneSeries(e.server, e.zone);
  const q = e.query;
  const proto = e.transport === 'tcp' ? 1 : 0;
  const qtype = queryType(q);
  z.request(proto, familyIndex(e), TYPE_INDEX.get(qtype) ?? OTHER).value++;
  if (dnssecOk(q)) z.doRequest().value++;
  z.duration.observe(e.durationNs / 1e9);
  z.reqSize(proto).observe(q.length);
  const r = e.reply;
  z.respSize(proto).observe(r === null ? 0 : r.length);
  if (r !== null) z.response(replyRcode(r), e.by ?? '').value++;
}
