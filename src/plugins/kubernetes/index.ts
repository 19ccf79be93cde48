/** The kubernetes plugin: Kubernetes DNS-Based Service Discovery, as CoreDNS's plugin/kubernetes. */
export { kubernetesPlugin, parseKubernetes } from './setup.ts';
export type { KubernetesConfig } from './setup.ts';
export { KubernetesHandler } from './kubernetes.ts';
