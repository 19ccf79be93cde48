/** The usage text of `podns pod files` (apart from pod.ts, which main.ts loads only when it runs). */
export const POD_USAGE = `  pod files  what a pod's /etc/hosts and /etc/resolv.conf will hold, byte for byte, as the kubelet
             and the container runtime write them (src/podconf/README.md)
             --pod FILE               the Pod (YAML or JSON); a pod the API server would refuse gets
                                      its error and exit status 1
             --kubelet-config FILE    the node's KubeletConfiguration (clusterDNS, clusterDomain,
                                      resolvConf)
             --host-resolv-conf FILE  the content of the kubelet's resolvConf file (required unless
                                      resolvConf is "")
             --host-hosts FILE        the node's /etc/hosts (required for hostNetwork pods)
             --pod-ip IP              the pod's IPs, in order (repeatable; default status.podIPs)
             --node-ip IP             the kubelet's node IPs (repeatable; used when resolvConf is "")
             --json                   {"hosts", "resolvConf", "dns", "hostname", "events"}
`;
