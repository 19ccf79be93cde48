/** The autopath plugin's metric (CoreDNS plugin/autopath/metrics.go). */
import { counter } from '../../core/metrics.ts';

export const autopathSuccess = counter('coredns_autopath_success_total', 'Counter of requests that did autopath.', ['server']);
