/**
 * The transfer plugin's handler (CoreDNS plugin/transfer/transfer.go): answers AXFR, and IXFR
 * with AXFR fallback, for the zones a Transferer offers (the kubernetes plugin, found lazily
 * through ctx.provided(TRANSFER)). In CoreDNS's order:
 *
 *   not AXFR/IXFR                       → next plugin
 *   not over TCP                        → REFUSED (before any zone check, as CoreDNS)
 *   no zone of the stanza matches       → next plugin
 *   client not in `to`                  → REFUSED
 *   IXFR without exactly one SOA in the authority section → SERVFAIL
 *   no Transferer has the zone          → next plugin
 *   IXFR whose serial is the current one → one message with the single SOA (not authoritative)
 *   otherwise                           → SOA, the records, SOA, in envelopes of 501 records
 *                                         (CoreDNS sends when it holds more than 500), each an
 *                                         authoritative reply carrying the question
 *
 * Envelopes are also cut before they could outgrow a TCP message (CoreDNS assumes they fit).
 * Replies depend on the client's address, so none is ever cacheable.
 */
import type { Transferer } from '../../core/capabilities.ts';
import { TRANSFER } from '../../core/capabilities.ts';
import type { Handler, SetupContext } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Logger } from '../../core/log.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { matchLowerZone, nameWireLength } from '../../dns/name.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import type { ResourceRecord } from '../../dns/types.ts';
import type { Acl } from './setup.ts';
import { unmapped } from './setup.ts';

const { AXFR, IXFR, SOA, A, AAAA, NS, CNAME, PTR, SRV, TXT, MX } = RRType;

/** Records per envelope: CoreDNS flushes once it holds more than 500. */
export const ENVELOPE_RECORDS = 501;
/** Uncompressed bytes of answers per envelope at most, leaving room for header, question and OPT. */
const ENVELOPE_BYTES = 65535 - 12 - 260 - 11 - 256;

/** An upper bound of a record's uncompressed wire size. */
function wireSize(r: ResourceRecord): number {
  let rdata: number;
  switch (r.type) {
    case A: rdata = 4; break;
    case AAAA: rdata = 16; break;
    case NS: case CNAME: case PTR: rdata = nameWireLength(r.data as string); break;
    case SRV: rdata = 6 + nameWireLength((r.data as { target: string }).target); break;
    case MX: rdata = 2 + nameWireLength((r.data as { exchange: string }).exchange); break;
    case SOA: {
      const s = r.data as { mname: string; rname: string };
      rdata = 20 + nameWireLength(s.mname) + nameWireLength(s.rname);
      break;
    }
    case TXT: rdata = (r.data as readonly string[]).reduce((n, s) => n + 1 + s.length * 4, 0); break;
    default: rdata = r.data instanceof Uint8Array ? r.data.length : 512;
  }
  return nameWireLength(r.name) + 10 + rdata;
}

/** Splits the transfer into envelopes the way CoreDNS does (and never past a TCP message's size). */
export function envelopes(records: readonly ResourceRecord[]): ResourceRecord[][] {
  const out: ResourceRecord[][] = [];
  let cur: ResourceRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = wireSize(r);
    if (cur.length > 0 && bytes + size > ENVELOPE_BYTES) { out.push(cur); cur = []; bytes = 0; }
    cur.push(r);
    bytes += size;
    if (cur.length >= ENVELOPE_RECORDS) { out.push(cur); cur = []; bytes = 0; }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The serial of an SOA record, or null when `r` is not one. */
function soaSerial(r: ResourceRecord | undefined): number | null {
  if (r === undefined || r.type !== SOA || r.data instanceof Uint8Array) return null;
  return (r.data as { serial: number }).serial;
}

function isTransferer(v: unknown): v is Transferer {
  return typeof v === 'object' && v !== null && typeof (v as Transferer).transfer === 'function';
}

export class TransferHandler implements Handler {
  readonly name = 'transfer';
  readonly #next: Handler;
  readonly #zones: readonly string[];
  readonly #allowed: Acl;
  readonly #ctx: SetupContext;
  readonly #log: Logger;

  constructor(next: Handler, zones: readonly string[], allowed: Acl, ctx: SetupContext) {
    this.#next = next;
    this.#zones = zones;
    this.#allowed = allowed;
    this.#ctx = ctx;
    this.#log = ctx.log.plugin('transfer');
  }

  serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    const qtype = req.qtype;
    if (qtype !== AXFR && qtype !== IXFR) return nextOrFailure(this.name, this.#next, req, w);
    w.uncacheable();
    if (req.transport !== 'tcp') return this.#fail(req, w, Rcode.REFUSED);
    if (matchLowerZone(req.lname, this.#zones) === null) return nextOrFailure(this.name, this.#next, req, w);
    const client = unmapped(req.client.address);
    if (!this.#allowed(client)) return this.#fail(req, w, Rcode.REFUSED);

    let serial = 0;
    if (qtype === IXFR) {
      const auth = req.msg.authorities;
      const s = auth.length === 1 ? soaSerial(auth[0]) : null;
      if (s === null) return this.#fail(req, w, Rcode.SERVFAIL);
      serial = s;
    }

    const t = this.#ctx.provided(TRANSFER);
    const records = isTransferer(t) ? t.transfer(req.qname) : null;
    if (records === null) return nextOrFailure(this.name, this.#next, req, w);
    const soa = records[0];
    const current = soaSerial(soa);
    if (soa === undefined || current === null) {
      this.#log.error(`first record in zone ${req.qname} is not SOA`);
      return this.#fail(req, w, Rcode.SERVFAIL);
    }
    const zone = JSON.stringify(req.qname);

    if (serial !== 0 && serial === current) {
      w.write(reply(req, { answers: [soa] }), this.name);
      this.#log.info(`Outgoing noop, incremental transfer for up to date zone ${zone} to ${client} for ${current} SOA serial`);
      return Promise.resolve();
    }

    const all = [...records, soa];
    const parts = envelopes(all);
    for (let i = 0; i < parts.length; i++) {
      const m = reply(req, { aa: true, answers: parts[i]! });
      if (i === 0) w.write(m, this.name);
      else w.writeMore(m);
    }
    this.#log.info(`Outgoing transfer of ${all.length} records of zone ${zone} to ${client} for ${current} SOA serial`);
    return Promise.resolve();
  }

  #fail(req: Request, w: ResponseWriter, rcode: number): Promise<void> {
    w.write(reply(req, { rcode }), this.name);
    return Promise.resolve();
  }
}
