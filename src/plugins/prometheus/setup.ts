/**
 * The prometheus stanza (CoreDNS plugin/metrics/setup.go): `prometheus [ADDRESS] { … }`, default
 * `localhost:9153`, path fixed to /metrics. Setup serves the shared registry there, feeds the
 * server metrics from the block's query events, and sets coredns_plugin_enabled for the block.
 */
import type { Directive } from '../../corefile/index.ts';
import { Args, configError } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { registry } from '../../core/metrics.ts';
import { addressError } from '../../transport/http.ts';
import { initProcessMetrics, pluginEnabled } from './metrics.ts';
import { recordQuery } from './observer.ts';
import { serverLabel } from '../../transport/listen.ts';

export interface PrometheusOptions {
  /** Where /metrics is served, as written (`:9153`, `localhost:9153`, `[::1]:9153`). */
  readonly address: string;
}

export const DEFAULT_ADDRESS = 'localhost:9153';
export const METRICS_PATH = '/metrics';

export function parsePrometheus(d: Directive): PrometheusOptions {
  const a = new Args(d);
  const address = a.optional() ?? DEFAULT_ADDRESS;
  a.end();
  const bad = addressError(address);
  if (bad !== null) throw new ConfigError(d.file, d.line, `plugin/prometheus: ${bad}`);
  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'runtime_metrics':
        // Go's runtime/metrics set; the Node.js runtime metrics are always exported.
        new Args(o, 'prometheus').end();
        break;
      case 'tls':
        throw configError(o, 'tls is not supported by podns yet', 'prometheus');
      default:
        throw configError(o, `unknown option: ${o.name}`, 'prometheus');
    }
  }
  return { address };
}

export { serverLabel };

export function setupPrometheus(options: PrometheusOptions, ctx: SetupContext): null {
  initProcessMetrics();
  ctx.http(options.address, METRICS_PATH, async () => ({
    status: 200, body: await registry.metrics(), contentType: registry.contentType,
  }));
  ctx.observe(recordQuery);
  // Queries refused before any block: zone "dropped", once per query however many blocks register.
  ctx.observeDropped(recordQuery);

  // coredns_plugin_enabled: 1 for every plugin of the block that handles queries (CoreDNS sets it
  // for each handler of the block's chain), per listener and zone.
  let enabled: Array<Record<'server' | 'zone' | 'view' | 'name', string>> = [];
  ctx.onListening(() => {
    const bound = ctx.bindAddresses.length > 0;
    const servers = new Set(ctx.listenAddresses().map((l) => serverLabel(bound, l.host, l.port)));
    const names = ctx.plugins();
    enabled = [...servers].flatMap((server) => ctx.zones.flatMap((zone) => names.map((name) => ({ server, zone, view: '', name }))));
    for (const labels of enabled) pluginEnabled.set(labels, 1);
  });
  ctx.onShutdown(() => {
    for (const labels of enabled) pluginEnabled.remove(labels);
    enabled = [];
  });
  return null;
}

export const prometheusPlugin: PluginDefinition<PrometheusOptions> = {
  name: 'prometheus',
  once: true,
  parse: parsePrometheus,
  setup: setupPrometheus,
};
