/**
 * The search list of a resolv.conf, as miekg/dns ClientConfigFromFile reads it for CoreDNS (the
 * kubernetes plugin's host search path, `autopath RESOLV-CONF`): the last `search` or `domain` line
 * wins; entries lower-cased and made absolute, duplicates dropped; "." entries dropped (autopath's
 * "" sentinel already asks the bare name).
 */
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
