/**
 * The search list of a resolv.conf file, as miekg/dns ClientConfigFromFile reads it for CoreDNS's
 * `autopath RESOLV-CONF`: the last `search` or `domain` line wins; entries lower-cased and made
 * absolute; "." entries dropped (the "" sentinel autopath appends already asks the bare name).
 */
import { readFileSync } from 'node:fs';

export function parseResolvSearch(text: string): string[] {
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const f = line.split(/\s+/);
    if (f[0] === 'search') search = f.slice(1);
    else if (f[0] === 'domain' && f[1] !== undefined) search = [f[1]];
  }
  const out: string[] = [];
  for (const s of search) {
    const n = (s.endsWith('.') ? s : `${s}.`).toLowerCase();
    if (n !== '.' && !out.includes(n)) out.push(n);
  }
  return out;
}

/** Reads `path` and returns its search list; throws the file system's error. */
export function readResolvSearch(path: string): string[] {
  return parseResolvSearch(readFileSync(path, 'utf8'));
}
