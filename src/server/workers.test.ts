// The primary's merge of the workers' metrics (`--workers`): series by series, as each family
// declares; the processes themselves are tested end to end in test/integration/workers.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, formatMetrics } from '../core/prom.ts';
import type { MetricData } from '../core/prom.ts';
import { merge } from './workers.ts';

/** One worker's registry, as it would send it. */
async function worker(requests: Record<string, number>, durations: number[], entries: number, start: number): Promise<MetricData[]> {
  const c = new Counter('req_total', 'requests', ['type']);
  for (const [type, n] of Object.entries(requests)) c.inc({ type }, n);
  const h = new Histogram('dur_seconds', 'duration', [], [0.1, 1]);
  for (const d of durations) h.observe(d);
  const info = new Gauge('build_info', 'build', ['version']);
  info.set({ version: '1.0' }, 1);
  const cache = new Gauge('cache_entries', 'entries', [], { aggregate: 'sum' });
  cache.set(entries);
  const started = new Gauge('start_seconds', 'start', [], { aggregate: 'min' });
  started.set(start);
  return Promise.all([c.get(), h.get(), info.get(), cache.get(), started.get()]);
}

test('merge: counters and histograms summed, gauges by their aggregate, series in first-seen order', async () => {
  const merged = merge([
    await worker({ A: 3, AAAA: 1 }, [0.05, 2], 10, 1000),
    await worker({ SRV: 2, A: 4 }, [0.5], 5, 900),
  ]);
  assert.equal(formatMetrics(merged), [
    '# HELP req_total requests', '# TYPE req_total counter',
    'req_total{type="A"} 7', 'req_total{type="AAAA"} 1', 'req_total{type="SRV"} 2', '',
    '# HELP dur_seconds duration', '# TYPE dur_seconds histogram',
    'dur_seconds_bucket{le="0.1"} 1', 'dur_seconds_bucket{le="1"} 2', 'dur_seconds_bucket{le="+Inf"} 3',
    'dur_seconds_sum 2.55', 'dur_seconds_count 3', '',
    '# HELP build_info build', '# TYPE build_info gauge', 'build_info{version="1.0"} 1', '',
    '# HELP cache_entries entries', '# TYPE cache_entries gauge', 'cache_entries 15', '',
    '# HELP start_seconds start', '# TYPE start_seconds gauge', 'start_seconds 900',
    '',
  ].join('\n'));
});

test('merge: families only some sources have are kept; one source is itself; none is nothing', async () => {
  const one = await worker({ A: 1 }, [], 1, 1);
  const extra: MetricData = { name: 'only_total', help: 'x', type: 'counter', aggregate: 'sum', values: [{ labels: { worker: '1' }, value: 2 }] };
  const merged = merge([one, [], [extra]]);
  assert.deepEqual(merged.map((f) => f.name), ['req_total', 'dur_seconds', 'build_info', 'cache_entries', 'start_seconds', 'only_total']);
  assert.equal(formatMetrics(merge([one])), formatMetrics(one));
  assert.deepEqual(merge([]), []);
});
