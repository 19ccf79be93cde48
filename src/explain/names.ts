/**
 * Name checks and the static candidate list: the names a resolver would try, in order, if every
 * reply were NXDOMAIN (pod-dns spec §4.2). The engines walk the same rules with real replies and
 * may stop earlier; explain and lint use this list to show the whole search path at once.
 *
 * glibc (resolv/res_query.c __res_context_search): with dots ≥ ndots (or a trailing dot) the name
 * as typed first — a trailing dot stops there; then each search domain (a leading '.' is
 * stripped, and an empty/"." entry means "the name as typed, here"); then the name as typed, unless
 * it was already tried (first, or by a "." entry) or it is a single label with `no-tld-query`.
 * A candidate longer than 255 octets on the wire cannot be built: NO_RECOVERY, which ends the
 * search list (the name as typed still follows).
 *
 * musl (src/network/lookup_name.c name_from_dns_search): dots ≥ ndots or a trailing dot switch the
 * search list off completely; otherwise each search word, then the name as typed. A word is skipped
 * when name.word would exceed 255 characters; one of 254-255 characters, or with an empty or
 * over-long label, fails in res_mkquery: musl 1.2.4+ treats that as "no such name" and goes on,
 * musl 1.2.3 stops with EAI_NONAME. The word "." gives `name..`: rejected by 1.2.4+, sent as a
 * malformed packet by 1.2.3.
 *
 * Go (net/dnsclient_unix.go nameList): a trailing dot → only the name; dots ≥ ndots → the name
 * first; each search suffix whose result is at most 254 characters; the name last when not first;
 * `.onion` names are never queried.
 */
import type { ResolvConfig } from './resolvconf.ts';
import type { Candidate, ResolverKind } from './types.ts';

export function countDots(name: string): number {
  let n = 0;
  for (const ch of name) if (ch === '.') n++;
  return n;
}

/** The wire length of a presentation name (no escapes), or -1 when it has an empty or >63 label. */
export function wireLength(name: string): number {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (text === '') return 1;
  let total = 1;
  for (const label of text.split('.')) {
    if (label.length === 0 || label.length > 63) return -1;
    total += label.length + 1;
  }
  return total;
}

/** glibc res_hnok (resolv/res-name-checking.c), applied by nss_dns before any query. */
export function glibcHostnameOk(name: string): boolean {
  if (!/^[\x21-\x7e]*$/.test(name) || name.includes('\\')) return false;
  const len = wireLength(name);
  if (len < 0 || len > 255) return false;
  if (name === '.' || name === '') return name === '.';
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!/^[0-9A-Za-z_-]+(\.[0-9A-Za-z_-]+)*$/.test(text)) return false;
  return !text.startsWith('-');
}

/** Go's isDomainName (net/dnsclient.go). */
export function goDomainNameOk(s: string): boolean {
  if (s === '.') return true;
  const l = s.length;
  if (l === 0 || l > 254 || (l === 254 && !s.endsWith('.'))) return false;
  let last = '.';
  let nonNumeric = false;
  let partlen = 0;
  for (const c of s) {
    if (/[a-zA-Z_]/.test(c)) { nonNumeric = true; partlen++; }
    else if (/[0-9]/.test(c)) partlen++;
    else if (c === '-') {
      if (last === '.') return false;
      partlen++;
      nonNumeric = true;
    } else if (c === '.') {
      if (last === '.' || last === '-') return false;
      if (partlen > 63 || partlen === 0) return false;
      partlen = 0;
    } else return false;
    last = c;
  }
  if (last === '-' || partlen > 63) return false;
  return nonNumeric;
}

/** glibc's search-list entry as __res_context_search uses it: one leading '.' stripped. */
export function glibcDomain(entry: string): string {
  return entry.startsWith('.') ? entry.slice(1) : entry;
}

/** The name glibc queries for name + domain (domain null: the name as typed), absolute. */
export function glibcJoin(name: string, domain: string | null): string {
  const n = domain === null ? name : `${name}.${domain}`;
  return n.endsWith('.') ? n : `${n}.`;
}

function abs(n: string): string {
  return n.endsWith('.') ? n : `${n}.`;
}

/** musl res_mkquery: -1 (cannot build), 'malformed' (1.2.3's stray '.'), or 'ok'. */
export function muslMkquery(kind: ResolverKind, name: string): 'ok' | 'fail' | 'malformed' {
  let l = Math.min(name.length, 255);
  let text = name.slice(0, l);
  if (l > 0 && text[l - 1] === '.') { l--; text = text.slice(0, l); }
  const trailing = l > 0 && text[l - 1] === '.';
  if (trailing && kind !== 'musl-1.2.3') return 'fail';
  if (l > 253) return 'fail';
  // 1.2.3's label loop stops at a '.' that ends the text: the packet keeps a raw 0x2e byte.
  const labels = (trailing ? text.slice(0, -1) : text).split('.');
  if (text !== '' && labels.some((x) => x.length === 0 || x.length > 63)) return 'fail';
  return trailing ? 'malformed' : 'ok';
}

/** The static candidate list (every reply NXDOMAIN). */
export function searchCandidates(kind: ResolverKind, config: ResolvConfig, name: string): Candidate[] {
  const dots = countDots(name);
  const trailing = name.endsWith('.');
  if (kind === 'glibc') {
    const out: Candidate[] = [];
    let triedAsIs = false;
    if (dots >= config.ndots || trailing) {
      out.push({ name: glibcJoin(name, null), why: trailing ? 'as typed (trailing dot: nothing else)' : `as typed first (${dots} dots ≥ ndots ${config.ndots})` });
      if (trailing) return out;
      triedAsIs = true;
    }
    let rootOnList = false;
    for (const [i, entry] of config.search.entries()) {
      const d = glibcDomain(entry);
      if (d === '') rootOnList = true;
      const cand = glibcJoin(name, d);
      const len = wireLength(cand);
      if (len < 0 || len > 255) {
        out.push({ name: cand, why: `search domain ${i + 1} (${entry}): too long to build — ends the search list` });
        break;
      }
      out.push({ name: cand, why: d === '' ? `search domain ${i + 1} (${entry}): the name as typed` : `search domain ${i + 1} (${entry})` });
    }
    if ((dots > 0 || config.search.length === 0 || !config.noTldQuery) && !(triedAsIs || rootOnList)) {
      out.push({ name: glibcJoin(name, null), why: 'as typed, last' });
    }
    return out;
  }
  if (kind === 'go') {
    const l = name.length;
    if (l > 254 || (l === 254 && !trailing)) return [];
    const onion = (n: string): boolean => /\.onion\.?$/i.test(n) || n === '';
    if (trailing) return onion(name) ? [] : [{ name, why: 'as typed (trailing dot: nothing else)' }];
    const hasNdots = dots >= config.ndots;
    const n = `${name}.`;
    const out: Candidate[] = [];
    if (hasNdots && !onion(n)) out.push({ name: n, why: `as typed first (${dots} dots ≥ ndots ${config.ndots})` });
    for (const [i, suffix] of config.search.entries()) {
      const fqdn = n + suffix;
      if (!onion(fqdn) && fqdn.length <= 254) out.push({ name: fqdn, why: `search domain ${i + 1} (${suffix})` });
    }
    if (!hasNdots && !onion(n)) out.push({ name: n, why: 'as typed, last' });
    return out;
  }
  // musl
  let l = name.length;
  const useSearch = !(dots >= config.ndots || trailing);
  if (trailing) l--;
  if (l === 0 || name[l - 1] === '.') return [];
  const base = name.slice(0, l);
  const out: Candidate[] = [];
  if (useSearch) {
    for (const [i, word] of config.search.entries()) {
      if (word.length < 256 - l - 1) {
        const cand = `${base}.${word}`;
        const mk = muslMkquery(kind, cand);
        const shown = cand.endsWith('.') ? cand : `${cand}.`;
        if (mk === 'fail') {
          out.push({ name: shown, why: kind === 'musl-1.2.3' ? `search word ${i + 1} (${word}): cannot be built — musl 1.2.3 stops with EAI_NONAME` : `search word ${i + 1} (${word}): cannot be built — skipped` });
          if (kind === 'musl-1.2.3') return out;
          continue;
        }
        out.push({ name: mk === 'malformed' ? cand : shown, why: mk === 'malformed' ? `search word ${i + 1} (${word}): sent as a malformed packet` : `search word ${i + 1} (${word})` });
      }
    }
  }
  out.push({ name: abs(name), why: useSearch ? 'as typed, last' : trailing ? 'as typed (trailing dot: no search)' : `as typed only (${dots} dots ≥ ndots ${config.ndots}: no search)` });
  return out;
}
