/** The reload plugin's metrics (CoreDNS plugin/reload/metrics.go). */
import { counter, gauge } from '../../core/metrics.ts';

export const reloadFailed = counter('coredns_reload_failed_total', 'Counter of the number of failed reload attempts.');
export const reloadVersionInfo = gauge('coredns_reload_version_info', 'A metric with a constant \'1\' value labeled by hash, and value which type of hash generated.', ['hash', 'value']);
