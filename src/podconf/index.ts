/**
 * podconf: what a pod's /etc/hosts and /etc/resolv.conf will hold, byte for byte, as the kubelet
 * and the container runtime write them, and what the API server refuses on the way. Pure: no
 * files, no process; the CLI (`podns pod files`) reads the inputs. See README.md.
 */
export { podFiles } from './files.ts';
export type { PodFiles, PodFilesInput } from './files.ts';
export { readKubeletConfig, readPod, DecodeError, DEFAULT_RESOLV_CONF } from './pod.ts';
export type { KubeletConfig, Pod } from './pod.ts';
export { validatePod, formatFieldError, formatInvalid, ipErrors } from './validate.ts';
export type { FieldError } from './validate.ts';
export {
  getPodDNS, podDNSMode, mergeDNSConfig, mergeDNSOptions, fitNameservers, fitSearches, clusterFirstSearches, formatPod,
} from './dns.ts';
export type { DNSMode, DNSConfigOption, KubeletDNSSettings, KubeletEvent, PodDNSConfig, PodDNSInput, PodDNSResult } from './dns.ts';
export {
  managedHostsFile, hostNetworkHostsFile, hostAliasesBlock, podHostnameAndDomain, nodenameForKernel, truncatePodHostname, KubeletError,
} from './hosts.ts';
export type { HostAlias } from './hosts.ts';
export { parseHostResolvConf, renderResolvConf, checkLimitsForResolvConf, appendOptions } from './resolvconf.ts';
export type { DNSConfig, HostResolvConf } from './resolvconf.ts';
export { parseIPSloppy, goIPString } from './ip.ts';
