/**
 * Test helper: resource records as zone-file text, for table tests that compare whole sections.
 * `rr("web.shop.svc.cluster.local. 5 IN A 10.96.0.20")` parses one line into a ResourceRecord;
 * `formatRR` prints one back in the same form. A TTL written `*` means "any TTL" (ANY_TTL) and is
 * matched by `sameRecords`/`recordLines` against whatever TTL the actual record has.
 *
 * Supported types: A, AAAA, NS, CNAME, PTR, TXT (quoted strings), SRV, SOA, MX; any other type in
 * RFC 3597 form `TYPEnnn \# len hex` (or a known mnemonic with `\#`). Names are kept as written (no
 * case folding), so case-echo tests compare exactly.
 */
import { RRClass, RRType, typeName } from '../dns/types.ts';
import type { ResourceRecord } from '../dns/types.ts';

/** TTL marker meaning "any TTL" in expected records. */
export const ANY_TTL = -1;

function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '"') {
      let s = '"';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) { s += line[i]! + line[i + 1]!; i += 2; continue; }
        s += line[i]!;
        i++;
      }
      if (i >= line.length) throw new Error(`unterminated string in ${JSON.stringify(line)}`);
      out.push(`${s}"`);
      i++;
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

function unquote(tok: string): string {
  if (!tok.startsWith('"') || !tok.endsWith('"')) throw new Error(`expected a quoted string, got ${tok}`);
  return tok.slice(1, -1).replace(/\\(.)/g, '$1');
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (m) => `\\${m}`)}"`;
}

function typeNumber(t: string): number {
  const up = t.toUpperCase();
  if (Object.hasOwn(RRType, up)) return RRType[up as keyof typeof RRType];
  const m = /^TYPE(\d+)$/.exec(up);
  if (m !== null) return Number(m[1]);
  throw new Error(`unknown type ${t}`);
}

function int(tok: string | undefined, what: string): number {
  if (tok === undefined || !/^\d+$/.test(tok)) throw new Error(`bad ${what}: ${String(tok)}`);
  return Number(tok);
}

function need(tok: string | undefined, what: string): string {
  if (tok === undefined) throw new Error(`missing ${what}`);
  return tok;
}

/** Parses `owner ttl|* [IN] TYPE rdata…` into a record (TTL `*` → ANY_TTL). */
export function rr(line: string): ResourceRecord {
  const t = tokenize(line.trim());
  let i = 0;
  const name = need(t[i++], 'owner');
  const ttlTok = need(t[i++], 'ttl');
  const ttl = ttlTok === '*' ? ANY_TTL : int(ttlTok, 'ttl');
  let cls: number = RRClass.IN;
  if (t[i] === 'IN') i++;
  else if (t[i] === 'CH') { cls = RRClass.CH; i++; }
  const type = typeNumber(need(t[i++], 'type'));
  const rd = t.slice(i);
  if (rd[0] === '\\#') {
    const len = int(rd[1], 'rdata length');
    const hex = rd.slice(2).join('');
    const data = Uint8Array.from(Buffer.from(hex, 'hex'));
    if (data.length !== len) throw new Error(`rdata length ${len} != ${data.length}`);
    return { name, type, class: cls, ttl, data };
  }
  switch (type) {
    case RRType.A:
    case RRType.AAAA:
      return { name, type, class: cls, ttl, data: need(rd[0], 'address') };
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return { name, type, class: cls, ttl, data: need(rd[0], 'target') };
    case RRType.TXT:
      return { name, type, class: cls, ttl, data: rd.map(unquote) };
    case RRType.SRV:
      return {
        name, type, class: cls, ttl,
        data: { priority: int(rd[0], 'priority'), weight: int(rd[1], 'weight'), port: int(rd[2], 'port'), target: need(rd[3], 'target') },
      };
    case RRType.MX:
      return { name, type, class: cls, ttl, data: { preference: int(rd[0], 'preference'), exchange: need(rd[1], 'exchange') } };
    case RRType.SOA:
      return {
        name, type, class: cls, ttl,
        data: {
          mname: need(rd[0], 'mname'), rname: need(rd[1], 'rname'), serial: int(rd[2], 'serial'),
          refresh: int(rd[3], 'refresh'), retry: int(rd[4], 'retry'), expire: int(rd[5], 'expire'), minimum: int(rd[6], 'minimum'),
        },
      };
    default:
      throw new Error(`type ${typeName(type)} needs RFC 3597 rdata (\\# len hex)`);
  }
}

/** The rdata of a record in presentation form. */
export function formatRdata(r: ResourceRecord): string {
  const d: unknown = r.data;
  if (d instanceof Uint8Array) return `\\# ${d.length} ${Buffer.from(d).toString('hex')}`.trimEnd();
  switch (r.type) {
    case RRType.TXT: return (d as readonly string[]).map(quote).join(' ');
    case RRType.SRV: {
      const s = d as { priority: number; weight: number; port: number; target: string };
      return `${s.priority} ${s.weight} ${s.port} ${s.target}`;
    }
    case RRType.MX: {
      const m = d as { preference: number; exchange: string };
      return `${m.preference} ${m.exchange}`;
    }
    case RRType.SOA: {
      const s = d as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
      return `${s.mname} ${s.rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
    default: return String(d);
  }
}

function className(c: number): string {
  return c === RRClass.IN ? 'IN' : c === RRClass.CH ? 'CH' : `CLASS${c}`;
}

/** One record as a zone-file line (`*` for ANY_TTL). */
export function formatRR(r: ResourceRecord): string {
  return `${r.name} ${r.ttl === ANY_TTL ? '*' : String(r.ttl)} ${className(r.class)} ${typeName(r.type)} ${formatRdata(r)}`;
}

function keyWithoutTtl(r: ResourceRecord): string {
  return `${r.name} ${className(r.class)} ${typeName(r.type)} ${formatRdata(r)}`;
}

/**
 * Normalises actual and expected records for `assert.deepEqual`: both printed as zone-file lines,
 * sorted (unless `ordered`), and wherever an expected record has TTL `*` the actual record at the
 * same position (same owner/type/rdata) is printed with `*` too.
 */
export function recordLines(
  actual: readonly ResourceRecord[],
  expected: readonly (string | ResourceRecord)[],
  ordered = false,
): { actual: string[]; expected: string[] } {
  const exp = expected.map((e) => (typeof e === 'string' ? rr(e) : e));
  const act = [...actual];
  if (!ordered) {
    const cmp = (a: ResourceRecord, b: ResourceRecord): number => {
      const ka = keyWithoutTtl(a);
      const kb = keyWithoutTtl(b);
      return ka < kb ? -1 : ka > kb ? 1 : a.ttl - b.ttl;
    };
    act.sort(cmp);
    exp.sort(cmp);
  }
  const actualLines = act.map((r, i) => {
    const e = exp[i];
    if (e !== undefined && e.ttl === ANY_TTL && keyWithoutTtl(e) === keyWithoutTtl(r)) return formatRR({ ...r, ttl: ANY_TTL } as ResourceRecord);
    return formatRR(r);
  });
  return { actual: actualLines, expected: exp.map(formatRR) };
}
