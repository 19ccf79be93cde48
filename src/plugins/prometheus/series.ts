/**
 * Counters and histograms for the per-query server metrics, cheap enough for the hot path: a
 * series is a plain object created once per distinct label set, and counting is `series.value++`
 * or a short bucket scan, with no label lookup per query. Both classes are Collectors (name,
 * help, type, get, reset), so they sit on the shared registry of core/metrics.ts and are exposed
 * by `registry.metrics()` like any other, and summed across `--workers` like any counter.
 */
import { registry } from '../../core/metrics.ts';
import { histogramSamples } from '../../core/prom.ts';
import type { Collector, MetricData, Sample } from '../../core/prom.ts';

type Labels = Readonly<Record<string, string>>;

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
export class FastCounter implements Collector {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter' as const;
  readonly aggregate = 'sum' as const;
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
    const values: Sample[] = [];
    for (const s of this.#series.values()) values.push({ labels: s.labels, value: s.value });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregate: this.aggregate, values });
  }

  /** Zeroes every series; the objects handed out stay valid. */
  reset(): void { for (const s of this.#series.values()) s.value = 0; }
}

/** A histogram with fixed buckets whose series are handed out once and then observed directly. */
export class FastHistogram implements Collector {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregate = 'sum' as const;
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

  /** The exposition of core/prom.ts's Histogram: cumulative _bucket{…,le}, _sum, _count. */
  get(): Promise<MetricData> {
    const values: Sample[] = [];
    for (const s of this.#series.values()) histogramSamples(this.name, this.bounds, s.labels, s.counts, s.sum, s.count, values);
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregate: this.aggregate, values });
  }

  reset(): void {
    for (const s of this.#series.values()) { s.counts.fill(0); s.sum = 0; s.count = 0; }
  }
}

/** Registers `metric` on the shared registry, or returns the one already there under its name (module reloads in tests). */
export function registerFast<T extends FastCounter | FastHistogram>(metric: T): T {
  const existing = registry.getSingleMetric(metric.name);
  if (existing !== undefined) return existing as T;
  registry.register(metric);
  return metric;
}
