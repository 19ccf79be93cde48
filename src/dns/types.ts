/**
 * The DNS message model shared by every layer: code tables and the decoded shapes of a message.
 * Pure data; the wire format lives in message.ts. Names are absolute, in presentation form with a
 * trailing dot ("web.shop.svc.cluster.local.", the root is "."), escaped as in RFC 1035 §5.1
 * (`\.` for a dot inside a label, `\DDD` for other non-printable bytes), and keep the case they
 * were written in: lookups lower-case them, answers echo them.
 */

/** Resource record types we build or inspect (RFC 1035, 3596, 2782, 6891, 8482). */
export const RRType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33,
  NAPTR: 35, DS: 43, OPT: 41, RRSIG: 46, NSEC: 47, DNSKEY: 48, NSEC3: 50, HTTPS: 65, SVCB: 64,
  CAA: 257, IXFR: 251, AXFR: 252, ANY: 255,
} as const;
export type RRTypeName = keyof typeof RRType;

/**
 * The type mnemonics miekg/dns knows (its StringToType, upper case), for plugin stanzas that name
 * types as CoreDNS reads them; `TYPEnnn` is not accepted, as there.
 */
export const TYPE_MNEMONICS: Readonly<Record<string, number>> = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, NULL: 10, PTR: 12, HINFO: 13,
  MINFO: 14, MX: 15, TXT: 16, RP: 17, AFSDB: 18, X25: 19, ISDN: 20, RT: 21, 'NSAP-PTR': 23, SIG: 24,
  KEY: 25, PX: 26, GPOS: 27, AAAA: 28, LOC: 29, NXT: 30, EID: 31, NIMLOC: 32, SRV: 33, ATMA: 34,
  NAPTR: 35, KX: 36, CERT: 37, DNAME: 39, OPT: 41, APL: 42, DS: 43, SSHFP: 44, IPSECKEY: 45,
  RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53,
  HIP: 55, NINFO: 56, RKEY: 57, TALINK: 58, CDS: 59, CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62,
  ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99, UINFO: 100, UID: 101, GID: 102, UNSPEC: 103, NID: 104,
  L32: 105, L64: 106, LP: 107, EUI48: 108, EUI64: 109, NXNAME: 128, TKEY: 249, TSIG: 250, IXFR: 251,
  AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255, URI: 256, CAA: 257, AVC: 258, AMTRELAY: 260,
  RESINFO: 261, TA: 32768, DLV: 32769,
};

export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5,
  YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, BADVERS: 16,
} as const;

/** EDNS option codes podns builds (IANA "DNS EDNS0 Option Codes"). */
export const EdnsOptionCode = { EDE: 15 } as const;

/** Extended DNS Error INFO-CODEs podns sends (RFC 8914 §4). */
export const ExtendedErrorCode = { BLOCKED: 15, FILTERED: 17 } as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** Mnemonic of a type number ("TYPE65534" for unknown ones, RFC 3597). */
export function typeName(type: number): string {
  for (const [k, v] of Object.entries(RRType)) if (v === type) return k;
  return `TYPE${type}`;
}
/** Mnemonic of an rcode ("RCODE23" for unknown ones). */
export function rcodeName(rcode: number): string {
  for (const [k, v] of Object.entries(Rcode)) if (v === rcode) return k;
  return `RCODE${rcode}`;
}

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface SoaData {
  readonly mname: string; readonly rname: string; readonly serial: number;
  readonly refresh: number; readonly retry: number; readonly expire: number; readonly minimum: number;
}
export interface SrvData { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
export interface MxData { readonly preference: number; readonly exchange: string }

/**
 * A resource record. `data` depends on `type`:
 * A / AAAA: the address as text; CNAME / NS / PTR: a name; TXT: the character-strings;
 * SRV, SOA, MX: objects; any other type: the raw RDATA bytes (RFC 3597).
 */
export type ResourceRecord =
  | RR<1 | 28, string>
  | RR<2 | 5 | 12, string>
  | RR<16, readonly string[]>
  | RR<33, SrvData>
  | RR<6, SoaData>
  | RR<15, MxData>
  | RR<number, Uint8Array>;

interface RR<T extends number, D> {
  readonly name: string;
  readonly type: T;
  readonly class: number;
  readonly ttl: number;
  readonly data: D;
}

export interface EdnsOption { readonly code: number; readonly data: Uint8Array }

/** The OPT pseudo-record (RFC 6891), kept apart from the additional section. */
export interface Edns {
  readonly udpSize: number;
  readonly version: number;
  readonly do: boolean;
  /** The upper 8 bits of the extended rcode as carried in the OPT TTL field. */
  readonly extendedRcode: number;
  readonly options: readonly EdnsOption[];
}

export interface Message {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly z: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  /** The full rcode: the header's 4 bits plus, with EDNS, the OPT record's upper 8 bits. */
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  /** The additional section without the OPT record. */
  readonly additionals: readonly ResourceRecord[];
  readonly edns: Edns | null;
}
