/**
 * forward: proxies queries to upstream resolvers over plain DNS (CoreDNS plugin/forward).
 * Several forward directives in one block are chained in Corefile order; `next` hands a reply's
 * query on to the following one. Sockets open on the first query and close at shutdown.
 */
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';
import { Forward } from './forward.ts';
import type { ForwardDeps } from './forward.ts';
import { Proxy } from './proxy.ts';
import type { ForwardOptions } from './setup.ts';
import { parseForward } from './setup.ts';

/** CoreDNS's health-check timeout; shorter when the exchange timeout (read_timeout) is. */
const HEALTH_CHECK_TIMEOUT_MS = 1_000;

export function setupForward(o: ForwardOptions, ctx: SetupContext, deps: ForwardDeps = {}): PluginFactory {
  const proxies = o.to.map((up) => new Proxy(up, {
    expireMs: o.expireMs,
    maxIdleConns: o.maxIdleConns,
    healthCheckMs: o.healthCheckMs,
    // CoreDNS checks over UDP, or TCP with force_tcp, whatever the client used.
    healthCheckProto: o.forceTcp ? 'tcp' : 'udp',
    healthCheckRecursion: o.healthCheckRecursion,
    healthCheckDomain: o.healthCheckDomain,
    healthCheckTimeoutMs: Math.min(HEALTH_CHECK_TIMEOUT_MS, o.readTimeoutMs),
  }));
  ctx.onShutdown(() => { for (const p of proxies) p.stop(); });
  return (next) => new Forward(next, o, proxies, deps);
}

export const forwardPlugin: PluginDefinition<ForwardOptions> = {
  name: 'forward',
  parse: (d) => parseForward(d),
  setup: (o, ctx) => setupForward(o, ctx),
};

export type { ForwardOptions } from './setup.ts';
