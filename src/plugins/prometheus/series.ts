/**
 * Counters and histograms for the per-query server metrics, cheap enough for the hot path: a
 * series is a plain object created once per distinct label set, and counting is `series.value++`
 * or a short bucket scan (prom-client's own children hash their labels on every call, ~0.4 µs).
 * Both classes present prom-client's metric interface (name, help, type, get, reset), so they sit
 * on the shared registry of core/metrics.ts and are exposed by `registry.metrics()` like any other.
 */
import type { Metric } from 'prom-client';
import { registry } from '../../core/metrics.ts';

type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

/** One label set of a counter. */
export class CounterSeries {
  readonly labels: Labels;
  value = 0;
  constructor(labels: Labels) { this.labels = labels; }
}

/** One label set of a histogram: per-bucket (not cumulative) counts, the last one is +Inf. */
export class HistogramSeries {
  readonly labels: Labels;
  readonly #bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(labels: Labels, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    const b = this.#bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

function key(values: readonly string[]): string { return values.join('\u0000'); }

function labelsOf(names: readonly string[], values: readonly string[]): Labels {
  const out: Record<string, string> = {};
  names.forEach((n, i) => { out[n] = values[i] ?? ''; });
  return Object.freeze(out);
}

/** A counter whose series are handed out once and then incremented directly. */
export class FastCounter {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter' as const;
  readonly aggregator = 'sum' as const;
  readonly labelNames: readonly string[];
  readonly #series = new Map<string, CounterSeries>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** The series for these label values (in labelNames order), created at zero the first time. */
  series(...values: string[]): CounterSeries {
    const k = key(values);
    let s = this.#series.get(k);
    if (s === undefined) this.#series.set(k, (s = new CounterSeries(labelsOf(this.labelNames, values))));
    return s;
  }

  get(): Promise<MetricData> {
    const values: MetricValue[] = [];
    for (const s of this.#series.values()) values.push({ labels: s.labels, value: s.value });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** Zeroes every series; the objects handed out stay valid. */
  reset(): void { for (const s of this.#series.values()) s.value = 0; }
}

/** A histogram with fixed buckets whose series are handed out once and then observed directly. */
export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly labelNames: readonly string[];
  readonly bounds: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.bounds = bounds;
  }

  series(...values: string[]): HistogramSeries {
    const k = key(values);
    let s = this.#series.get(k);
    if (s === undefined) this.#series.set(k, (s = new HistogramSeries(labelsOf(this.labelNames, values), this.bounds)));
    return s;
  }

  /** The exposition prom-client's own Histogram produces: cumulative _bucket{le}, _sum, _count. */
  get(): Promise<MetricData> {
    const values: MetricValue[] = [];
    for (const s of this.#series.values()) {
      let acc = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        acc += s.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
        values.push({ labels: { ...s.labels, le }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  reset(): void {
    for (const s of this.#series.values()) { s.counts.fill(0); s.sum = 0; s.count = 0; }
  }
}

/** Registers `metric` on the shared registry, or returns the one already there under its name (module reloads in tests). */
export function registerFast<T extends FastCounter | FastHistogram>(metric: T): T {
  const existing = registry.getSingleMetric(metric.name);
  if (existing !== undefined) return existing as unknown as T;
  registry.registerMetric(metric as unknown as Metric);
  return metric;
}
