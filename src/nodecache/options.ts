/**
 * `podns nodecache`'s flags (besides serve's --conf, --manifests, --dns.port), node-cache's under
 * podns's spelling, and their validation: -localip → --localip, -interfacename →
 * --interface-name, -setupinterface → --setup-interface, -setupiptables → --setup-iptables,
 * -skipteardown → --skip-teardown, -upstreamsvc → --upstream-svc, -health-port → --health-port,
 * -syncinterval → --sync-interval. Booleans are written as Go's flag package takes them: bare
 * (`--skip-teardown`, true) or `--setup-iptables=false`.
 */
import { UsageError } from '../core/errors.ts';
import { parseDuration } from '../corefile/index.ts';
import { canonicalIP, ipFamily } from '../dns/ip.ts';
import type { NetworkOptions } from './network.ts';
import { MAX_INTERFACE_NAME, validInterfaceName } from './rules.ts';

export const NODECACHE_FLAGS = {
  localip: { type: 'string' },
  'interface-name': { type: 'string' },
  'setup-interface': { type: 'string' },
  'setup-iptables': { type: 'string' },
  'skip-teardown': { type: 'string' },
  'upstream-svc': { type: 'string' },
  'health-port': { type: 'string' },
  'sync-interval': { type: 'string' },
} as const;

type Flag = keyof typeof NODECACHE_FLAGS;
const BOOLEAN_FLAGS: readonly Flag[] = ['setup-interface', 'setup-iptables', 'skip-teardown'];

/** Rewrites a bare boolean flag (`--skip-teardown`) as `--skip-teardown=true`, for parseArgs. */
export function expandBooleanFlags(argv: readonly string[]): string[] {
  return argv.map((a) => (BOOLEAN_FLAGS.some((f) => a === `--${f}`) ? `${a}=true` : a));
}

export interface NodeCacheConfig {
  readonly network: NetworkOptions;
  readonly skipTeardown: boolean;
  /** The Service whose ClusterIP fills __PILLAR__CLUSTER__DNS__ (node-cache's -upstreamsvc). */
  readonly upstreamService: string;
  /** How often the interface and rules are checked and restored; 0: never (node-cache's -syncinterval, 60 s). */
  readonly syncIntervalMs: number;
}

/** Go's strconv.ParseBool. */
function parseBool(flag: string, text: string | undefined, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new UsageError(`--${flag}: not a boolean: ${JSON.stringify(text)} (true or false)`);
}

function parsePort(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--${flag}: not a port: ${JSON.stringify(text)}`);
  return n;
}

function parseInterval(text: string | undefined): number {
  if (text === undefined) return 60_000;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  try {
    const ms = parseDuration(text);
    if (ms >= 0) return ms;
  } catch { /* reported below */ }
  throw new UsageError(`--sync-interval: not a duration: ${JSON.stringify(text)} (seconds, or e.g. 60s, 1m; 0 turns the check off)`);
}

export function nodeCacheConfig(values: Partial<Record<Flag | 'dns.port', string>>): NodeCacheConfig {
  if (values.localip === undefined || values.localip === '') throw new UsageError('nodecache: --localip is required (e.g. --localip 169.254.20.10,10.96.0.10)');
  const localIps: string[] = [];
  for (const text of values.localip.split(',')) {
    const ip = canonicalIP(text.trim());
    if (ip === null) throw new UsageError(`--localip: not an IP address: ${JSON.stringify(text)}`);
    if (localIps.includes(ip)) throw new UsageError(`--localip: ${ip} is listed twice`);
    localIps.push(ip);
  }
  const family = ipFamily(localIps[0]!) === 6 ? 6 : 4;
  const other = localIps.find((ip) => ipFamily(ip) !== family);
  if (other !== undefined) throw new UsageError(`--localip: ${other} is not IPv${family} like ${localIps[0]}: all local IPs must be of one family`);
  const interfaceName = values['interface-name'] ?? 'nodelocaldns';
  if (!validInterfaceName(interfaceName)) {
    throw new UsageError(`--interface-name: not an interface name: ${JSON.stringify(interfaceName)} (1 to ${MAX_INTERFACE_NAME} characters, no spaces, '/' or ':')`);
  }
  const upstreamService = values['upstream-svc'] ?? 'kube-dns';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(upstreamService)) throw new UsageError(`--upstream-svc: not a Service name: ${JSON.stringify(upstreamService)}`);
  return {
    network: {
      localIps, family, interfaceName,
      setupInterface: parseBool('setup-interface', values['setup-interface'], true),
      setupIptables: parseBool('setup-iptables', values['setup-iptables'], true),
      dnsPort: parsePort('dns.port', values['dns.port'], 53),
      healthPort: parsePort('health-port', values['health-port'], 8080),
    },
    skipTeardown: parseBool('skip-teardown', values['skip-teardown'], false),
    upstreamService,
    syncIntervalMs: parseInterval(values['sync-interval']),
  };
}
