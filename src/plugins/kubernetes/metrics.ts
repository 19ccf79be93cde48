/**
 * The kubernetes plugin's metrics. CoreDNS's names where CoreDNS has the metric
 * (`coredns_kubernetes_dns_programming_duration_seconds`, and client-go's
 * `coredns_kubernetes_rest_client_requests_total`); podns's additions for the API watch carry the
 * `podns_` prefix, so they never collide with a future CoreDNS metric.
 */
import { counter, gauge, histogram } from '../../core/metrics.ts';

export const restRequests = counter('coredns_kubernetes_rest_client_requests_total',
  'Number of HTTP requests, partitioned by status code, method, and host.', ['code', 'method', 'host']);

/** CoreDNS: 1 ms doubling 20 times. */
const PROGRAMMING_BUCKETS = Array.from({ length: 20 }, (_, i) => 0.001 * 2 ** i);
export const dnsProgramming = histogram('coredns_kubernetes_dns_programming_duration_seconds',
  'Histogram of the time (in seconds) it took to program a dns instance.', ['service_kind'], PROGRAMMING_BUCKETS);

export const watchEvents = counter('podns_kubernetes_watch_events_total',
  'Watch events applied, by resource and event type (BOOKMARK included).', ['resource', 'type']);
// With --workers, the stalest worker's time (an alert on staleness fires if any worker is stale).
export const lastSync = gauge('podns_kubernetes_last_sync_timestamp_seconds',
  'When the resource was last known to be current: a completed list, or a watch event or bookmark (Unix seconds).', ['resource'], { aggregate: 'min' });
export const apiErrors = counter('podns_kubernetes_api_errors_total',
  'Failed list or watch attempts, by resource and HTTP status code (0: no answer, e.g. connection refused).', ['resource', 'code']);
export const objects = gauge('podns_kubernetes_objects',
  'Objects held after the last complete list, by resource.', ['resource']);
