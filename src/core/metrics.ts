/**
 * Process-wide Prometheus metrics, named as CoreDNS names them (`coredns_<plugin>_<name>`) so
 * existing dashboards keep working. Each plugin declares its metrics at module level in its own
 * `metrics.ts` through these helpers; the prometheus plugin serves `registry` on /metrics.
 *
 * The helpers are get-or-create: a reload sets plugins up again, and a metric keeps its series
 * (and its counts) across reloads, as CoreDNS's package-level collectors do.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

/** CoreDNS's request-duration buckets (plugin.TimeBuckets: 0.25 ms … ~8 s, exponential ×2). */
export const TIME_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
/** CoreDNS's size buckets (plugin.SizeBuckets). */
export const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets: readonly number[] = TIME_BUCKETS): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers: [registry] });
}

/**
 * Unexpected exceptions out of a plugin chain (a bug, not a DnsError): CoreDNS counts its recovered
 * panics here. Declared in core because the server, not a plugin, counts them.
 */
export const panicsTotal = counter('coredns_panics_total', 'A metrics that counts the number of panics.');
