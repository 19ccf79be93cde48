/**
 * Host names in free text (env values, args, commands) and what kind of name each one is.
 *
 * `findHosts(text)`: every host a program would look up, with its offset and whether it is written
 * as an absolute name (trailing dot):
 * - the host of every URL (`scheme://[user@]host[:port]…`), whatever its last label;
 * - bare names outside URLs (`api.example.com`, `db.corp.internal:5432`, `a.example.com,b.example.com`):
 *   at least two labels, the last a letter-first label, not part of a path (`/etc/x.conf`), an
 *   e-mail address, a template (`${a.b}`), a key (`log.level=debug`) or an image name
 *   (`gcr.io/x/y`). `bare` says which, since a bare word is only a guess.
 *
 * `looksExternal(name, url)`: a last label that is a top-level domain people use for hosts (the
 * generic ones, `internal`, `corp`, `lan`, `local`, and two-letter country codes), and for bare
 * words not a common file extension (`.py`, `.sh`, `.md`) nor a reversed Java package
 * (`com.example.app`).
 *
 * `clusterName(name, ctx)`: whether a name belongs to the cluster (under the cluster domain, ending
 * in `.svc`, `<svc>.<ns>` or `<x>.<ns>` of a known namespace, `<x>.<svc>` of a Service of the
 * pod's namespace), so that a pod meant it to go through its search list.
 */
import { canonicalIP } from '../dns/ip.ts';

export interface HostMention {
  /** As written, without a port or the trailing dot; lower case. */
  readonly host: string;
  /** Offset of the host in the text. */
  readonly offset: number;
  /** Written with a trailing dot: an absolute name, no search list. */
  readonly absolute: boolean;
  /** A bare word, not a URL's host. */
  readonly bare: boolean;
}

// The lookbehinds keep both scans linear: a match can only start where a word starts.
const URL_RE = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/(?:[^\s/?#@]*@)?(\[[0-9a-f:.]+\]|[^\s/?#:'"`,;()[\]{}<>\\|]+)(?:[:/?#][^\s'"`]*)?/gi;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const BARE_RE = new RegExp(`(?<![a-z0-9_.\\-/@$%{\\\\])((?:${LABEL}\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)(\\.?)(?![a-z0-9_\\-/=(]|\\.[a-z0-9])`, 'gi');

/** Hosts named in `text`, in order of appearance (duplicates kept). */
export function findHosts(text: string): HostMention[] {
  const out: HostMention[] = [];
  // The text with every URL blanked out, so that its host and path are not read again as bare words.
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    parts.push(text.slice(last, m.index), ' '.repeat(m[0].length));
    last = m.index + m[0].length;
    const hostStart = m.index + m[0].indexOf(m[1]!, m[0].indexOf('//') + 2);
    let host = m[1]!.toLowerCase();
    if (host.startsWith('[')) continue; // an IPv6 literal
    const absolute = host.endsWith('.');
    if (absolute) host = host.slice(0, -1);
    if (!host.includes('.') || canonicalIP(host) !== null || !/^[a-z0-9_.-]+$/.test(host)) continue;
    out.push({ host, offset: hostStart, absolute, bare: false });
  }
  parts.push(text.slice(last));
  for (const m of parts.join('').matchAll(BARE_RE)) {
    const host = m[1]!.toLowerCase();
    if (canonicalIP(host) !== null) continue;
    out.push({ host, offset: m.index, absolute: m[2] === '.', bare: true });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

const GENERIC_TLDS = new Set([
  'com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'name', 'pro', 'dev', 'app', 'cloud', 'tech', 'online', 'site',
  'xyz', 'top', 'io', 'ai', 'internal', 'corp', 'lan', 'local', 'home', 'intranet', 'private', 'example', 'test',
]);
/** Two-letter words that end file names more often than host names. */
const FILE_EXTENSIONS = new Set([
  'py', 'sh', 'md', 'pl', 'rs', 'so', 'js', 'ts', 'go', 'rb', 'cs', 'cc', 'hh', 'hs', 'ml', 'mk', 'db', 'gz', 'xz', 'bz', 'pm', 'rc', 'ps', 'ko',
  'in', 'am', 'ac', 'mo', 'po', 'tf', 'kt', 'sc', 'vb', 'fs', 'el', 'lo', 'la', 'gy',
]);
const PACKAGE_ROOTS = new Set(['com', 'org', 'net', 'io', 'edu', 'gov']);

/**
 * Whether a dotted name is most likely a host on the internet or a corporate network rather than
 * a cluster name whose namespace is not in the manifests (`http://minio.storage`). `url`: the host
 * of a URL, which cannot be a file name or a Java package.
 */
export function looksExternal(name: string, url = false): boolean {
  const labels = name.toLowerCase().split('.');
  const tld = labels[labels.length - 1]!;
  if (!url && labels.length >= 3 && PACKAGE_ROOTS.has(labels[0]!)) return false; // com.example.app: a Java package
  if (GENERIC_TLDS.has(tld)) return true;
  return /^[a-z]{2}$/.test(tld) && (url || !FILE_EXTENSIONS.has(tld));
}

export interface NameContext {
  readonly clusterDomain: string;
  /** Namespaces of the manifests (and the built-in ones). */
  readonly namespaces: ReadonlySet<string>;
  /** `ns/name` of every Service of the manifests. */
  readonly services: ReadonlySet<string>;
}

/** What a (lower-case, dot-less) name refers to in the cluster, for messages; null when it is not a cluster name. */
export function clusterName(name: string, namespace: string, ctx: NameContext): string | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  const domain = ctx.clusterDomain.toLowerCase().replace(/\.$/, '');
  if (domain !== '' && (n === domain || n.endsWith(`.${domain}`))) return `in the cluster domain ${domain}`;
  const labels = n.split('.');
  const last = labels[labels.length - 1]!;
  if (last === 'svc') return 'a cluster Service name (.svc)';
  if (labels.length >= 2) {
    const svc = labels[labels.length - 2]!;
    if (ctx.services.has(`${last}/${svc}`)) return `Service ${last}/${svc}`;
    if (ctx.namespaces.has(last)) return `in namespace ${last}`;
    if (ctx.services.has(`${namespace}/${last}`)) return `under Service ${namespace}/${last}`;
  }
  return null;
}

/**
 * The stricter test of default-policy-cluster-name: a name only the cluster's DNS answers — under
 * the cluster domain, ending in `.svc`, or `<svc>.<ns>` (and names under it) of a Service in the manifests.
 */
export function surelyClusterName(name: string, ctx: NameContext): string | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  const domain = ctx.clusterDomain.toLowerCase().replace(/\.$/, '');
  if (domain !== '' && (n === domain || n.endsWith(`.${domain}`))) return `a name in the cluster domain ${domain}`;
  const labels = n.split('.');
  if (labels[labels.length - 1] === 'svc') return 'a cluster Service name';
  if (labels.length >= 2) {
    const ns = labels[labels.length - 1]!;
    const svc = labels[labels.length - 2]!;
    if (ctx.services.has(`${ns}/${svc}`)) return `the name of Service ${ns}/${svc}`;
  }
  return null;
}

/** Number of dots in a name written without its trailing dot. */
export function dots(name: string): number {
  return name.split('.').length - 1;
}
