/**
 * The one place the plugin execution order is decided: CoreDNS's plugin.cfg (master 4b26cce,
 * CoreDNS 1.14.7 and later). A plugin sees queries before every plugin after it, whatever the
 * order in the Corefile. The list keeps CoreDNS's names, including plugins podns does not provide,
 * so that adding one means implementing it, not choosing a slot; registry.ts says which exist.
 * One addition of podns's own: `filter_aaaa`, just before `forward` (after every plugin that
 * answers authoritatively, so it only ever stands in for an upstream).
 */
export const pluginOrder = [
  'root', 'metadata', 'geoip', 'cancel', 'proxyproto', 'quic', 'grpc_server', 'https', 'https3',
  'timeouts', 'multisocket', 'reload', 'nsid', 'bufsize', 'bind', 'debug', 'trace', 'ready',
  'health', 'pprof', 'shed', 'prometheus', 'errors', 'log', 'dnstap', 'local', 'dns64', 'any',
  'chaos', 'loadbalance', 'tsig', 'rewrite', 'autopath', 'acl', 'cache', 'header', 'dnssec', 'tls',
  'minimal', 'template', 'transfer', 'hosts', 'route53', 'azure', 'clouddns', 'k8s_external',
  'kubernetes', 'file', 'auto', 'secondary', 'etcd', 'loop', 'filter_aaaa', 'forward', 'grpc', 'erratic',
  'whoami', 'on', 'sign', 'view', 'nomad',
] as const;

export type PluginName = (typeof pluginOrder)[number];

const rank = new Map<string, number>(pluginOrder.map((name, i) => [name, i]));

/** The position of a plugin in the chain, or -1 for a name CoreDNS does not know. */
export function orderOf(name: string): number {
  return rank.get(name) ?? -1;
}
