/**
 * The forward stanza: Corefile syntax to options, every default resolved here (CoreDNS
 * plugin/forward/setup.go, plugin/pkg/parse/host.go). TO may be an IP, IP:port, [IPv6]:port,
 * dns://…, or a resolv.conf-style file whose nameservers are read now. Encrypted transports
 * (tls://, https://, `tls`, `tls_servername`, …) are refused with a clear error rather than
 * silently sending plain DNS.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Directive } from '../../corefile/index.ts';
import { CorefileError, parseDuration, zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { isValidName, fqdn, lowerName } from '../../dns/name.ts';
import { joinHostPort } from '../../transport/client.ts';
import { RCODES } from './metrics.ts';
import type { PolicyName } from './policy.ts';
import { parseResolvConf } from '../../dns/resolvconf.ts';

export interface UpstreamAddress {
  readonly host: string;
  readonly port: number;
  /** `IP:port` (`[v6]:port`): the metrics' `to` label. */
  readonly address: string;
}

export interface ForwardOptions {
  /** Only names at or below this zone are forwarded (lower case, absolute). */
  readonly from: string;
  readonly to: readonly UpstreamAddress[];
  /** Zones not forwarded (`except`), lower case, absolute. */
  readonly except: readonly string[];
  readonly forceTcp: boolean;
  readonly preferUdp: boolean;
  /** Idle time after which a pooled connection is closed (ms). */
  readonly expireMs: number;
  /** Idle connections kept per upstream; 0: no limit. */
  readonly maxIdleConns: number;
  /** An upstream is down when more than this many health checks in a row failed; 0: never down, never checked. */
  readonly maxFails: number;
  /** Upstream exchanges that may fail per query; 0: twice the number of upstreams. */
  readonly maxConnectAttempts: number;
  readonly healthCheckMs: number;
  readonly healthCheckRecursion: boolean;
  readonly healthCheckDomain: string;
  readonly policy: PolicyName;
  /** Queries in flight at most (REFUSED above); 0: no limit. */
  readonly maxConcurrent: number;
  /** Rcodes handed to the next forward plugin of the block. */
  readonly next: readonly number[];
  /** A NOERROR reply without answers is handed to the next forward plugin too. */
  readonly nextOnNodata: boolean;
  /** Rcodes treated like a failed exchange: the next upstream is tried. */
  readonly failover: readonly number[];
  readonly failfastAllUnhealthyUpstreams: boolean;
  /** How long one upstream exchange may take (ms). */
  readonly readTimeoutMs: number;
}

/** At most this many upstreams (CoreDNS `max`). */
export const MAX_UPSTREAMS = 15;
export const DEFAULT_EXPIRE_MS = 10_000;
export const DEFAULT_HEALTH_CHECK_MS = 500;
export const DEFAULT_READ_TIMEOUT_MS = 2_000;
export const DEFAULT_MAX_FAILS = 2;

/** Options CoreDNS has that need an encrypted or otherwise unsupported transport. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  tls: 'DNS-over-TLS upstreams are not implemented',
  tls_servername: 'DNS-over-TLS upstreams are not implemented',
  doh_method: 'DNS-over-HTTPS upstreams are not implemented',
  max_age: 'connections are only expired when idle (expire)',
  source_address: 'the source address is chosen by the system',
  resolver: 'hostname upstreams are not implemented; give IP addresses',
  resolve_upstream: 'hostname upstreams are not implemented; give IP addresses',
};

type ReadFile = (path: string) => string;

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/forward: ${message}`);
}

/** CoreDNS's ArgErr. */
function argError(d: Directive): ConfigError {
  const after = d.args.at(-1) ?? d.name;
  return fail(d, `Wrong argument count or unexpected line ending after '${after}'`);
}

function oneArg(d: Directive): string {
  if (d.args.length !== 1) throw argError(d);
  return d.args[0]!;
}

function noArgs(d: Directive): void {
  if (d.args.length !== 0) throw fail(d, `Wrong argument count or unexpected line ending after '${d.args[0]!}'`);
}

function duration(d: Directive, text: string, what: string): number {
  let ms: number;
  try { ms = parseDuration(text); } catch (err) { throw fail(d, (err as Error).message); }
  if (ms < 0) throw fail(d, `${what} can't be negative: ${text}`);
  return ms;
}

/** strconv.ParseUint(text, 10, 32) with Go's error text. */
function uint32(d: Directive, text: string): number {
  if (!/^[0-9]+$/.test(text)) throw fail(d, `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n > 0xffffffff) throw fail(d, `strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return n;
}

/** strconv.Atoi then a non-negative check, with CoreDNS's error texts. */
function nonNegative(d: Directive, text: string, what: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw fail(d, `strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw fail(d, `strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`);
  if (n < 0) throw fail(d, `${what} can't be negative: ${n}`);
  return n;
}

function rcodes(d: Directive): number[] {
  if (d.args.length === 0) throw argError(d);
  return d.args.map((a) => {
    const rc = RCODES.get(a.toUpperCase());
    if (rc === undefined) throw fail(d, `${a} is not a valid rcode`);
    return rc;
  });
}

function zones(d: Directive, texts: readonly string[]): string[] {
  try {
    return zonesFromArgs(texts, d, 'forward');
  } catch (err) {
    if (err instanceof CorefileError) throw new ConfigError(d.file, d.line, err.reason);
    throw err;
  }
}

/** The nameservers of a resolv.conf-style file (miekg/dns ClientConfigFromReader), port 53. */
export function resolvConfNameservers(text: string): string[] {
  return parseResolvConf(text).nameservers;
}

function upstream(host: string, port: number): UpstreamAddress {
  return { host, port, address: joinHostPort(host, port) };
}

function parsePort(d: Directive, text: string, to: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw fail(d, `invalid port in ${JSON.stringify(to)}`);
  return Number(text);
}

const ipOf = (s: string): number => isIP(s.split('%')[0]!);

/** One TO: an address (53 by default) or a file's nameservers (CoreDNS parse.HostPortOrFile). */
function parseTo(d: Directive, to: string, readFile: ReadFile): UpstreamAddress[] {
  let s = to;
  const sep = s.indexOf('://');
  if (sep >= 0) {
    const scheme = s.slice(0, sep).toLowerCase();
    if (scheme !== 'dns') {
      throw fail(d, `'${scheme}' is not supported as a destination protocol in forward: ${to} (podns forwards plain DNS over UDP and TCP only)`);
    }
    s = s.slice(sep + 3);
  }
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    const host = end < 0 ? '' : s.slice(1, end);
    const rest = end < 0 ? '' : s.slice(end + 1);
    if (ipOf(host) !== 6 || (rest !== '' && !rest.startsWith(':'))) throw fail(d, `not an IP address or file: ${JSON.stringify(s)}`);
    return [upstream(host, rest === '' ? 53 : parsePort(d, rest.slice(1), to))];
  }
  if (ipOf(s) !== 0) return [upstream(s, 53)];
  const colon = s.lastIndexOf(':');
  if (colon > 0 && ipOf(s.slice(0, colon)) === 4) return [upstream(s.slice(0, colon), parsePort(d, s.slice(colon + 1), to))];
  if (sep >= 0) throw fail(d, `not an IP address or file: ${JSON.stringify(s)}`);
  let text: string;
  try {
    text = readFile(s);
  } catch {
    throw fail(d, `not an IP address or file: ${JSON.stringify(s)}`);
  }
  const servers = resolvConfNameservers(text);
  if (servers.length === 0) throw fail(d, `no nameservers found in ${JSON.stringify(s)}`);
  return servers.map((h) => upstream(h, 53));
}

export function parseForward(d: Directive, _zones: readonly string[] = [], readFile: ReadFile = (p) => readFileSync(p, 'utf8')): ForwardOptions {
  if (d.args.length < 2) throw argError(d);
  // FROM: one zone; a CIDR expanding to several reverse zones uses the first (as CoreDNS does).
  const from = zones(d, [d.args[0]!])[0]!;
  const to: UpstreamAddress[] = [];
  for (const t of d.args.slice(1)) to.push(...parseTo(d, t, readFile));
  if (to.length > MAX_UPSTREAMS) throw fail(d, `more than ${MAX_UPSTREAMS} TOs configured: ${to.length}`);

  const except: string[] = [];
  let forceTcp = false;
  let preferUdp = false;
  let expireMs = DEFAULT_EXPIRE_MS;
  let maxIdleConns = 0;
  let maxFails = DEFAULT_MAX_FAILS;
  let maxConnectAttempts = 0;
  let healthCheckMs = DEFAULT_HEALTH_CHECK_MS;
  let healthCheckRecursion = true;
  let healthCheckDomain = '.';
  let policy: PolicyName = 'random';
  let maxConcurrent = 0;
  const next: number[] = [];
  let nextOnNodata = false;
  const failover: number[] = [];
  let failfast = false;
  let readTimeoutMs = DEFAULT_READ_TIMEOUT_MS;

  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'except':
        if (o.args.length === 0) throw argError(o);
        for (const z of zones(o, o.args)) if (!except.includes(z)) except.push(z);
        break;
      case 'force_tcp': noArgs(o); forceTcp = true; break;
      case 'prefer_udp': noArgs(o); preferUdp = true; break;
      case 'expire': expireMs = duration(o, oneArg(o), 'expire'); break;
      case 'max_idle_conns': maxIdleConns = nonNegative(o, oneArg(o), 'max_idle_conns'); break;
      case 'max_fails': maxFails = uint32(o, oneArg(o)); break;
      case 'max_connect_attempts': maxConnectAttempts = uint32(o, oneArg(o)); break;
      case 'health_check': {
        if (o.args.length === 0) throw argError(o);
        healthCheckMs = duration(o, o.args[0]!, 'health_check');
        healthCheckDomain = '.';
        for (let i = 1; i < o.args.length; i++) {
          const opt = o.args[i]!;
          if (opt === 'no_rec') {
            healthCheckRecursion = false;
          } else if (opt === 'domain') {
            const name = o.args[++i];
            if (name === undefined) throw argError(o);
            if (!isValidName(fqdn(name))) throw fail(o, `health_check: invalid domain name ${name}`);
            healthCheckDomain = lowerName(fqdn(name));
          } else {
            throw fail(o, `health_check: unknown option ${opt}`);
          }
        }
        break;
      }
      case 'policy': {
        const p = oneArg(o);
        if (p !== 'random' && p !== 'round_robin' && p !== 'sequential') throw fail(o, `unknown policy '${p}'`);
        policy = p;
        break;
      }
      case 'max_concurrent': maxConcurrent = nonNegative(o, oneArg(o), 'max_concurrent'); break;
      case 'next': next.push(...rcodes(o)); break;
      case 'next_on_nodata': noArgs(o); nextOnNodata = true; break;
      case 'failover': {
        const rcs = rcodes(o);
        if (rcs.includes(0)) throw fail(o, 'NoError cannot be used in failover');
        failover.push(...rcs);
        break;
      }
      case 'failfast_all_unhealthy_upstreams': noArgs(o); failfast = true; break;
      case 'read_timeout': {
        readTimeoutMs = duration(o, oneArg(o), 'read_timeout');
        if (readTimeoutMs === 0) throw fail(o, 'read_timeout must be greater than 0');
        break;
      }
      default: {
        const why = UNSUPPORTED[o.name];
        if (why !== undefined) throw fail(o, `${o.name} is not supported by podns (${why})`);
        throw fail(o, `unknown property '${o.name}'`);
      }
    }
  }
  return {
    from, to, except, forceTcp, preferUdp, expireMs, maxIdleConns, maxFails, maxConnectAttempts,
    healthCheckMs, healthCheckRecursion, healthCheckDomain, policy, maxConcurrent, next, nextOnNodata,
    failover, failfastAllUnhealthyUpstreams: failfast, readTimeoutMs,
  };
}
