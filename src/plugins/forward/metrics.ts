/**
 * The forward plugin's metrics, named and labelled as CoreDNS's plugin/forward/metrics.go and
 * plugin/pkg/proxy/metrics.go declare them (the proxy ones are shared by every proxying plugin,
 * told apart by `proxy_name`).
 */
import { counter, histogram } from '../../core/metrics.ts';

export const healthcheckBroken = counter(
  'coredns_forward_healthcheck_broken_total',
  'Counter of the number of complete failures of the healthchecks.',
);

export const maxConcurrentRejects = counter(
  'coredns_forward_max_concurrent_rejects_total',
  'Counter of the number of queries rejected because the concurrent queries were at maximum.',
);

export const requestDuration = histogram(
  'coredns_proxy_request_duration_seconds',
  'Histogram of the time each request took.',
  ['proxy_name', 'to', 'rcode'],
);

export const healthcheckFailures = counter(
  'coredns_proxy_healthcheck_failures_total',
  'Counter of the number of failed healthchecks.',
  ['proxy_name', 'to'],
);

export const connCacheHits = counter(
  'coredns_proxy_conn_cache_hits_total',
  'Counter of connection cache hits per upstream and protocol.',
  ['proxy_name', 'to', 'proto'],
);

export const connCacheMisses = counter(
  'coredns_proxy_conn_cache_misses_total',
  'Counter of connection cache misses per upstream and protocol.',
  ['proxy_name', 'to', 'proto'],
);

/** The `rcode` label: miekg/dns RcodeToString, or the number for an unknown rcode. */
const RCODE_LABELS: Readonly<Record<number, string>> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
  7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME',
  19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG', 22: 'BADTRUNC', 23: 'BADCOOKIE',
};

export function rcodeLabel(rcode: number): string {
  return RCODE_LABELS[rcode] ?? String(rcode);
}

/** Rcode mnemonics accepted by `next` and `failover` (miekg/dns StringToRcode, case-insensitive). */
export const RCODES: ReadonlyMap<string, number> = new Map([
  ...Object.entries(RCODE_LABELS).map(([n, s]) => [s, Number(n)] as const),
  ['BADVERS', 16], ['NOTIMPL', 4],
]);
