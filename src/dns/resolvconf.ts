/**
 * What CoreDNS reads from a resolv.conf (miekg/dns ClientConfigFromReader): the nameservers and the
 * search list. Comments start with `#` or `;`. The kubelet's and the libc resolvers' fuller readings
 * (options, limits) belong to the pod DNS code, not here.
 */
import { ipFamily } from './ip.ts';

export interface ResolvConf {
  /** Every `nameserver IP` line's address, in order (a zone index such as `%eth0` kept). */
  readonly nameservers: string[];
  /**
   * The last `search` or `domain` line wins; entries lower-cased and made absolute, duplicates
   * dropped; "." entries dropped (autopath's "" sentinel already asks the bare name).
   */
  readonly search: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const f = line.split(/\s+/);
    if (f[0] === 'nameserver' && f[1] !== undefined) {
      if (ipFamily(f[1].split('%')[0]!) !== 0) nameservers.push(f[1]);
    } else if (f[0] === 'search') search = f.slice(1);
    else if (f[0] === 'domain' && f[1] !== undefined) search = [f[1]];
  }
  const out: string[] = [];
  for (const s of search) {
    const n = (s.endsWith('.') ? s : `${s}.`).toLowerCase();
    if (n !== '.' && !out.includes(n)) out.push(n);
  }
  return { nameservers, search: out };
}

/** The search list alone (see ResolvConf.search). */
export function parseResolvSearch(text: string): string[] {
  return parseResolvConf(text).search;
}
