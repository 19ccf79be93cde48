/**
 * Request: one decoded query and what the chain needs to know about it, computed once
 * (the lower-cased qname, the client's UDP limit, DO). Immutable; withQuestion() derives the
 * request a plugin sends back through the chain (ExternalName chasing, autopath).
 */
import type { Message, Question, ResourceRecord } from '../dns/types.ts';
import { RRClass, Rcode } from '../dns/types.ts';

export type Transport = 'udp' | 'tcp';

export interface Address {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export class Request {
  readonly msg: Message;
  readonly client: Address;
  readonly transport: Transport;
  /** The first question: the name as the client spelled it. */
  readonly qname: string;
  /** The first question's name, ASCII lower-cased, for lookups. */
  readonly lname: string;
  readonly qtype: number;
  readonly qclass: number;
  /** How large a reply may be: 65535 over TCP; over UDP the EDNS size (at least 512), else 512 (RFC 6891 §6.2.5). */
  readonly maxSize: number;
  readonly dnssecOk: boolean;
  /** How many times this request was derived from another (chasing depth). */
  readonly depth: number;
  /** The listener it came in on, CoreDNS-style (`dns://:53`), for metrics labels. */
  readonly server: string;

  constructor(msg: Message, client: Address, transport: Transport, depth = 0, server = '') {
    const q: Question = msg.questions[0] ?? { name: '.', type: 0, class: RRClass.IN };
    this.msg = msg;
    this.client = client;
    this.transport = transport;
    this.qname = q.name;
    this.lname = asciiLower(q.name);
    this.qtype = q.type;
    this.qclass = q.class;
    this.maxSize = transport === 'tcp' ? 65535 : msg.edns === null ? 512 : Math.max(512, msg.edns.udpSize);
    this.dnssecOk = msg.edns?.do ?? false;
    this.depth = depth;
    this.server = server;
  }

  /** The same request asking another question (for lookups a plugin makes through the chain). */
  withQuestion(name: string, type: number): Request {
    const msg: Message = { ...this.msg, questions: [{ name, type, class: this.qclass }] };
    return new Request(msg, this.client, this.transport, this.depth + 1, this.server);
  }
}

/** ASCII-only lower-casing: DNS names compare case-insensitively on ASCII letters only (RFC 4343). */
export function asciiLower(s: string): string {
  // toLowerCase would also fold non-ASCII; names are ASCII in practice, so only fall back when needed.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    if (c > 127) break;
  }
  return s;
}

export interface ReplyParts {
  readonly rcode?: number;
  readonly aa?: boolean;
  readonly tc?: boolean;
  readonly ra?: boolean;
  readonly ad?: boolean;
  readonly answers?: readonly ResourceRecord[];
  readonly authorities?: readonly ResourceRecord[];
  readonly additionals?: readonly ResourceRecord[];
}

/**
 * A reply to `req` (miekg's SetReply: same id, opcode, RD, CD and question; QR set).
 * EDNS and truncation are applied by the server when it writes the reply.
 */
export function reply(req: Request, parts: ReplyParts = {}): Message {
  const q = req.msg;
  return {
    id: q.id, qr: true, opcode: q.opcode, aa: parts.aa ?? false, tc: parts.tc ?? false, rd: q.rd,
    ra: parts.ra ?? false, z: false, ad: parts.ad ?? false, cd: q.cd, rcode: parts.rcode ?? Rcode.NOERROR,
    questions: q.questions.slice(0, 1), answers: parts.answers ?? [], authorities: parts.authorities ?? [],
    additionals: parts.additionals ?? [], edns: null,
  };
}
