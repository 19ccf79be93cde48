/**
 * filter_aaaa's metric. podns's own plugin, named in CoreDNS's style (coredns_<plugin>_<name>)
 * so that it sits beside the others on the same dashboards.
 */
import { counter } from '../../core/metrics.ts';

export const filtered = counter('coredns_filter_aaaa_filtered_total', 'Counter of AAAA queries answered with NODATA by filter_aaaa, answer-cache replays included.', ['server']);
