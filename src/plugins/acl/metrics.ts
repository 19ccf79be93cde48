/** The acl plugin's metrics (CoreDNS plugin/acl/metrics.go); `view` is always "" (podns has no view plugin). */
import { counter } from '../../core/metrics.ts';

export const blockedRequests = counter('coredns_acl_blocked_requests_total', 'Counter of DNS requests being blocked.', ['server', 'zone', 'view']);
export const filteredRequests = counter('coredns_acl_filtered_requests_total', 'Counter of DNS requests being filtered.', ['server', 'zone', 'view']);
export const allowedRequests = counter('coredns_acl_allowed_requests_total', 'Counter of DNS requests being allowed.', ['server', 'view']);
export const droppedRequests = counter('coredns_acl_dropped_requests_total', 'Counter of DNS requests being dropped.', ['server', 'zone', 'view']);
