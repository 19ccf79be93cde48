/**
 * any: answers every ANY query with the minimal RFC 8482 reply (CoreDNS plugin/any): one HINFO
 * record for the name asked, `"ANY obsoleted" "See RFC 8482"`, TTL 8482, instead of whatever the
 * rest of the chain has. The reply depends on nothing but the question, so it is cacheable against
 * a source that never changes.
 */
import type { Directive } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Handler, PluginDefinition, PluginFactory } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ResponseWriter, Versioned } from '../../core/writer.ts';
import type { ResourceRecord } from '../../dns/types.ts';
import { RRClass, RRType } from '../../dns/types.ts';

/** The HINFO CPU and OS strings CoreDNS sends (any.go). */
export const HINFO_CPU = 'ANY obsoleted';
export const HINFO_OS = 'See RFC 8482';
export const HINFO_TTL = 8482;

/** HINFO RDATA: two <character-string>s (RFC 1035 §3.3.2). */
function characterStrings(...parts: string[]): Uint8Array {
  const bytes = parts.flatMap((p) => [p.length, ...Buffer.from(p, 'latin1')]);
  return Uint8Array.from(bytes);
}

const RDATA = characterStrings(HINFO_CPU, HINFO_OS);

/** The answers depend on the query alone. */
const CONSTANT: Versioned = Object.freeze({ revision: 0 });

export class AnyHandler implements Handler {
  readonly name = 'any';
  readonly #next: Handler;
  constructor(next: Handler) { this.#next = next; }

  serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    if (req.qtype !== RRType.ANY) return nextOrFailure(this.name, this.#next, req, w);
    const hinfo: ResourceRecord = { name: req.qname, type: RRType.HINFO, class: RRClass.IN, ttl: HINFO_TTL, data: RDATA };
    w.write(reply(req, { answers: [hinfo] }), this.name);
    w.cacheable(CONSTANT);
    return Promise.resolve();
  }
}

export function parseAny(d: Directive): null {
  if (d.args.length > 0) {
    throw new ConfigError(d.file, d.line, `plugin/any: Wrong argument count or unexpected line ending after '${d.args[0]!}'`);
  }
  if (d.block !== null && d.block.length > 0) throw new ConfigError(d.file, d.line, `plugin/any: unknown property '${d.block[0]!.name}'`);
  return null;
}

export const anyPlugin: PluginDefinition<null> = {
  name: 'any',
  parse: parseAny,
  setup(): PluginFactory { return (next) => new AnyHandler(next); },
};
