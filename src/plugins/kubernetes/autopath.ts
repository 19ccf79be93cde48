/**
 * The kubernetes plugin's AutoPather (CoreDNS kubernetes AutoPath): the search path of the pod
 * that sent a query, for the autopath plugin. Placeholder: no autopath until implemented.
 */
import type { AutoPather } from '../../core/capabilities.ts';
import type { ClusterState } from '../../cluster/state.ts';
import type { KubernetesConfig } from './setup.ts';

export function autoPather(_state: ClusterState, _config: KubernetesConfig): AutoPather {
  return { searchPath: () => null };
}
