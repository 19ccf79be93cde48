/**
 * The rewrite handler (CoreDNS plugin/rewrite/rewrite.go ServeDNS). All rewrite directives of a
 * server block form one handler with their rules in file order, as in CoreDNS. Per query:
 * each rule is tried on the question as rewritten so far; a rule that matches changes it and
 * adds its response rules; a matching `stop` rule ends the list (a `stop` rule that does not
 * match does not). A name that is not a valid domain name after a rule fails the query with
 * SERVFAIL ("invalid name after rewrite"). The rest of the chain then gets the rewritten
 * question and a Reverter, which gives the reply the client's question back and applies the
 * response rules.
 *
 * When a `stop` rule matched and the rest of the chain wrote nothing (it failed), the error reply
 * is written through the Reverter, so response rules (rcode) apply to it, as CoreDNS does.
 *
 * Unlike CoreDNS, the question is restored whenever a rule matched: CoreDNS skips that when only
 * `continue` rules without response rules matched, and the client then gets a reply whose
 * question does not match its query.
 */
import { DnsError } from '../../core/errors.ts';
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import { Request, reply } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { nameWireLength, MAX_NAME_LENGTH } from '../../dns/name.ts';
import type { Message } from '../../dns/types.ts';
import { Rcode } from '../../dns/types.ts';
import { Reverter } from './reverter.ts';
import type { Question, ResponseRule, Rule } from './rules.ts';

/** The question the rules work on; the rule loop is synchronous, so one scratch object serves every query. */
const scratch: Question = { name: '', type: 0, class: 0 };

export class RewriteHandler implements Handler {
  readonly name = 'rewrite';
  readonly #rules: readonly Rule[];
  readonly #next: Handler;

  /** `rules` is read at query time: the setup of later directives may still add to it. */
  constructor(rules: readonly Rule[], next: Handler) {
    this.#rules = rules;
    this.#next = next;
  }

  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    const q = scratch;
    q.name = req.lname;
    q.type = req.qtype;
    q.class = req.qclass;
    let response: ResponseRule[] | null = null;
    let matched = false;
    let stopped = false;
    for (const rule of this.#rules) {
      const r = rule.apply(q);
      if (r === null) continue;
      matched = true;
      const len = nameWireLength(q.name);
      if (len < 0 || len > MAX_NAME_LENGTH) {
        throw new DnsError('PODNS_ERR_PLUGIN', `invalid name after rewrite: ${q.name}`, Rcode.SERVFAIL, this.name);
      }
      if (r.length > 0) (response ??= []).push(...r);
      if (rule.mode === 'stop') {
        stopped = true;
        break;
      }
    }
    if (!matched) return nextOrFailure(this.name, this.#next, req, w);
    // Read the scratch question before anything awaits.
    const inner = q.name === req.lname && q.type === req.qtype && q.class === req.qclass ? req : rewritten(req, q.name, q.type, q.class);
    const question = req.msg.questions[0] ?? { name: req.qname, type: req.qtype, class: req.qclass };
    const wr = new Reverter(w, question, response ?? []);
    if (!stopped) return nextOrFailure(this.name, this.#next, inner, wr);
    try {
      await nextOrFailure(this.name, this.#next, inner, wr);
    } catch (err) {
      if (w.written === null) wr.write(reply(req, { rcode: err instanceof DnsError ? err.rcode : Rcode.SERVFAIL }), this.name);
      throw err;
    }
    if (w.written === null) wr.write(reply(req, { rcode: Rcode.SERVFAIL }), this.name);
  }
}

/** The request with the rewritten question; everything else (client, transport, EDNS, depth) kept. */
function rewritten(req: Request, name: string, type: number, cls: number): Request {
  const msg: Message = { ...req.msg, questions: [{ name, type, class: cls }] };
  return new Request(msg, req.client, req.transport, req.depth, req.server);
}
