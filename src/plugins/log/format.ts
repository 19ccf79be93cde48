/**
 * Log formats: parsed once into segments (CoreDNS plugin/pkg/replacer parseFormat), rendered per
 * query from the event's bytes. The placeholders and their values follow the replacer:
 * `{type} {class} {name} {proto} {size} {remote} {port} {local} {>id} {>opcode} {>do} {>bufsize}
 * {rcode} {rsize} {duration} {>rflags}` and `{/label}` (metadata: always `-`, podns has none);
 * `{common}` and `{combined}` expand to the two standard formats.
 */
import type { QueryEvent } from '../../core/handler.ts';
import type { QueryPeek, ReplyPeek } from '../../dns/peek.ts';
import { flagsText } from '../../dns/peek.ts';
import { classText, rcodeText, typeText } from './names.ts';

export const EMPTY_VALUE = '-';
/** CoreDNS log.CommonLogFormat. */
export const COMMON_LOG_FORMAT = '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}';
/** CoreDNS log.CombinedLogFormat: the common format and the query's opcode. */
export const COMBINED_LOG_FORMAT = `${COMMON_LOG_FORMAT} "{>opcode}"`;

const LABELS = [
  '{type}', '{name}', '{class}', '{proto}', '{size}', '{remote}', '{port}', '{local}',
  '{>id}', '{>opcode}', '{>do}', '{>bufsize}', '{rcode}', '{rsize}', '{duration}', '{>rflags}',
] as const;
export type Label = (typeof LABELS)[number];
const KNOWN = new Set<string>(LABELS);

export type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'label'; readonly value: Label }
  | { readonly kind: 'metadata'; readonly value: string };

/** Expands `{common}` and `{combined}` wherever they appear (CoreDNS PR 5230). */
export function expandFormat(format: string): string {
  return format.replaceAll('{common}', COMMON_LOG_FORMAT).replaceAll('{combined}', COMBINED_LOG_FORMAT);
}

/**
 * Splits a format into literals and placeholders exactly as CoreDNS does: find each `}`, back up
 * to the nearest `{`; an unknown `{x}` turns everything up to its `}` into literal text.
 */
export function parseFormat(format: string): Segment[] {
  const out: Segment[] = [];
  const literal = (value: string): void => {
    const last = out.at(-1);
    if (last !== undefined && last.kind === 'literal') out[out.length - 1] = { kind: 'literal', value: last.value + value };
    else if (value !== '') out.push({ kind: 'literal', value });
  };
  let s = format;
  for (;;) {
    const j = s.indexOf('}');
    if (j < 0) break;
    const i = s.lastIndexOf('{', j);
    if (i < 0) {
      literal(s.slice(0, j + 1));
      s = s.slice(j + 1);
      continue;
    }
    const val = s.slice(i, j + 1);
    if (KNOWN.has(val)) {
      literal(s.slice(0, i));
      out.push({ kind: 'label', value: val as Label });
    } else if (val.startsWith('{/')) {
      literal(s.slice(0, i));
      out.push({ kind: 'metadata', value: val.slice(2, -1) });
    } else {
      literal(s.slice(0, j + 1));
    }
    s = s.slice(j + 1);
  }
  literal(s);
  return out;
}

/** What one log line is rendered from. */
export interface LogFields {
  readonly event: QueryEvent;
  readonly query: QueryPeek;
  readonly reply: ReplyPeek | null;
  /** The question's name, lower-cased (CoreDNS request.Name()). */
  readonly name: string;
  /** The server's address for {local}, "" when unknown. */
  readonly local: string;
}

/** `[addr]` for IPv6, `addr` otherwise (CoreDNS appendAddrToRFC3986). */
export function rfc3986(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Go's strconv.FormatFloat(secs, 'f', -1, 64) of a Duration's Seconds(): the shortest decimal
 * that reads back as the same float, never in exponent form ("0.000123456", "1.5", "2").
 */
export function goSeconds(ns: number): string {
  const whole = Math.trunc(ns / 1e9);
  const secs = whole + (ns - whole * 1e9) / 1e9;
  return plainDecimal(secs);
}

/** A JS number's shortest round-trip digits, written without an exponent. */
export function plainDecimal(x: number): string {
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const mantissa = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  const neg = mantissa.startsWith('-');
  const digits = (neg ? mantissa.slice(1) : mantissa).replace('.', '');
  const point = (neg ? mantissa.slice(1) : mantissa).indexOf('.');
  const intLen = (point < 0 ? digits.length : point) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${'0'.repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return neg ? `-${out}` : out;
}

/** The value of one placeholder. */
export function labelValue(label: Label, f: LogFields): string {
  const e = f.event;
  const q = f.query;
  switch (label) {
    case '{type}': return typeText(q.qtype);
    case '{name}': return f.name;
    case '{class}': return classText(q.qclass);
    case '{proto}': return e.transport;
    case '{size}': return String(q.size);
    case '{remote}': return rfc3986(e.client.address);
    case '{port}': return String(e.client.port);
    case '{local}': return f.local === '' ? EMPTY_VALUE : rfc3986(f.local);
    case '{>id}': return String(q.id);
    case '{>opcode}': return String(q.opcode);
    case '{>do}': return q.do ? 'true' : 'false';
    // request.Size(): 65535 over TCP; over UDP the EDNS size, at least 512.
    case '{>bufsize}': return e.transport === 'tcp' ? '65535' : String(q.bufsize);
    case '{rcode}': return f.reply === null ? EMPTY_VALUE : rcodeText(f.reply.rcode);
    case '{rsize}': return f.reply === null ? '0' : String(f.reply.size);
    case '{duration}': return `${goSeconds(e.durationNs)}s`;
    case '{>rflags}': return f.reply === null ? EMPTY_VALUE : flagsText(f.reply);
  }
}

export function render(segments: readonly Segment[], f: LogFields): string {
  let out = '';
  for (const s of segments) {
    if (s.kind === 'literal') out += s.value;
    else if (s.kind === 'label') out += labelValue(s.value, f);
    else out += EMPTY_VALUE;
  }
  return out;
}
