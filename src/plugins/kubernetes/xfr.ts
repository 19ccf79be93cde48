/**
 * The kubernetes plugin's Transferer (CoreDNS kubernetes xfr.go): its zones' content for AXFR and
 * IXFR through the transfer plugin. Placeholder: nothing to transfer until implemented.
 */
import type { Transferer } from '../../core/capabilities.ts';
import type { ClusterState } from '../../cluster/state.ts';
import type { KubernetesConfig } from './setup.ts';

export function transferer(_state: ClusterState, config: KubernetesConfig): Transferer {
  return { zones: config.options.zones, serial: () => 0, transfer: () => null };
}
