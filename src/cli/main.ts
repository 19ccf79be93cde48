#!/usr/bin/env node
/**
 * The podns command line. Argument parsing and file/stdout I/O only; the work is done by
 * server/, podconf/ and explain/.
 *
 *   podns serve [--conf FILE] [--manifests PATH]... [--dns.port N] [--workers N]
 *   podns nodecache --localip IP[,IP]... --conf FILE [serve's and node-cache's options]
 *   podns validate FILE
 *   podns pod files --pod FILE --kubelet-config FILE [--host-resolv-conf FILE] [--host-hosts FILE] [--pod-ip IP]... [--node-ip IP]... [--json]
 *   podns lint --manifests PATH... [--corefile FILE]... [--cluster-domain D] [--cluster-cidr CIDR]... [--json]
 *   podns explain NAME --resolv-conf FILE [--hosts FILE] [--resolver glibc|musl|musl-1.2.3|go] [--family unspec|inet|inet6] [--server ADDR[:PORT]] [--json]
 */
import './heap.ts'; // first: may restart node with a smaller young generation for serve/nodecache
import { CorefileError } from '../corefile/index.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import { consoleLogger } from '../core/log.ts';
import { EXPLAIN_USAGE } from './explain-usage.ts';
import { LINT_USAGE } from './lint-usage.ts';
import { POD_USAGE } from './pod-usage.ts';
import { VERSION } from './version.ts';

export { VERSION };

const USAGE = `usage: podns <command> [options]

commands:
  serve      serve DNS as configured by a Corefile
             --conf FILE         the Corefile (default: kubeadm's default Corefile)
             --manifests PATH    read cluster state from these manifest files or folders
                                 (repeatable) instead of an API server
             --dns.port N        port for server keys written without one (default 53)
             --workers N         N processes sharing the port (SO_REUSEPORT), each a whole
                                 server; health, ready and metrics cover them all (default 1)
             SIGUSR1 reloads the Corefile; SIGTERM/SIGINT shut down (after health's lameduck)
  nodecache  serve as NodeLocal DNSCache's node-cache does on a node: an interface holding the
             local IPs, iptables NOTRACK/ACCEPT rules for them, then serve's options; teardown
             on SIGTERM/SIGINT (src/nodecache/README.md)
             --localip IP,IP...  the addresses to hold and serve (required; one IP family)
             --conf FILE         NodeLocal DNSCache's Corefile (required); __PILLAR__CLUSTER__DNS__,
                                 __PILLAR__UPSTREAM__SERVERS__, __PILLAR__LOCAL__DNS__ and
                                 __PILLAR__DNS__SERVER__ are filled as node-cache fills them
             --manifests PATH    as for serve
             --dns.port N        as for serve; also the port in the iptables rules (53)
             --interface-name NAME        the interface to create (default nodelocaldns)
             --setup-interface[=false]    create the interface and add the IPs (default true)
             --setup-iptables[=false]     add the iptables rules (default true)
             --skip-teardown              leave the interface and rules in place on exit
             --upstream-svc NAME          the Service whose ClusterIP ($NAME_SERVICE_HOST) fills
                                          __PILLAR__CLUSTER__DNS__ (default kube-dns)
             --health-port N              the health plugin's port, for its rules (default 8080)
             --sync-interval DURATION     check and restore the interface and rules (default 60s; 0: never)
  validate   check a Corefile without serving it: errors with file:line (exit status 1),
             warnings, and each server block's plugins in execution order
             FILE                the Corefile
${POD_USAGE}${LINT_USAGE}${EXPLAIN_USAGE}  version    print the version
`;

export async function main(argv: string[]): Promise<number> {
  const log = consoleLogger();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': return await (await import('./serve.ts')).serve(rest, log);
      case 'nodecache': return await (await import('./serve.ts')).nodecache(rest, log);
      case 'validate': return await (await import('./serve.ts')).validate(rest, log);
      case 'pod': return (await import('./pod.ts')).podCommand(rest);
      case 'lint': return await (await import('./lint.ts')).lint(rest);
      case 'explain': return await (await import('./explain.ts')).explain(rest);
      case 'version': case '--version': process.stdout.write(`podns ${VERSION}\n`); return 0;
      case undefined: case 'help': case '--help': case '-h': process.stdout.write(USAGE); return command === undefined ? 2 : 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) { process.stderr.write(`podns: ${err.message}\n\n${USAGE}`); return 2; }
    if (err instanceof ConfigError || err instanceof CorefileError || (err instanceof Error && err.name === 'NodeCacheError')) { log.error(err.message); return 1; }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('E')) {
      // System errors (EADDRINUSE, EACCES, ENOENT…): a clear line, not a stack.
      log.error(err.message);
      return 1;
    }
    throw err;
  }
}

// Output piped into a reader that stops early (`| head`): stop quietly, as other tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
process.exitCode = await main(process.argv.slice(2));
