/**
 * The ResponseWriter the rest of the chain writes to after a rewrite (CoreDNS reverter.go): on
 * write it puts the client's own question back and applies the response rules to every record
 * of the answer, authority and additional sections, last rule first (a `continue` chain is undone
 * in reverse). Message-level rules (rcode) are applied once per message; CoreDNS applies them once
 * per record, so a reply without records kept its rcode there.
 *
 * Record values rewritten by `value` rules: CNAME, NS, PTR targets, SRV targets, MX exchanges and
 * the SOA's primary server name. (DNAME and NAPTR are kept as opaque data by podns and are left
 * alone.)
 *
 * cacheable()/uncacheable()/writeMore()/drop() are forwarded: a rewrite is a pure function of the query
 * and the configuration, so whatever the inner plugin's reply depends on, the rewritten reply
 * depends on exactly the same.
 */
import type { ClientKey, Countdown, ResponseWriter, Versioned } from '../../core/writer.ts';
import type { Message, Question, ResourceRecord } from '../../dns/types.ts';
import { RRType } from '../../dns/types.ts';
import type { ResponseRule } from './rules.ts';

export class Reverter implements ResponseWriter {
  readonly #outer: ResponseWriter;
  readonly #question: Question;
  readonly #rules: readonly ResponseRule[];

  constructor(outer: ResponseWriter, question: Question, rules: readonly ResponseRule[]) {
    this.#outer = outer;
    this.#question = question;
    this.#rules = rules;
  }

  get written(): Message | null { return this.#outer.written; }
  get writtenBy(): string | null { return this.#outer.writtenBy; }

  write(msg: Message, by: string): void {
    this.#outer.write(revert(msg, this.#question, this.#rules), by);
  }

  cacheable(source: Versioned): void { this.#outer.cacheable(source); }
  uncacheable(): void { this.#outer.uncacheable(); }
  replayable(countdown: Countdown): void { this.#outer.replayable(countdown); }
  varies(key: ClientKey, value: string): void { this.#outer.varies(key, value); }
  writeMore(msg: Message): void { this.#outer.writeMore(revert(msg, this.#question, this.#rules)); }
  drop(by: string): void { this.#outer.drop(by); }
}

/** The reply as the client must see it: its question back, the response rules applied. */
export function revert(msg: Message, question: Question, rules: readonly ResponseRule[]): Message {
  const questions = msg.questions.length === 0 ? msg.questions : [question, ...msg.questions.slice(1)];
  if (rules.length === 0) return { ...msg, questions };
  let rcode = msg.rcode;
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.kind === 'rcode' && rcode === r.from) rcode = r.to;
  }
  return {
    ...msg,
    rcode,
    questions,
    answers: msg.answers.map((rr) => rewriteRecord(rr, rules)),
    authorities: msg.authorities.map((rr) => rewriteRecord(rr, rules)),
    additionals: msg.additionals.map((rr) => rewriteRecord(rr, rules)),
  };
}

function rewriteRecord(rr: ResourceRecord, rules: readonly ResponseRule[]): ResourceRecord {
  let name = rr.name;
  let ttl = rr.ttl;
  const original = recordValue(rr);
  let value = original;
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    switch (r.kind) {
      case 'name': name = r.rewriter.rewrite(name); break;
      case 'value': if (value !== null) value = r.rewriter.rewrite(value); break;
      case 'ttl': if (ttl < r.min) ttl = r.min; else if (ttl > r.max) ttl = r.max; break;
      case 'rcode': break;
    }
  }
  if (name === rr.name && ttl === rr.ttl && value === original) return rr;
  const out = { ...rr, name, ttl } as ResourceRecord;
  return value !== null && value !== original ? withValue(out, value) : out;
}

/** The name in a record's data that `answer value` rewrites, or null for other types. */
function recordValue(rr: ResourceRecord): string | null {
  switch (rr.type) {
    case RRType.CNAME: case RRType.NS: case RRType.PTR: return rr.data as string;
    case RRType.SRV: return (rr as Extract<ResourceRecord, { type: 33 }>).data.target;
    case RRType.MX: return (rr as Extract<ResourceRecord, { type: 15 }>).data.exchange;
    case RRType.SOA: return (rr as Extract<ResourceRecord, { type: 6 }>).data.mname;
    default: return null;
  }
}

function withValue(rr: ResourceRecord, value: string): ResourceRecord {
  switch (rr.type) {
    case RRType.SRV: { const r = rr as Extract<ResourceRecord, { type: 33 }>; return { ...r, data: { ...r.data, target: value } }; }
    case RRType.MX: { const r = rr as Extract<ResourceRecord, { type: 15 }>; return { ...r, data: { ...r.data, exchange: value } }; }
    case RRType.SOA: { const r = rr as Extract<ResourceRecord, { type: 6 }>; return { ...r, data: { ...r.data, mname: value } }; }
    default: return { ...rr, data: value } as ResourceRecord;
  }
}
