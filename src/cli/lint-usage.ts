/** `podns lint`'s usage text, apart from the command so main.ts shows it without loading lint. */
export const LINT_USAGE = `  lint       find the DNS problems of a cluster, in its manifests or live from its API server: rule
             ids, severities, file:line or the object's API path (src/lint/README.md)
             --manifests PATH...  manifest files or folders (YAML, JSON), read as one cluster; repeatable,
                                  and paths after the options count too
             --kubeconfig FILE    read the live cluster of this kubeconfig (--context NAME to pick
                                  one); without --manifests and --kubeconfig: $KUBECONFIG, or in a
                                  pod its service account (needs list on the objects read)
             --corefile FILE      a Corefile to check as podns validate does (repeatable)
             --cluster-domain D   the cluster domain (default cluster.local)
             --cluster-cidr CIDR  the cluster's Service and Pod ranges, for stale hostAliases
                                  (repeatable; default: the /16 or /64 around the manifests' IPs)
             --json               {"findings": [{rule, severity, file, line, object, field, message}],
                                   "errors", "warnings"}
             exit status 1 when a finding is an error
`;
