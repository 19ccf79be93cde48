/**
 * What the node-local cache asks of the kernel, as plain data: the iptables rules NodeLocal
 * DNSCache's node-cache installs for each local IP (kubernetes/dns cmd/node-cache/app/
 * cache_app.go, initIptables), and the argument vectors of the `ip` and `iptables` commands that
 * check, add and remove them. Pure, so the unit tests can compare whole command lists.
 */

export type Family = 4 | 6;
export type Table = 'raw' | 'filter';
export type Chain = 'PREROUTING' | 'INPUT' | 'OUTPUT';

export interface IptablesRule {
  readonly table: Table;
  readonly chain: Chain;
  /** The rule's match and target, as given to `iptables -C/-I/-D TABLE CHAIN`. */
  readonly args: readonly string[];
}

/** A command and its arguments, run without a shell. */
export type Command = readonly string[];

/**
 * node-cache's rules, in its order, for each local IP: connection tracking is skipped (raw
 * NOTRACK) for DNS to and from the IP, in PREROUTING and OUTPUT (OUTPUT also for queries from the
 * node itself: hostNetwork pods), and filter INPUT/OUTPUT ACCEPT the untracked packets, which
 * the usual `-m conntrack --ctstate ESTABLISHED` rules no longer would. The last two skip
 * tracking for the liveness probe to the health plugin's port.
 */
export function iptablesRules(localIps: readonly string[], dnsPort: number, healthPort: number): IptablesRule[] {
  const port = String(dnsPort);
  const health = String(healthPort);
  const rule = (table: Table, chain: Chain, ...args: string[]): IptablesRule => ({ table, chain, args });
  return localIps.flatMap((ip) => [
    rule('raw', 'PREROUTING', '-p', 'tcp', '-d', ip, '--dport', port, '-j', 'NOTRACK'),
    rule('raw', 'PREROUTING', '-p', 'udp', '-d', ip, '--dport', port, '-j', 'NOTRACK'),
    rule('filter', 'INPUT', '-p', 'tcp', '-d', ip, '--dport', port, '-j', 'ACCEPT'),
    rule('filter', 'INPUT', '-p', 'udp', '-d', ip, '--dport', port, '-j', 'ACCEPT'),
    rule('raw', 'OUTPUT', '-p', 'tcp', '-s', ip, '--sport', port, '-j', 'NOTRACK'),
    rule('raw', 'OUTPUT', '-p', 'udp', '-s', ip, '--sport', port, '-j', 'NOTRACK'),
    rule('filter', 'OUTPUT', '-p', 'tcp', '-s', ip, '--sport', port, '-j', 'ACCEPT'),
    rule('filter', 'OUTPUT', '-p', 'udp', '-s', ip, '--sport', port, '-j', 'ACCEPT'),
    rule('raw', 'OUTPUT', '-p', 'tcp', '-d', ip, '--dport', port, '-j', 'NOTRACK'),
    rule('raw', 'OUTPUT', '-p', 'udp', '-d', ip, '--dport', port, '-j', 'NOTRACK'),
    rule('raw', 'OUTPUT', '-p', 'tcp', '-d', ip, '--dport', health, '-j', 'NOTRACK'),
    rule('raw', 'OUTPUT', '-p', 'tcp', '-s', ip, '--sport', health, '-j', 'NOTRACK'),
  ]);
}

/**
 * `iptables` (or `ip6tables`) checking (-C), prepending (-I, as node-cache's EnsureRule(Prepend))
 * or deleting (-D) one rule; `-w 5` waits up to five seconds for the xtables lock, as Kubernetes'
 * iptables helper does.
 */
export function iptablesCommand(family: Family, op: '-C' | '-I' | '-D', rule: IptablesRule): Command {
  return [family === 6 ? 'ip6tables' : 'iptables', '-w', '5', '-t', rule.table, op, rule.chain, ...rule.args];
}

/** A rule as one line for logs: `-t raw PREROUTING -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK`. */
export function ruleText(rule: IptablesRule): string {
  return `-t ${rule.table} ${rule.chain} ${rule.args.join(' ')}`;
}

/** The address as added to the interface: a host route, /32 or /128 (node-cache's netlink.NewIPNet). */
export function hostPrefix(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** Linux's limit on interface names (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;

/** A name `ip link add` accepts: 1 to 15 characters, no whitespace, `/` or `:`, not `.` or `..`. */
export function validInterfaceName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_INTERFACE_NAME && !/[\s/:]/.test(name) && name !== '.' && name !== '..';
}

/**
 * The other end of the veth pair used when the kernel has no dummy driver: `<name>-peer`, the
 * name cut short when that would pass the 15-character limit (`nodelocaldns` → `nodelocald-peer`).
 */
export function peerName(name: string): string {
  const suffix = '-peer';
  return `${name.slice(0, MAX_INTERFACE_NAME - suffix.length)}${suffix}`;
}

export const ipCommands = {
  show: (name: string): Command => ['ip', 'link', 'show', 'dev', name],
  addDummy: (name: string): Command => ['ip', 'link', 'add', name, 'type', 'dummy'],
  addVeth: (name: string): Command => ['ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', peerName(name)],
  up: (name: string): Command => ['ip', 'link', 'set', 'dev', name, 'up'],
  del: (name: string): Command => ['ip', 'link', 'del', 'dev', name],
  addresses: (name: string): Command => ['ip', '-o', 'addr', 'show', 'dev', name],
  // IPv6: nodad, so the address can be bound at once instead of after duplicate address detection.
  addAddress: (name: string, ip: string): Command => ['ip', 'addr', 'add', hostPrefix(ip), 'dev', name, ...(ip.includes(':') ? ['nodad'] : [])],
  delAddress: (name: string, ip: string): Command => ['ip', 'addr', 'del', hostPrefix(ip), 'dev', name],
} as const;

/** The addresses in `ip -o addr show` output (`… inet 169.254.20.10/32 scope …`), without prefix lengths. */
export function parseAddresses(output: string): string[] {
  return [...output.matchAll(/\binet6? ([0-9a-fA-F.:]+)\/\d+/g)].map((m) => m[1]!.toLowerCase());
}
