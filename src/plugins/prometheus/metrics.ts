/**
 * The prometheus plugin's metrics, named and labelled as CoreDNS's plugin/metrics/vars/vars.go
 * and plugin/metrics/metrics.go: the per-query server metrics (fast series, see series.ts), the
 * build info, the panic counter, plugin_enabled, and the process/Node.js runtime metrics
 * (core/process-metrics.ts) in place of Go's go_* and process_* collectors.
 */
import { readFileSync } from 'node:fs';
import { SIZE_BUCKETS, TIME_BUCKETS, gauge, registry } from '../../core/metrics.ts';
import { registerProcessMetrics } from '../../core/process-metrics.ts';
import { FastCounter, FastHistogram, registerFast } from './series.ts';

export const requestsTotal = registerFast(new FastCounter('coredns_dns_requests_total',
  'Counter of DNS requests made per zone, protocol and family.', ['server', 'zone', 'view', 'proto', 'family', 'type']));
export const requestDuration = registerFast(new FastHistogram('coredns_dns_request_duration_seconds',
  'Histogram of the time (in seconds) each request took per zone.', ['server', 'zone', 'view'], TIME_BUCKETS));
export const requestSize = registerFast(new FastHistogram('coredns_dns_request_size_bytes',
  'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', ['server', 'zone', 'view', 'proto'], SIZE_BUCKETS));
export const doRequestsTotal = registerFast(new FastCounter('coredns_dns_do_requests_total',
  'Counter of DNS requests with DO bit set per zone.', ['server', 'zone', 'view']));
export const responseSize = registerFast(new FastHistogram('coredns_dns_response_size_bytes',
  'Size of the returned response in bytes.', ['server', 'zone', 'view', 'proto'], SIZE_BUCKETS));
export const responsesTotal = registerFast(new FastCounter('coredns_dns_responses_total',
  'Counter of response status codes.', ['server', 'zone', 'view', 'rcode', 'plugin']));

export { panicsTotal } from '../../core/metrics.ts';
export const pluginEnabled = gauge('coredns_plugin_enabled',
  'A metric that indicates whether a plugin is enabled on per server and zone basis.', ['server', 'zone', 'view', 'name']);
export const buildInfo = gauge('coredns_build_info',
  "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
  ['version', 'revision', 'goversion']);

/** podns's version, from the package.json two levels above src/ (or dist/). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The build_info labels: podns's version, no revision (not recorded at build), and the runtime ("node24.21.0" where CoreDNS has "go1.24.1"). */
export const BUILD = { version: packageVersion(), revision: '', goversion: `node${process.versions.node}` } as const;

/** Sets build_info and registers the process_* and nodejs_* metrics (once per process). */
export function initProcessMetrics(): void {
  buildInfo.set(BUILD, 1);
  registerProcessMetrics(registry);
}
