/**
 * /etc/resolv.conf as each stub resolver reads it. They differ (pod-dns spec §4.1), and none reads
 * it the way the kubelet does (src/podconf/resolvconf.ts):
 *
 * glibc 2.36 (resolv/res_init.c res_vinit_1, res_setoptions; resolv/resolv_conf.c):
 * - lines of any length (getline); a line starting with ';' or '#' is a comment; the keyword must
 *   start the line and be followed by a space or a TAB (`MATCH`);
 * - `domain X` and `search A B …` both replace the search list (last of either wins); `domain`
 *   keeps its first word; a `search`/`domain` line with nothing after it is ignored; search
 *   words are split on spaces and TABs only; no limit on their number (since 2.26);
 * - `nameserver` lines accumulate (an address that does not parse is skipped); the first 3 are
 *   used (MAXNS); none at all → 127.0.0.1;
 * - `options` lines accumulate, each word matched by prefix (`rotate…` is rotate);
 *   `ndots:n` (atoi; above 15 → 15; a negative value lands in a 4-bit field), `timeout:n` (above
 *   30 → 30), `attempts:n` (above 5 → 5; 0 means no query is ever sent);
 * - no search line → the domain of the host name (text after its first dot), if any.
 *   (LOCALDOMAIN and RES_OPTIONS from the environment are not modelled.)
 *
 * musl 1.2.3 / 1.2.5 (src/network/resolvconf.c __get_resolv_conf):
 * - lines are read into a 256-byte buffer: a line of 255 characters or more is ignored whole;
 * - no comment syntax: a keyword must start the line and be followed by white space;
 * - `options`: the first `ndots:`, `attempts:` and `timeout:` anywhere in the line (strstr), each
 *   needing a digit after the colon; clamped to 15, 10 and 60; `attempts:0` is accepted (and
 *   crashes the lookup: res_msend divides by it); every other option is ignored;
 * - `search` and `domain` are the same thing: the rest of the line is the search list, last wins,
 *   split on any white space (so `search a b # c` has the words `#` and `c`);
 * - at most 3 `nameserver` lines are used; none → 127.0.0.1.
 *
 * Go (net/dnsconfig_unix.go dnsReadConfig):
 * - fields split on space, TAB, CR, LF; a line starting with ';' or '#' is a comment;
 * - `nameserver` (first 3 that parse as an IP); `domain X` → search [X.]; `search` → every word
 *   made absolute, "." words dropped; last wins;
 * - `options`: ndots (clamped 0..15; a value that does not parse is 0), timeout and attempts
 *   (minimum 1), rotate, single-request / single-request-reopen, use-vc / usevc / tcp, trust-ad,
 *   edns0 (ignored: Go always sends EDNS0), no-reload;
 * - no nameserver → 127.0.0.1 and ::1; no search → the host name's domain.
 */
import { ipFamily } from '../dns/ip.ts';
import type { ResolverKind } from './types.ts';

export interface ResolvConfig {
  /** The nameservers the resolver queries, in order (defaults applied, at most 3). */
  readonly nameservers: readonly string[];
  /**
   * The search list as the resolver keeps it: glibc and musl keep the words as written (glibc
   * strips a leading '.' when it uses one, musl appends the word after a '.'); Go keeps them
   * absolute and without "." entries.
   */
  readonly search: readonly string[];
  readonly ndots: number;
  /** Seconds (glibc: may be ≤ 0, which becomes a 1 s wait). */
  readonly timeout: number;
  readonly attempts: number;
  readonly rotate: boolean;
  readonly singleRequest: boolean;
  readonly singleRequestReopen: boolean;
  readonly useVc: boolean;
  readonly edns0: boolean;
  readonly trustAd: boolean;
  readonly noAaaa: boolean;
  readonly noTldQuery: boolean;
  /** What this resolver ignored or changed, one sentence each (for explain and lint). */
  readonly notes: readonly string[];
}

export interface ReadOptions {
  /** The kernel host name (glibc and Go take the default search domain from it). */
  readonly hostname?: string;
}

export function readResolvConf(kind: ResolverKind, text: string, options: ReadOptions = {}): ResolvConfig {
  if (kind === 'glibc') return readGlibc(text, options);
  if (kind === 'go') return readGo(text, options);
  return readMusl(text);
}

interface Mutable {
  nameservers: string[];
  search: string[];
  ndots: number;
  timeout: number;
  attempts: number;
  rotate: boolean;
  singleRequest: boolean;
  singleRequestReopen: boolean;
  useVc: boolean;
  edns0: boolean;
  trustAd: boolean;
  noAaaa: boolean;
  noTldQuery: boolean;
  notes: string[];
}

function defaults(): Mutable {
  return {
    nameservers: [], search: [], ndots: 1, timeout: 5, attempts: 2, rotate: false, singleRequest: false,
    singleRequestReopen: false, useVc: false, edns0: false, trustAd: false, noAaaa: false, noTldQuery: false, notes: [],
  };
}

/** Lines as getline/fgets see them: split after each '\n', the '\n' kept. */
function rawLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') { out.push(text.slice(start, i + 1)); start = i + 1; }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** The domain part of a host name (after its first dot), or null. */
function hostDomain(hostname: string | undefined): string | null {
  if (hostname === undefined) return null;
  const dot = hostname.indexOf('.');
  return dot >= 0 && dot < hostname.length - 1 ? hostname.slice(dot + 1) : null;
}

// ---------------------------------------------------------------------------------------------
// glibc

/** C atoi: optional white space, sign, digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  const n = Number.parseInt(m[1]!, 10);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** glibc MATCH(line, keyword): the keyword at column 0 followed by a space or a TAB. */
function glibcMatch(line: string, keyword: string): boolean {
  return line.startsWith(keyword) && (line[keyword.length] === ' ' || line[keyword.length] === '\t');
}

/** glibc's option table, in its order (res_setoptions): matched by prefix, first match wins. */
const GLIBC_FLAGS: ReadonlyArray<readonly [string, keyof Mutable]> = [
  ['rotate', 'rotate'], ['edns0', 'edns0'], ['single-request-reopen', 'singleRequestReopen'],
  ['single-request', 'singleRequest'], ['no_tld_query', 'noTldQuery'], ['no-tld-query', 'noTldQuery'],
  ['no-reload', 'notes'], ['use-vc', 'useVc'], ['trust-ad', 'trustAd'], ['no-aaaa', 'noAaaa'],
];

function glibcOptions(c: Mutable, options: string): void {
  let i = 0;
  while (i < options.length) {
    while (options[i] === ' ' || options[i] === '\t') i++;
    const rest = options.slice(i);
    if (rest.startsWith('ndots:')) {
      const n = atoi(rest.slice(6));
      // Stored in an unsigned 4-bit field (struct __res_state ndots:4).
      c.ndots = n <= 15 ? n & 15 : 15;
    } else if (rest.startsWith('timeout:')) {
      const n = atoi(rest.slice(8));
      c.timeout = n <= 30 ? n : 30;
    } else if (rest.startsWith('attempts:')) {
      const n = atoi(rest.slice(9));
      c.attempts = n <= 5 ? n : 5;
    } else {
      const hit = GLIBC_FLAGS.find(([word]) => rest.startsWith(word));
      if (hit !== undefined && hit[1] !== 'notes') (c as unknown as Record<string, boolean>)[hit[1]] = true;
      else if (hit === undefined) {
        const word = /^[^ \t\n]*/.exec(rest)![0];
        if (word !== '') c.notes.push(`glibc ignores the option "${word}"`);
      }
    }
    while (i < options.length && options[i] !== ' ' && options[i] !== '\t') i++;
  }
}

function readGlibc(text: string, options: ReadOptions): ResolvConfig {
  const c = defaults();
  const servers: string[] = [];
  for (const line of rawLines(text)) {
    if (line[0] === ';' || line[0] === '#') continue;
    if (glibcMatch(line, 'domain')) {
      const rest = line.slice(6).replace(/^[ \t]*/, '');
      if (rest === '' || rest[0] === '\n') continue;
      c.search = [/^[^ \t\n]*/.exec(rest)![0]];
      continue;
    }
    if (glibcMatch(line, 'search')) {
      const rest = line.slice(6).replace(/^[ \t]*/, '');
      if (rest === '' || rest[0] === '\n') continue;
      c.search = rest.replace(/\n[\s\S]*$/, '').split(/[ \t]+/).filter((w) => w !== '');
      continue;
    }
    if (glibcMatch(line, 'nameserver')) {
      const word = /^[^ \t\n]*/.exec(line.slice(10).replace(/^[ \t]*/, ''))![0];
      if (ipFamily(word.split('%')[0]!) !== 0) servers.push(word);
      else c.notes.push(`glibc skips "nameserver ${word}": not an address`);
      continue;
    }
    if (glibcMatch(line, 'options')) { glibcOptions(c, line.slice(7)); continue; }
    if (glibcMatch(line, 'sortlist')) { c.notes.push('sortlist is not modelled'); continue; }
    if (line.trim() !== '') c.notes.push(`glibc ignores the line "${line.replace(/\n$/, '')}"`);
  }
  if (servers.length > 3) c.notes.push(`glibc uses the first 3 of ${servers.length} nameservers (MAXNS)`);
  c.nameservers = servers.length === 0 ? ['127.0.0.1'] : servers.slice(0, 3);
  if (c.search.length === 0) {
    const d = hostDomain(options.hostname);
    if (d !== null) { c.search = [d]; c.notes.push(`no search line: glibc searches the host name's domain ${d}`); }
  }
  if (c.attempts <= 0) c.notes.push(`attempts:${c.attempts}: glibc never sends a query (its send loop runs 0 times)`);
  return c;
}

// ---------------------------------------------------------------------------------------------
// musl

const C_SPACE = /[ \t\n\v\f\r]/;

/** strtoul at p: digits only (the caller checked the first is a digit); saturates. */
function strtoulAt(s: string, at: number): number {
  const m = /^\d+/.exec(s.slice(at));
  return m === null ? 0 : Number(m[0]);
}

function readMusl(text: string): ResolvConfig {
  const c = defaults();
  let search = '';
  for (const line of rawLines(text)) {
    // fgets into char line[256]: a line that does not fit (with its '\n') is skipped whole.
    const content = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (content.length >= 255) {
      c.notes.push(`musl ignores a line of ${content.length} characters (its buffer holds 254): "${content.slice(0, 30)}…"`);
      continue;
    }
    if (line.startsWith('options') && C_SPACE.test(line[7] ?? '')) {
      let p = line.indexOf('ndots:');
      if (p >= 0 && /\d/.test(line[p + 6] ?? '')) c.ndots = Math.min(strtoulAt(line, p + 6), 15);
      p = line.indexOf('attempts:');
      if (p >= 0 && /\d/.test(line[p + 9] ?? '')) c.attempts = Math.min(strtoulAt(line, p + 9), 10);
      p = line.indexOf('timeout:');
      if (p >= 0 && /\d/.test(line[p + 8] ?? '')) c.timeout = Math.min(strtoulAt(line, p + 8), 60);
      for (const w of line.slice(7).trim().split(/\s+/)) {
        if (w !== '' && !/^(ndots|attempts|timeout):/.test(w)) c.notes.push(`musl ignores the option "${w}"`);
      }
      continue;
    }
    if (line.startsWith('nameserver') && C_SPACE.test(line[10] ?? '')) {
      if (c.nameservers.length >= 3) { c.notes.push('musl uses only the first 3 nameservers'); continue; }
      const word = /^\S*/.exec(line.slice(11).replace(/^\s*/, ''))![0];
      if (ipFamily(word.split('%')[0]!) !== 0) c.nameservers.push(word);
      else c.notes.push(`musl skips "nameserver ${word}": not an address`);
      continue;
    }
    if ((line.startsWith('domain') || line.startsWith('search')) && C_SPACE.test(line[6] ?? '')) {
      search = line.slice(7).replace(/^\s*/, '');
      continue;
    }
  }
  c.search = search.split(/[ \t\n\v\f\r]+/).filter((w) => w !== '');
  if (c.nameservers.length === 0) c.nameservers = ['127.0.0.1'];
  if (c.attempts === 0) c.notes.push('attempts:0: musl divides by it (res_msend.c retry_interval = timeout / attempts): the process dies of SIGFPE');
  if (c.timeout === 0) c.notes.push('timeout:0: musl never sends a query and fails with EAI_AGAIN');
  return c;
}

// ---------------------------------------------------------------------------------------------
// Go

/** Go's dtoi: leading digits; 0 when there are none; 0xFFFFFF when it overflows. */
function dtoi(s: string): number {
  const m = /^\d+/.exec(s);
  if (m === null) return 0;
  let n = 0;
  for (const ch of m[0]) {
    n = n * 10 + (ch.charCodeAt(0) - 48);
    if (n >= 0xffffff) return 0xffffff;
  }
  return n;
}

function rooted(s: string): string {
  return s.endsWith('.') ? s : `${s}.`;
}

function readGo(text: string, options: ReadOptions): ResolvConfig {
  const c = defaults();
  for (const raw of text.split('\n')) {
    if (raw[0] === ';' || raw[0] === '#') continue;
    const f = raw.split(/[ \r\t\n]+/).filter((w) => w !== '');
    if (f.length === 0) continue;
    switch (f[0]) {
      case 'nameserver':
        if (f.length > 1 && c.nameservers.length < 3) {
          if (ipFamily(f[1]!.split('%')[0]!) !== 0) c.nameservers.push(f[1]!);
        } else if (f.length > 1) c.notes.push('Go uses only the first 3 nameservers');
        break;
      case 'domain':
        if (f.length > 1) c.search = [rooted(f[1]!)];
        break;
      case 'search':
        c.search = f.slice(1).map(rooted).filter((s) => s !== '.');
        if (f.slice(1).some((s) => rooted(s) === '.')) c.notes.push('Go drops "." from the search list');
        break;
      case 'options':
        for (const s of f.slice(1)) {
          if (s.startsWith('ndots:')) c.ndots = Math.min(Math.max(dtoi(s.slice(6)), 0), 15);
          else if (s.startsWith('timeout:')) c.timeout = Math.max(dtoi(s.slice(8)), 1);
          else if (s.startsWith('attempts:')) c.attempts = Math.max(dtoi(s.slice(9)), 1);
          else if (s === 'rotate') c.rotate = true;
          else if (s === 'single-request' || s === 'single-request-reopen') c.singleRequest = true;
          else if (s === 'use-vc' || s === 'usevc' || s === 'tcp') c.useVc = true;
          else if (s === 'trust-ad') c.trustAd = true;
          else if (s === 'edns0' || s === 'no-reload') { /* EDNS0 is always on; no-reload is not modelled */ }
          else c.notes.push(`Go ignores the option "${s}"`);
        }
        break;
      default:
        c.notes.push(`Go ignores the line "${raw}"`);
    }
  }
  if (c.nameservers.length === 0) c.nameservers = ['127.0.0.1', '::1'];
  if (c.search.length === 0) {
    const d = hostDomain(options.hostname);
    if (d !== null) c.search = [rooted(d)];
  }
  return c;
}
