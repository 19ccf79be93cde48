/** `podns lint`'s usage text, apart from the command so main.ts shows it without loading lint. */
export const LINT_USAGE = `  lint       find the DNS problems of a cluster in its manifests (manifests only for now; a live
             cluster is not read yet): rule ids, severities, file:line (src/lint/README.md)
             --manifests PATH...  manifest files or folders (YAML, JSON), read as one cluster; repeatable,
                                  and paths after the options count too
             --corefile FILE      a Corefile to check as podns validate does (repeatable)
             --cluster-domain D   the cluster domain (default cluster.local)
             --cluster-cidr CIDR  the cluster's Service and Pod ranges, for stale hostAliases
                                  (repeatable; default: the /16 or /64 around the manifests' IPs)
             --json               {"findings": [{rule, severity, file, line, object, field, message}],
                                   "errors", "warnings"}
             exit status 1 when a finding is an error
`;
