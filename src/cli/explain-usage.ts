/** The usage text of `podns explain` (apart from explain.ts, which main.ts loads only when it runs). */
export const EXPLAIN_USAGE = `  explain    send the queries a pod's resolver would send for NAME, for real, and show each one,
             why the resolver moved on or stopped, the result getaddrinfo() returns, and a verdict
             (src/explain/README.md)
             NAME                 the name as the program passes it to getaddrinfo
             the pod, either by its files:
             --resolv-conf FILE   the pod's /etc/resolv.conf (podns pod files prints it)
             --hosts FILE         the pod's /etc/hosts (default: empty)
             or as a pod of the cluster, its files computed as the kubelet writes them:
             --pod NS/NAME        a Pod (or a StatefulSet's pod NAME-N, or a workload's template)
             --manifests PATH...  read it from manifests; the queries to the cluster DNS address
                                  are then answered in-process by a server over the same
                                  manifests, from the pod's IP, naming the plugin that answered
             --conf FILE          that server's Corefile (default: kubeadm's)
             --kubeconfig FILE    read it from the live cluster (--context NAME); without
                                  --manifests and --kubeconfig: $KUBECONFIG or the service account
             --kubelet-config FILE  the node's KubeletConfiguration; else:
             --cluster-dns IP     (default: the Service kube-system/kube-dns's IP)
             --cluster-domain D   (default cluster.local)
             --host-resolv-conf FILE  the node's resolv.conf (default: empty)
             --host-hosts FILE    the node's /etc/hosts, for hostNetwork pods (default: empty)
             --resolver R         glibc (default), musl (1.2.4+), musl-1.2.3 or go
             --family F           unspec (default), inet or inet6
             --server ADDR[:PORT] send every query here instead of to resolv.conf's nameservers
                                  (port 53 by default)
             --json               {"queries": [{name, type, rcode, answers, ms, plugin, ...}],
                                   "result": {"addrs", "error"}, "totals": {queries, roundTrips, ms},
                                   "pod": {resolvConf, hosts, notes} with --pod}
             exit status 1 when the lookup fails
`;
