/** The usage text of `podns explain` (apart from explain.ts, which main.ts loads only when it runs). */
export const EXPLAIN_USAGE = `  explain    send the queries a pod's resolver would send for NAME, for real, and show each one,
             why the resolver moved on or stopped, the result getaddrinfo() returns, and a verdict
             (src/explain/README.md)
             NAME                 the name as the program passes it to getaddrinfo
             --resolv-conf FILE   the pod's /etc/resolv.conf (required; podns pod files prints it)
             --hosts FILE         the pod's /etc/hosts (default: empty)
             --resolver R         glibc (default), musl (1.2.4+), musl-1.2.3 or go
             --family F           unspec (default), inet or inet6
             --server ADDR[:PORT] send every query here instead of to resolv.conf's nameservers
                                  (port 53 by default)
             --json               {"queries": [{name, type, rcode, answers, ms, ...}],
                                   "result": {"addrs", "error"}, "totals": {queries, roundTrips, ms}}
             not yet: --pod ns/name (a live pod's files) and answering in-process from --manifests
             exit status 1 when the lookup fails
`;
