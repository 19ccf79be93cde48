/** The health plugin's metrics (CoreDNS plugin/health/overloaded.go); no `server` label: process-wide. */
import { counter, histogram } from '../../core/metrics.ts';

/** CoreDNS plugin.SlimTimeBuckets: 0.25 ms to 2.5 s, ×10. */
export const SLIM_TIME_BUCKETS = [0.00025, 0.0025, 0.025, 0.25, 2.5];

export const healthDuration = histogram('coredns_health_request_duration_seconds',
  'Histogram of the time (in seconds) each request took.', [], SLIM_TIME_BUCKETS);
export const healthFailures = counter('coredns_health_request_failures_total',
  'The number of times the health check failed.');
