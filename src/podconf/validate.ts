/**
 * The API server's validation of the pod fields that shape its DNS files, with its exact
 * messages (pkg/apis/core/validation/validation.go and apimachinery's util/validation), in the
 * order ValidatePodCreate reports them:
 *
 * - metadata.name (a DNS-1123 subdomain) and metadata.namespace (a DNS-1123 label);
 * - spec.dnsPolicy (validateDNSPolicy): one of ClusterFirstWithHostNet, ClusterFirst, Default,
 *   None (the caller applies the API default, "" → ClusterFirst, first);
 * - spec.dnsConfig (validatePodDNSConfig): required, with a nameserver, for dnsPolicy None; at most 3
 *   nameservers, each an IP; at most 32 searches and 2048 characters joined by spaces; each search
 *   "." or, without one trailing dot, a DNS-1123 subdomain that may contain '_'
 *   (RelaxedDNSSearchValidation, GA in 1.34); option names non-empty;
 * - spec.hostname and spec.subdomain: DNS-1123 labels;
 * - spec.hostAliases (ValidateHostAliases): each ip an IP, each hostname a DNS-1123 subdomain.
 *
 * IPs are checked as IsValidIPForLegacyField does for new objects with StrictIPCIDRValidation on
 * (KEP-4858): ParseIPSloppy must accept them, and then no leading zeros and no IPv4-mapped IPv6.
 *
 * Errors print as apimachinery's field.Error does: `spec.x: Invalid value: "v": detail`, the value
 * in Go's %q (or %#v for a list), `Required value: detail`, `Unsupported value: "v": supported
 * values: ...`. Only these fields are checked: containers, volumes and the rest of the pod are not.
 */
import { goQuote, goStringSlice, goLen } from './go.ts';
import { parseIPSloppy, strictProblems } from './ip.ts';
import type { Pod } from './pod.ts';
import { MAX_DNS_NAMESERVERS, MAX_DNS_SEARCH_LIST_CHARS, MAX_DNS_SEARCH_PATHS } from './resolvconf.ts';

export type FieldErrorType = 'Required value' | 'Invalid value' | 'Unsupported value';

export interface FieldError {
  readonly field: string;
  readonly type: FieldErrorType;
  /** The bad value (not printed for Required). */
  readonly value?: string | readonly string[];
  readonly detail: string;
}

/** field.Error.Error(). */
export function formatFieldError(e: FieldError): string {
  let s = `${e.field}: ${e.type}`;
  if (e.type !== 'Required value') {
    const v = e.value;
    s += `: ${typeof v === 'string' ? goQuote(v) : goStringSlice(v ?? [])}`;
  }
  return e.detail !== '' ? `${s}: ${e.detail}` : s;
}

/** What kubectl prints when the API server refuses the object (StatusError with its causes). */
export function formatInvalid(kind: string, name: string, errors: readonly FieldError[]): string {
  if (errors.length === 1) return `The ${kind} ${goQuote(name)} is invalid: ${formatFieldError(errors[0]!)}`;
  return `The ${kind} ${goQuote(name)} is invalid: \n${errors.map((e) => `* ${formatFieldError(e)}`).join('\n')}`;
}

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_FMT_UNDERSCORE = '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_FMT_UNDERSCORE = `${DNS1123_LABEL_FMT_UNDERSCORE}(\\.${DNS1123_LABEL_FMT_UNDERSCORE})*`;
const LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const SUBDOMAIN_UNDERSCORE_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT_UNDERSCORE}$`);

/** validation.MaxLenError. */
export function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** validation.RegexError. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

/** validation.IsDNS1123Label. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (goLen(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_RE.test(value)) {
    if (SUBDOMAIN_RE.test(value)) errs.push('must not contain dots');
    else errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** validation.IsDNS1123Subdomain. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (goLen(value) > 253) errs.push(maxLenError(253));
  if (!SUBDOMAIN_RE.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

/** validation.IsDNS1123SubdomainWithUnderscore. */
export function dns1123SubdomainWithUnderscoreErrors(value: string): string[] {
  const errs: string[] = [];
  if (goLen(value) > 253) errs.push(maxLenError(253));
  if (!SUBDOMAIN_UNDERSCORE_RE.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT_UNDERSCORE, 'example.com'));
  }
  return errs;
}

const IP_DETAIL = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** IsValidIPForLegacyField for a new object, with StrictIPCIDRValidation. */
export function ipErrors(value: string): string[] {
  const ip = parseIPSloppy(value);
  if (ip === null) return [IP_DETAIL];
  return strictProblems(value, ip);
}

function invalid(field: string, value: string | readonly string[], detail: string): FieldError {
  return { field, type: 'Invalid value', value, detail };
}

export const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;

/** The fields of a pod that podconf uses, as ValidatePodCreate checks them. `pod.dnsPolicy` is after defaulting. */
export function validatePod(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  // ValidateObjectMeta
  if (pod.name === '') {
    if (pod.generateName === '') errs.push({ field: 'metadata.name', type: 'Required value', detail: 'name or generateName is required' });
  } else {
    for (const m of dns1123SubdomainErrors(pod.name)) errs.push(invalid('metadata.name', pod.name, m));
  }
  if (pod.namespace === '') errs.push({ field: 'metadata.namespace', type: 'Required value', detail: '' });
  else for (const m of dns1123LabelErrors(pod.namespace)) errs.push(invalid('metadata.namespace', pod.namespace, m));

  // validateDNSPolicy
  if (pod.dnsPolicy === '') errs.push({ field: 'spec.dnsPolicy', type: 'Required value', detail: '' });
  else if (!(DNS_POLICIES as readonly string[]).includes(pod.dnsPolicy)) {
    errs.push({ field: 'spec.dnsPolicy', type: 'Unsupported value', value: pod.dnsPolicy, detail: `supported values: ${DNS_POLICIES.map((p) => goQuote(p)).join(', ')}` });
  }

  // validatePodDNSConfig
  const dc = pod.dnsConfig;
  let skipDNSConfig = false;
  if (pod.dnsPolicy === 'None') {
    if (dc === null) {
      errs.push({ field: 'spec.dnsConfig', type: 'Required value', detail: 'must provide `dnsConfig` when `dnsPolicy` is None' });
      skipDNSConfig = true;
    } else if (dc.nameservers.length === 0) {
      errs.push({ field: 'spec.dnsConfig.nameservers', type: 'Required value', detail: 'must provide at least one DNS nameserver when `dnsPolicy` is None' });
      skipDNSConfig = true;
    }
  }
  if (dc !== null && !skipDNSConfig) {
    if (dc.nameservers.length > MAX_DNS_NAMESERVERS) {
      errs.push(invalid('spec.dnsConfig.nameservers', dc.nameservers, `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`));
    }
    dc.nameservers.forEach((ns, i) => {
      for (const m of ipErrors(ns)) errs.push(invalid(`spec.dnsConfig.nameservers[${i}]`, ns, m));
    });
    if (dc.searches.length > MAX_DNS_SEARCH_PATHS) {
      errs.push(invalid('spec.dnsConfig.searches', dc.searches, `must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`));
    }
    if (goLen(dc.searches.join(' ')) > MAX_DNS_SEARCH_LIST_CHARS) {
      errs.push(invalid('spec.dnsConfig.searches', dc.searches, `must not have more than ${MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list`));
    }
    dc.searches.forEach((search, i) => {
      if (search === '.') return;
      const s = search.endsWith('.') ? search.slice(0, -1) : search;
      for (const m of dns1123SubdomainWithUnderscoreErrors(s)) errs.push(invalid(`spec.dnsConfig.searches[${i}]`, s, m));
    });
    dc.options.forEach((o, i) => {
      if (o.name === '') errs.push({ field: `spec.dnsConfig.options[${i}]`, type: 'Required value', detail: 'must not be empty' });
    });
  }

  if (pod.hostname !== '') for (const m of dns1123LabelErrors(pod.hostname)) errs.push(invalid('spec.hostname', pod.hostname, m));
  if (pod.subdomain !== '') for (const m of dns1123LabelErrors(pod.subdomain)) errs.push(invalid('spec.subdomain', pod.subdomain, m));

  pod.hostAliases.forEach((a, i) => {
    for (const m of ipErrors(a.ip)) errs.push(invalid(`spec.hostAliases[${i}].ip`, a.ip, m));
    a.hostnames.forEach((h, j) => {
      for (const m of dns1123SubdomainErrors(h)) errs.push(invalid(`spec.hostAliases[${i}].hostnames[${j}]`, h, m));
    });
  });
  return errs;
}
