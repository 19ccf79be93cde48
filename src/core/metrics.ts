/**
 * Process-wide Prometheus metrics, named as CoreDNS names them (`coredns_<plugin>_<name>`) so
 * existing dashboards keep working. Each plugin declares its metrics at module level in its own
 * `metrics.ts` through these helpers; the prometheus plugin serves `registry` on /metrics. The
 * metric types and the exposition are podns's own (core/prom.ts).
 *
 * The helpers are get-or-create: a reload sets plugins up again, and a metric keeps its series
 * (and its counts) across reloads, as CoreDNS's package-level collectors do.
 */
import { Counter, Gauge, Histogram, Registry } from './prom.ts';
import type { Collector, MetricOptions, MetricType } from './prom.ts';

export const registry = new Registry();

/** CoreDNS's request-duration buckets (plugin.TimeBuckets: 0.25 ms … ~8 s, exponential ×2). */
export const TIME_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
/** CoreDNS's size buckets (plugin.SizeBuckets). */
export const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

/** The metric registered under `name`, if it is of `type` (another type under the name is a bug). */
function existing(name: string, type: MetricType): Collector | undefined {
  const m = registry.getSingleMetric(name);
  if (m !== undefined && m.type !== type) throw new Error(`metric ${name} is already registered as a ${m.type}`);
  return m;
}

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = [], options: MetricOptions = {}): Counter<L> {
  const m = existing(name, 'counter');
  if (m !== undefined) return m as Counter<L>;
  const c = new Counter<L>(name, help, labelNames, options);
  registry.register(c);
  return c;
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], options: MetricOptions = {}): Gauge<L> {
  const m = existing(name, 'gauge');
  if (m !== undefined) return m as Gauge<L>;
  const g = new Gauge<L>(name, help, labelNames, options);
  registry.register(g);
  return g;
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets: readonly number[] = TIME_BUCKETS, options: MetricOptions = {}): Histogram<L> {
  const m = existing(name, 'histogram');
  if (m !== undefined) return m as Histogram<L>;
  const h = new Histogram<L>(name, help, labelNames, buckets, options);
  registry.register(h);
  return h;
}

/**
 * Unexpected exceptions out of a plugin chain (a bug, not a DnsError): CoreDNS counts its recovered
 * panics here. Declared in core because the server, not a plugin, counts them.
 */
export const panicsTotal = counter('coredns_panics_total', 'A metrics that counts the number of panics.');
