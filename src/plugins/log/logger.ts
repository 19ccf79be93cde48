/**
 * The query logger of one server block: for each answered query (chain answers and answer-cache
 * hits alike, through the server's QueryEvents), the first rule whose name covers the query
 * decides; if the reply's class is wanted (or it was slower than minDuration), one line is written:
 * `[INFO] <format>` through the server's logger, or one JSON object per line (`format json`, written
 * raw through the same logger).
 */
import type { QueryEvent } from '../../core/handler.ts';
import type { Logger } from '../../core/log.ts';
import { isSubdomain, lowerName } from '../../dns/name.ts';
import { peekQuery, peekReply, flagsText } from '../../dns/peek.ts';
import { classify } from './classify.ts';
import { goSeconds, render } from './format.ts';
import type { LogFields } from './format.ts';
import { classText, rcodeText, typeText } from './names.ts';
import type { LogRule } from './setup.ts';

export class QueryLogger {
  readonly #log: Logger;
  readonly #rules: LogRule[] = [];

  constructor(log: Logger) {
    this.#log = log;
  }

  add(rules: readonly LogRule[]): void { this.#rules.push(...rules); }

  get rules(): readonly LogRule[] { return this.#rules; }

  observe(e: QueryEvent): void {
    const query = peekQuery(e.query);
    const name = lowerName(query.qname);
    for (const rule of this.#rules) {
      if (!isSubdomain(name, rule.scope)) continue;
      if (!wanted(rule, e)) return;
      const fields: LogFields = { event: e, query, reply: e.reply === null ? null : peekReply(e.reply), name, local: e.local };
      const line = render(rule.segments, fields);
      if (rule.output === 'json') this.#log.raw(jsonRecord(line, fields));
      else this.#log.info(line);
      return;
    }
  }
}

function wanted(rule: LogRule, e: QueryEvent): boolean {
  if (rule.classes.size === 0) return true;
  if (rule.classes.has(classify(e.reply))) return true;
  return rule.minDurationNs > 0 && e.durationNs > rule.minDurationNs;
}

/**
 * One query as a JSON object (CoreDNS `-log-format=json`, PR 8553: the formatted line stays in
 * `msg`, the DNS fields are typed; `rcode` is null when nothing was sent). Field order is fixed.
 */
export function jsonRecord(msg: string, f: LogFields): string {
  const e = f.event;
  const q = f.query;
  const r = f.reply;
  return JSON.stringify({
    time: new Date().toISOString(),
    level: 'INFO',
    plugin: 'log',
    msg,
    server: e.server,
    zone: e.zone,
    client_ip: e.client.address,
    client_port: e.client.port,
    local_ip: f.local === '' ? null : f.local,
    proto: e.transport,
    id: q.id,
    opcode: q.opcode,
    qname: f.name,
    qtype: typeText(q.qtype),
    qclass: classText(q.qclass),
    request_size: q.size,
    do: q.do,
    bufsize: e.transport === 'tcp' ? 65535 : q.bufsize,
    rcode: r === null ? null : rcodeText(r.rcode),
    rflags: r === null ? null : flagsText(r),
    response_size: r === null ? 0 : r.size,
    duration_seconds: Number(goSeconds(e.durationNs)),
    answered_by: e.by,
  });
}
