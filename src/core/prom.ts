/**
 * A small Prometheus client, in place of prom-client (whose import alone cost ~20 MB of RSS):
 * counters, gauges and histograms with label names, a registry, and the text exposition format
 * 0.0.4. Only what podns uses; the exposition is the one prom-client produced, byte for byte,
 * except that NaN is spelled `NaN` (prom-client wrote `Nan`), labels always come in their
 * declared order (prom-client kept the key order of the first call's object), and a histogram's
 * `le` label comes after the others, as in Go's client and CoreDNS.
 *
 *   # HELP name help, with \ and newline escaped
 *   # TYPE name counter|gauge|histogram
 *   name{label="value",…} 42          labels in declared order; \ " and newline escaped
 *   name_bucket{…,le="0.25"} 3        histograms: cumulative buckets, then le="+Inf", _sum, _count
 *
 * Families are written in registration order, series in creation order, separated by a blank line.
 * A metric without labels has its one series from the start (at 0); a labelled one has a series
 * per label set seen. Every metric also says how its series combine across processes when
 * `podns serve --workers N` merges the workers' metrics (`aggregate`: summed, or the largest or
 * smallest value): counters and histograms are summed; gauges say which fits them.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';
/** How the same series from several processes combine into one (`--workers`). */
export type Aggregate = 'sum' | 'max' | 'min';
export type LabelValue = string | number;
export type LabelSet<L extends string = string> = Readonly<Partial<Record<L, LabelValue>>>;

/** One line of the exposition. */
export interface Sample {
  /** The line's name when it is not the metric's: a histogram's `_bucket`, `_sum`, `_count`. */
  readonly metricName?: string;
  readonly labels: Readonly<Record<string, LabelValue>>;
  readonly value: number;
}

/** A metric family as collected: what the exposition is written from (and what workers send). */
export interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregate: Aggregate;
  readonly values: readonly Sample[];
}

/** Anything a Registry exposes: the metrics here, prometheus/series.ts's fast series, computed values. */
export interface Collector {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  get(): Promise<MetricData>;
  /** Zeroes (or, for labelled metrics, forgets) every series. */
  reset(): void;
}

export interface MetricOptions {
  /** Called before each read (a scrape): e.g. the cache plugin moves its tallies into its counters. */
  readonly collect?: () => void | Promise<void>;
  /** How the series combine across workers; default: sum for counters and histograms, max for gauges. */
  readonly aggregate?: Aggregate;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Shared by the three kinds: name checks, label sets to series keys, the collect hook. */
abstract class Metric<L extends string, S> implements Collector {
  readonly name: string;
  readonly help: string;
  abstract readonly type: MetricType;
  readonly labelNames: readonly L[];
  readonly aggregate: Aggregate;
  readonly #collect: (() => void | Promise<void>) | undefined;
  /** Label values joined with NUL → series, in creation order. */
  protected readonly series = new Map<string, { readonly labels: Readonly<Record<string, LabelValue>>; readonly s: S }>();
  /** Bumped by remove() and reset(), so that children look their series up again. */
  #generation = 0;

  constructor(name: string, help: string, labelNames: readonly L[], aggregate: Aggregate, options: MetricOptions) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`${name}: invalid label name ${JSON.stringify(l)}`);
    this.name = name;
    this.help = help;
    this.labelNames = [...labelNames];
    this.aggregate = options.aggregate ?? aggregate;
    this.#collect = options.collect;
  }

  protected abstract create(): S;
  protected abstract samples(labels: Readonly<Record<string, LabelValue>>, s: S, out: Sample[]): void;

  /** The series of a label set (an object, or the values in labelNames order), created the first time. */
  protected at(labels: LabelSet<L> | readonly LabelValue[]): S {
    const values = Array.isArray(labels) ? labels as readonly LabelValue[] : this.#values(labels as LabelSet<L>);
    const key = values.join('\u0000');
    let e = this.series.get(key);
    if (e === undefined) {
      const out: Record<string, LabelValue> = {};
      this.labelNames.forEach((n, i) => { out[n] = values[i] ?? ''; });
      this.series.set(key, (e = { labels: Object.freeze(out), s: this.create() }));
    }
    return e.s;
  }

  #values(labels: LabelSet<L>): LabelValue[] {
    for (const k in labels) {
      if (!(this.labelNames as readonly string[]).includes(k)) throw new Error(`${this.name}: label ${JSON.stringify(k)} is not one of ${this.labelNames.join(', ') || '(none)'}`);
    }
    return this.labelNames.map((n) => labels[n] ?? '');
  }

  /** The label set given as `labels(...)` takes it: one object, or every value in order. */
  protected labelArgs(args: ReadonlyArray<LabelSet<L> | LabelValue>): LabelSet<L> | readonly LabelValue[] {
    if (args.length === 1 && typeof args[0] === 'object') return args[0];
    if (args.length !== this.labelNames.length) throw new Error(`${this.name}: ${args.length} label values for ${this.labelNames.length} labels`);
    return args as readonly LabelValue[];
  }

  /**
   * The series of `labels(...)`, found once: created at its first use (so it is exposed only once
   * counted, as a direct inc() would), and found again after a reset() or remove().
   */
  protected child(args: ReadonlyArray<LabelSet<L> | LabelValue>): () => S {
    const a = this.labelArgs(args);
    const values = Array.isArray(a) ? a as readonly LabelValue[] : this.#values(a as LabelSet<L>);
    let s: S | null = null;
    let generation = -1;
    return () => {
      if (generation !== this.#generation) { s = this.at(values); generation = this.#generation; }
      return s!;
    };
  }

  /** Forgets one series. */
  remove(...args: Array<LabelSet<L> | LabelValue>): void {
    const a = this.labelArgs(args);
    const values = Array.isArray(a) ? a as readonly LabelValue[] : this.#values(a as LabelSet<L>);
    this.series.delete(values.join('\u0000'));
    this.#generation++;
  }

  reset(): void {
    this.series.clear();
    this.#generation++;
    if (this.labelNames.length === 0) this.at([]);
  }

  async get(): Promise<MetricData> {
    if (this.#collect !== undefined) await this.#collect();
    const values: Sample[] = [];
    for (const e of this.series.values()) this.samples(e.labels, e.s, values);
    return { name: this.name, help: this.help, type: this.type, aggregate: this.aggregate, values };
  }
}

interface Value { v: number }

export interface CounterChild { inc(value?: number): void }

export class Counter<L extends string = string> extends Metric<L, Value> {
  readonly type = 'counter';

  constructor(name: string, help: string, labelNames: readonly L[] = [], options: MetricOptions = {}) {
    super(name, help, labelNames, 'sum', options);
    this.reset();
  }

  protected create(): Value { return { v: 0 }; }
  protected samples(labels: Readonly<Record<string, LabelValue>>, s: Value, out: Sample[]): void { out.push({ labels, value: s.v }); }

  /** `inc()`, `inc(5)`, `inc({ server: 'dns://:53' })`, `inc({ server: 'dns://:53' }, 5)`; 0 creates the series. */
  inc(value?: number): void;
  inc(labels: LabelSet<L>, value?: number): void;
  inc(labels?: LabelSet<L> | number, value?: number): void {
    if (typeof labels === 'number' || labels === undefined) counterAdd(this.at([]), labels ?? 1, this.name);
    else counterAdd(this.at(labels), value ?? 1, this.name);
  }

  /** The series of one label set, to count without looking it up again. */
  labels(...args: Array<LabelSet<L> | LabelValue>): CounterChild {
    const s = this.child(args);
    return { inc: (value = 1) => counterAdd(s(), value, this.name) };
  }
}

function counterAdd(s: Value, value: number, name: string): void {
  if (!(value >= 0) || value === Infinity) throw new Error(`${name}: a counter only goes up by a finite amount (${value})`);
  s.v += value;
}

export interface GaugeChild { set(value: number): void; inc(value?: number): void; dec(value?: number): void }

export class Gauge<L extends string = string> extends Metric<L, Value> {
  readonly type = 'gauge';

  constructor(name: string, help: string, labelNames: readonly L[] = [], options: MetricOptions = {}) {
    super(name, help, labelNames, 'max', options);
    this.reset();
  }

  protected create(): Value { return { v: 0 }; }
  protected samples(labels: Readonly<Record<string, LabelValue>>, s: Value, out: Sample[]): void { out.push({ labels, value: s.v }); }

  /** `set(3)` or `set({ resource: 'pods' }, 3)`. */
  set(value: number): void;
  set(labels: LabelSet<L>, value: number): void;
  set(labels: LabelSet<L> | number, value?: number): void {
    if (typeof labels === 'number') this.at([]).v = labels;
    else this.at(labels).v = value!;
  }

  inc(value?: number): void;
  inc(labels: LabelSet<L>, value?: number): void;
  inc(labels?: LabelSet<L> | number, value?: number): void {
    if (typeof labels === 'number' || labels === undefined) this.at([]).v += labels ?? 1;
    else this.at(labels).v += value ?? 1;
  }

  dec(value?: number): void;
  dec(labels: LabelSet<L>, value?: number): void;
  dec(labels?: LabelSet<L> | number, value?: number): void {
    if (typeof labels === 'number' || labels === undefined) this.at([]).v -= labels ?? 1;
    else this.at(labels).v -= value ?? 1;
  }

  labels(...args: Array<LabelSet<L> | LabelValue>): GaugeChild {
    const s = this.child(args);
    return { set: (v) => { s().v = v; }, inc: (v = 1) => { s().v += v; }, dec: (v = 1) => { s().v -= v; } };
  }
}

/** One histogram series: per-bucket (not cumulative) counts, the last one for +Inf. */
interface Buckets { readonly counts: Float64Array; sum: number; count: number }

export interface HistogramChild { observe(value: number): void }

export class Histogram<L extends string = string> extends Metric<L, Buckets> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[], options: MetricOptions = {}) {
    super(name, help, labelNames, 'sum', options);
    if ((labelNames as readonly string[]).includes('le')) throw new Error(`${name}: le is reserved for histogram buckets`);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.some((b, i) => i > 0 && b === sorted[i - 1])) throw new Error(`${name}: duplicate bucket bounds`);
    this.buckets = Object.freeze(sorted.filter((b) => b !== Infinity));
    this.reset();
  }

  protected create(): Buckets { return { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }; }

  protected samples(labels: Readonly<Record<string, LabelValue>>, s: Buckets, out: Sample[]): void {
    histogramSamples(this.name, this.buckets, labels, s.counts, s.sum, s.count, out);
  }

  /** `observe(0.002)` or `observe({ rcode: 'NOERROR' }, 0.002)`: the value must be finite. */
  observe(value: number): void;
  observe(labels: LabelSet<L>, value: number): void;
  observe(labels: LabelSet<L> | number, value?: number): void {
    if (typeof labels === 'number') observeInto(this.at([]), this.buckets, labels, this.name);
    else observeInto(this.at(labels), this.buckets, value!, this.name);
  }

  labels(...args: Array<LabelSet<L> | LabelValue>): HistogramChild {
    const s = this.child(args);
    return { observe: (v) => observeInto(s(), this.buckets, v, this.name) };
  }
}

function observeInto(s: Buckets, bounds: readonly number[], v: number, name: string): void {
  if (!Number.isFinite(v)) throw new TypeError(`${name}: cannot observe ${v}`);
  let i = 0;
  while (i < bounds.length && v > bounds[i]!) i++;
  s.counts[i]!++;
  s.sum += v;
  s.count++;
}

/**
 * A histogram series as exposed: cumulative `_bucket` lines (the series' labels, then `le`),
 * `le="+Inf"` equal to the count, then `_sum` and `_count`. `counts` are per bucket, +Inf last.
 */
export function histogramSamples(
  name: string, bounds: readonly number[], labels: Readonly<Record<string, LabelValue>>,
  counts: ArrayLike<number>, sum: number, count: number, out: Sample[],
): void {
  const bucket = `${name}_bucket`;
  let acc = 0;
  for (let i = 0; i < bounds.length; i++) {
    acc += counts[i]!;
    out.push({ metricName: bucket, labels: { ...labels, le: bounds[i]! }, value: acc });
  }
  out.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
}

/**
 * A value read when scraped, without labels (Go's GaugeFunc/CounterFunc): the process metrics.
 * `read` returning undefined leaves the family without a sample (e.g. /proc unreadable).
 */
export class Computed implements Collector {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregate: Aggregate;
  readonly #read: () => number | undefined | Promise<number | undefined>;

  constructor(name: string, help: string, type: 'counter' | 'gauge', aggregate: Aggregate, read: () => number | undefined | Promise<number | undefined>) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    this.name = name;
    this.help = help;
    this.type = type;
    this.aggregate = aggregate;
    this.#read = read;
  }

  async get(): Promise<MetricData> {
    let v: number | undefined;
    try { v = await this.#read(); } catch { v = undefined; }
    return { name: this.name, help: this.help, type: this.type, aggregate: this.aggregate, values: v === undefined ? [] : [{ labels: {}, value: v }] };
  }

  reset(): void {}
}

/** The exposition's content type (Prometheus text format 0.0.4). */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Metrics by name, exposed in registration order. */
export class Registry {
  readonly contentType = CONTENT_TYPE;
  readonly #metrics = new Map<string, Collector>();

  /** Adds a collector; another one under the same name is an error (get-or-create is core/metrics.ts's). */
  register(metric: Collector): void {
    const existing = this.#metrics.get(metric.name);
    if (existing !== undefined && existing !== metric) throw new Error(`a metric named ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric);
  }

  getSingleMetric(name: string): Collector | undefined {
    return this.#metrics.get(name);
  }

  /** Every family's current values (running the collect hooks), in registration order. */
  async collect(): Promise<MetricData[]> {
    const out: MetricData[] = [];
    for (const m of this.#metrics.values()) out.push(await m.get());
    return out;
  }

  /** The text exposition. */
  async metrics(): Promise<string> {
    return formatMetrics(await this.collect());
  }

  resetMetrics(): void {
    for (const m of this.#metrics.values()) m.reset();
  }
}

/** The text exposition of these families: HELP, TYPE and sample lines, families separated by a blank line. */
export function formatMetrics(families: readonly MetricData[]): string {
  return `${families.map(formatFamily).join('\n\n')}\n`;
}

function formatFamily(m: MetricData): string {
  const lines = [`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`];
  for (const v of m.values) lines.push(`${v.metricName ?? m.name}${formatLabels(v.labels)} ${formatValue(v.value)}`);
  return lines.join('\n');
}

function formatLabels(labels: Readonly<Record<string, LabelValue>>): string {
  let out = '';
  for (const k in labels) out += `${out === '' ? '' : ','}${k}="${escapeLabelValue(labels[k]!)}"`;
  return out === '' ? '' : `{${out}}`;
}

/** A sample value as Prometheus reads it: JavaScript's shortest round-trip form, `+Inf`, `-Inf`, `NaN`. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return `${v}`;
}

export function escapeLabelValue(v: LabelValue): string {
  return typeof v === 'string' ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : formatValue(v);
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
