/**
 * resolv.conf as the kubelet reads it and as the container runtime writes it.
 *
 * `parseHostResolvConf` is the kubelet's parseResolvConf (pkg/kubelet/network/dns/dns.go), which
 * differs from every libc and from CoreDNS's reading (src/dns/resolvconf.ts):
 * - the file is split on "\n" and each line trimmed of Go's spaces; a line whose trimmed text starts
 *   with '#' is skipped, and ';' is NOT a comment (a ';' line is an unknown keyword, ignored);
 * - the keyword is the first field, so leading spaces are fine;
 * - `nameserver X` lines accumulate (fields after X are ignored); a bare `nameserver` is an error,
 *   "nameserver list is empty " (with the trailing space), which fails the pod's sandbox;
 * - the last `search` line wins; a lone "." entry is dropped (kubernetes#112157) and every other
 *   entry loses one trailing dot (`foo.` → `foo`, `..` → `.`);
 * - `options` lines accumulate, keyed by the text before the first ':' — a later option of the same
 *   name replaces the earlier one (kubernetes#112414, kubelet 1.26+). The kubelet collects them in a
 *   Go map, so the order it hands on is random; podns keeps the first-seen order;
 * - `domain`, `sortlist`, `lookup` and anything else are ignored (a `domain` line gives no search).
 * The kubelet reads at most 10 MiB; the caller reads the file.
 *
 * `renderResolvConf` is the runtime's writing of the CRI DNSConfig (containerd's and CRI-O's
 * parseDNSOptions): `search a b\n`, one `nameserver X\n` per server, `options o1 o2\n`, each line
 * only when its list is non-empty; when all three are empty the runtime copies the node's
 * /etc/resolv.conf instead.
 *
 * `checkLimitsForResolvConf` is the kubelet's start-up check of its resolvConf file (Node events).
 */
import { goFields, goLen, goQuote, goTrimSpace } from './go.ts';

export interface HostResolvConf {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  /** Options in first-seen order, each the last text given for its name. */
  readonly options: readonly string[];
  /** The kubelet's parse errors (each "nameserver list is empty "). */
  readonly errors: readonly string[];
}

export const MAX_RESOLV_CONF_LENGTH = 10 * (1 << 20);

/** The kubelet's appendOptions: keyed by the name before the first ':', later text wins, first-seen order kept. */
export function appendOptions(options: readonly string[], add: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...options, ...add]) byName.set(o.split(':')[0]!, o);
  return [...byName.values()];
}

export function parseHostResolvConf(text: string): HostResolvConf {
  const nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = goTrimSpace(line);
    if (trimmed.startsWith('#')) continue;
    const fields = goFields(trimmed);
    if (fields.length === 0) continue;
    const [keyword, ...rest] = fields;
    if (keyword === 'nameserver') {
      if (rest.length >= 1) nameservers.push(rest[0]!);
      else errors.push('nameserver list is empty ');
    } else if (keyword === 'search') {
      searches = rest.filter((s) => s !== '.').map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    } else if (keyword === 'options') {
      options = appendOptions(options, rest);
    }
  }
  return { nameservers, searches, options, errors };
}

/** Go's utilerrors.NewAggregate(errs).Error(): one message, or "[a, b]" for several distinct ones. */
export function aggregateMessage(errors: readonly string[]): string {
  const distinct = [...new Set(errors)];
  return distinct.length === 1 ? distinct[0]! : `[${distinct.join(', ')}]`;
}

export interface DNSConfig {
  readonly servers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly string[];
}

/**
 * The file the runtime writes for a CRI DNSConfig. When servers, searches and options are all
 * empty the runtime copies the node's /etc/resolv.conf: `nodeResolvConf` (null when unknown).
 */
export function renderResolvConf(config: DNSConfig, nodeResolvConf: string | null): string | null {
  if (config.servers.length === 0 && config.searches.length === 0 && config.options.length === 0) return nodeResolvConf;
  let out = '';
  if (config.searches.length > 0) out += `search ${config.searches.join(' ')}\n`;
  for (const s of config.servers) out += `nameserver ${s}\n`;
  if (config.options.length > 0) out += `options ${config.options.join(' ')}\n`;
  return out;
}

export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

/**
 * The kubelet's CheckLimitsForResolvConf: the Node warning (reason CheckLimitsForResolvConf) it
 * records at start-up for its resolvConf file, or null. Only the first problem found is reported.
 */
export function checkLimitsForResolvConf(path: string, text: string, clusterDomain: string): string | null {
  const parsed = parseHostResolvConf(text);
  if (parsed.errors.length > 0) return aggregateMessage(parsed.errors);
  const limit = MAX_DNS_SEARCH_PATHS - (clusterDomain !== '' ? 3 : 0);
  if (parsed.searches.length > limit) return `Resolv.conf file '${path}' contains search line consisting of more than ${limit} domains!`;
  for (const s of parsed.searches) {
    if (goLen(s) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
      return `Resolv.conf file ${goQuote(path)} contains a search path which length is more than allowed ${DNS1123_SUBDOMAIN_MAX_LENGTH} chars!`;
    }
  }
  if (goLen(parsed.searches.join(' ')) > MAX_DNS_SEARCH_LIST_CHARS) {
    return `Resolv.conf file '${path}' contains search line which length is more than allowed ${MAX_DNS_SEARCH_LIST_CHARS} chars!`;
  }
  return null;
}
