/** The hosts plugin's metrics (CoreDNS plugin/hosts/metrics.go): process-wide, no labels. */
import { counter, gauge } from '../../core/metrics.ts';

export const hostsEntries = gauge('coredns_hosts_entries', 'The combined number of entries in hosts and Corefile.');
export const hostsReloadTime = gauge('coredns_hosts_reload_timestamp_seconds', 'The timestamp of the last reload of hosts file.');
export const hostsHits = counter('coredns_hosts_hits_total', 'The number of requests served from the hosts file');
