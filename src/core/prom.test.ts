// core/prom.ts: the text exposition (escaping, number spelling, label order, histogram
// cumulation), reset and remove, collect hooks, and core/metrics.ts's get-or-create; plus the
// process metrics of core/process-metrics.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { counter, gauge, histogram, registry as shared } from './metrics.ts';
import { Computed, Counter, Gauge, Histogram, Registry, formatMetrics, formatValue } from './prom.ts';
import { registerProcessMetrics } from './process-metrics.ts';

function registryOf(...metrics: Array<Counter | Gauge | Histogram | Computed>): Registry {
  const r = new Registry();
  for (const m of metrics) r.register(m);
  return r;
}

describe('prom: exposition', () => {
  test('HELP and TYPE lines, families in registration order separated by a blank line, a final newline', async () => {
    const c = new Counter('a_total', 'Counts a.');
    const g = new Gauge('b', 'Gauges b.');
    c.inc();
    g.set(-2.5);
    assert.equal(await registryOf(c, g).metrics(), '# HELP a_total Counts a.\n# TYPE a_total counter\na_total 1\n\n# HELP b Gauges b.\n# TYPE b gauge\nb -2.5\n');
  });

  test('escaping: HELP escapes backslash and newline; label values also the double quote', async () => {
    const c = new Counter('e_total', 'back\\slash\nnew "quoted"', ['v']);
    c.inc({ v: 'a\\b"c\nd' });
    assert.equal(await registryOf(c).metrics(),
      '# HELP e_total back\\\\slash\\nnew "quoted"\n# TYPE e_total counter\ne_total{v="a\\\\b\\"c\\nd"} 1\n');
  });

  test('numbers: integers plainly, floats as JavaScript prints them, +Inf, -Inf, NaN', async () => {
    assert.deepEqual([0, 42, -3, 0.1 + 0.2, 1e21, 1e-7, 2 ** 53, Infinity, -Infinity, NaN].map(formatValue),
      ['0', '42', '-3', '0.30000000000000004', '1e+21', '1e-7', '9007199254740992', '+Inf', '-Inf', 'NaN']);
    const g = new Gauge('n', 'n', ['k']);
    g.set({ k: 'nan' }, NaN);
    g.set({ k: 'inf' }, Infinity);
    assert.match(await registryOf(g).metrics(), /^n\{k="nan"\} NaN\nn\{k="inf"\} \+Inf$/m);
  });

  test('labels in declared order whatever the order written; series in creation order; a label set not seen is not exposed', async () => {
    const c = new Counter('o_total', 'o', ['server', 'zone', 'type']);
    c.inc({ type: 'A', zone: 'z.', server: 's1' });
    c.inc({ server: 's0', type: 'AAAA', zone: 'z.' }, 2);
    c.inc({ zone: 'z.', server: 's1', type: 'A' });
    assert.equal(await registryOf(c).metrics(),
      '# HELP o_total o\n# TYPE o_total counter\no_total{server="s1",zone="z.",type="A"} 2\no_total{server="s0",zone="z.",type="AAAA"} 2\n');
    const empty = new Counter('never_total', 'never', ['x']);
    assert.equal(await registryOf(empty).metrics(), '# HELP never_total never\n# TYPE never_total counter\n');
  });

  test('histogram: cumulative _bucket lines with le last, le="+Inf" equal to _count, then _sum and _count', async () => {
    const h = new Histogram('h_seconds', 'h', ['rcode'], [0.1, 1, 10]);
    for (const v of [0.05, 0.1, 0.5, 1, 20]) h.observe({ rcode: 'NOERROR' }, v);
    h.labels('SERVFAIL').observe(3);
    assert.equal(await registryOf(h).metrics(), [
      '# HELP h_seconds h',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{rcode="NOERROR",le="0.1"} 2',
      'h_seconds_bucket{rcode="NOERROR",le="1"} 4',
      'h_seconds_bucket{rcode="NOERROR",le="10"} 4',
      'h_seconds_bucket{rcode="NOERROR",le="+Inf"} 5',
      'h_seconds_sum{rcode="NOERROR"} 21.65',
      'h_seconds_count{rcode="NOERROR"} 5',
      'h_seconds_bucket{rcode="SERVFAIL",le="0.1"} 0',
      'h_seconds_bucket{rcode="SERVFAIL",le="1"} 0',
      'h_seconds_bucket{rcode="SERVFAIL",le="10"} 1',
      'h_seconds_bucket{rcode="SERVFAIL",le="+Inf"} 1',
      'h_seconds_sum{rcode="SERVFAIL"} 3',
      'h_seconds_count{rcode="SERVFAIL"} 1',
      '',
    ].join('\n'));
  });

  test('a metric without labels is exposed at 0 from the start', async () => {
    const r = registryOf(new Counter('z_total', 'z'), new Gauge('zg', 'zg'), new Histogram('zh', 'zh', [], [1]));
    assert.equal(await r.metrics(), [
      '# HELP z_total z', '# TYPE z_total counter', 'z_total 0', '',
      '# HELP zg zg', '# TYPE zg gauge', 'zg 0', '',
      '# HELP zh zh', '# TYPE zh histogram', 'zh_bucket{le="1"} 0', 'zh_bucket{le="+Inf"} 0', 'zh_sum 0', 'zh_count 0', '',
    ].join('\n'));
  });

  test('get(): the values as data, histogram samples named by metricName', async () => {
    const h = new Histogram('d_seconds', 'd', [], [1]);
    h.observe(0.5);
    const data = await h.get();
    assert.equal(data.type, 'histogram');
    assert.equal(data.aggregate, 'sum');
    assert.deepEqual(data.values.map((v) => [v.metricName, v.labels, v.value]), [
      ['d_seconds_bucket', { le: 1 }, 1], ['d_seconds_bucket', { le: '+Inf' }, 1], ['d_seconds_sum', {}, 0.5], ['d_seconds_count', {}, 1],
    ]);
    assert.equal(formatMetrics([]), '\n');
  });

  test('Computed: read at every scrape; undefined (or a throw) leaves only HELP and TYPE', async () => {
    let n = 0;
    const r = registryOf(
      new Computed('reads_total', 'reads', 'counter', 'sum', () => ++n),
      new Computed('absent', 'absent', 'gauge', 'max', () => undefined),
      new Computed('broken', 'broken', 'gauge', 'max', () => { throw new Error('no /proc'); }),
    );
    await r.metrics();
    assert.equal(await r.metrics(), '# HELP reads_total reads\n# TYPE reads_total counter\nreads_total 2\n\n# HELP absent absent\n# TYPE absent gauge\n\n# HELP broken broken\n# TYPE broken gauge\n');
  });
});

describe('prom: counting', () => {
  test('counter: inc forms, children, and what is refused', async () => {
    const c = new Counter('c_total', 'c', ['k']);
    c.inc({ k: 'a' });
    c.inc({ k: 'a' }, 2.5);
    c.inc({ k: 'b' }, 0);
    const child = c.labels('a');
    child.inc();
    c.labels({ k: 'c' }).inc(4);
    assert.deepEqual((await c.get()).values.map((v) => [v.labels['k'], v.value]), [['a', 4.5], ['b', 0], ['c', 4]]);
    assert.throws(() => c.inc({ k: 'a' }, -1), /only goes up/);
    assert.throws(() => c.inc({ k: 'a' }, NaN), /only goes up/);
    assert.throws(() => c.inc({ nope: 'x' } as never), /label "nope" is not one of k/);
    assert.throws(() => c.labels('a', 'b'), /2 label values for 1 labels/);
    const plain = new Counter('p_total', 'p');
    plain.inc();
    plain.inc(2);
    assert.equal((await plain.get()).values[0]!.value, 3);
  });

  test('gauge: set, inc, dec, children', async () => {
    const g = new Gauge('g', 'g', ['k']);
    g.set({ k: 'a' }, 5);
    g.inc({ k: 'a' });
    g.dec({ k: 'a' }, 3);
    const child = g.labels('b');
    child.set(7);
    child.dec();
    assert.deepEqual((await g.get()).values.map((v) => [v.labels['k'], v.value]), [['a', 3], ['b', 6]]);
  });

  test('histogram: a value on a bound counts in that bucket; non-finite values are refused', async () => {
    const h = new Histogram('hb', 'hb', [], [1, 2]);
    h.observe(1);
    h.observe(2);
    h.observe(2.0001);
    assert.deepEqual((await h.get()).values.map((v) => v.value), [1, 2, 3, 5.0001, 3]);
    assert.throws(() => h.observe(Infinity), /cannot observe/);
    assert.throws(() => new Histogram('bad', 'bad', ['le'], [1]), /le is reserved/);
  });

  test('reset: labelled series are forgotten, unlabelled ones go back to 0; children count again afterwards', async () => {
    const c = new Counter('r_total', 'r', ['k']);
    const child = c.labels('x');
    child.inc(5);
    c.reset();
    assert.deepEqual((await c.get()).values, []);
    child.inc();
    assert.deepEqual((await c.get()).values.map((v) => [v.labels['k'], v.value]), [['x', 1]]);
    const plain = new Gauge('rg', 'rg');
    plain.set(9);
    plain.reset();
    assert.deepEqual((await plain.get()).values.map((v) => v.value), [0]);
    const h = new Histogram('rh', 'rh', [], [1]);
    h.observe(0.5);
    h.reset();
    assert.deepEqual((await h.get()).values.map((v) => v.value), [0, 0, 0, 0]);
  });

  test('remove forgets one label set; a child of it starts again from 0', async () => {
    const g = new Gauge('rm', 'rm', ['server', 'name']);
    g.set({ server: 's', name: 'a' }, 1);
    g.set({ server: 's', name: 'b' }, 1);
    const child = g.labels('s', 'a');
    g.remove({ server: 's', name: 'a' });
    assert.deepEqual((await g.get()).values.map((v) => v.labels['name']), ['b']);
    child.inc();
    assert.deepEqual((await g.get()).values.map((v) => [v.labels['name'], v.value]), [['b', 1], ['a', 1]]);
  });

  test('a child creates its series at first use, not when made', async () => {
    const c = new Counter('lazy_total', 'lazy', ['k']);
    const child = c.labels('x');
    assert.deepEqual((await c.get()).values, []);
    child.inc(0);
    assert.equal((await c.get()).values.length, 1);
  });

  test('collect hooks run before every read', async () => {
    let pending = 0;
    const c: Counter<'k'> = new Counter('hooked_total', 'h', ['k'], { collect: () => { if (pending > 0) c.inc({ k: 'x' }, pending); pending = 0; } });
    pending = 3;
    assert.match(await registryOf(c).metrics(), /^hooked_total\{k="x"\} 3$/m);
    pending = 2;
    assert.equal((await c.get()).values[0]!.value, 5);
  });

  test('names are checked; one name is one metric in a registry', () => {
    assert.throws(() => new Counter('bad-name', 'x'), /invalid metric name/);
    assert.throws(() => new Gauge('ok', 'x', ['bad-label']), /invalid label name/);
    const r = new Registry();
    const c = new Counter('dup_total', 'x');
    r.register(c);
    r.register(c);
    assert.throws(() => r.register(new Counter('dup_total', 'x')), /already registered/);
  });

  test('aggregate across workers: sum for counters and histograms, max for gauges unless declared', async () => {
    assert.equal((await new Counter('s_total', 's').get()).aggregate, 'sum');
    assert.equal((await new Histogram('s_h', 's', [], [1]).get()).aggregate, 'sum');
    assert.equal((await new Gauge('s_g', 's').get()).aggregate, 'max');
    assert.equal((await new Gauge('s_g2', 's', [], { aggregate: 'sum' }).get()).aggregate, 'sum');
  });
});

describe('core/metrics: get-or-create on the shared registry', () => {
  test('declaring again (a reload, a module loaded twice) returns the same metric with its counts', async () => {
    const a = counter('prom_test_reload_total', 'first', ['k']);
    a.inc({ k: 'x' }, 2);
    const b = counter('prom_test_reload_total', 'second declaration', ['k']);
    assert.equal(b, a);
    b.inc({ k: 'x' });
    assert.match(await shared.metrics(), /^# HELP prom_test_reload_total first\n# TYPE prom_test_reload_total counter\nprom_test_reload_total\{k="x"\} 3$/m);
    assert.equal(gauge('prom_test_reload_g', 'g'), gauge('prom_test_reload_g', 'g'));
    assert.equal(histogram('prom_test_reload_h', 'h', [], [1]), histogram('prom_test_reload_h', 'h', [], [1]));
  });

  test('the same name as another type is a bug, reported at declaration', () => {
    counter('prom_test_kind', 'a counter');
    assert.throws(() => gauge('prom_test_kind', 'a gauge'), /already registered as a counter/);
  });
});

describe('process metrics', () => {
  test('registered once, read from the running process', async () => {
    const r = new Registry();
    registerProcessMetrics(r);
    registerProcessMetrics(r);
    const text = await r.metrics();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    for (const name of ['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.ok(value(name) >= 0, name);
    }
    assert.ok(Math.abs(value('process_start_time_seconds') - (Date.now() / 1000 - process.uptime())) < 2);
    assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
    if (process.platform === 'linux') {
      assert.ok(value('process_resident_memory_bytes') > 10 * 2 ** 20);
      assert.ok(value('process_virtual_memory_bytes') >= value('process_resident_memory_bytes'));
      assert.ok(value('process_open_fds') > 2);
      assert.ok(value('process_max_fds') >= value('process_open_fds'));
    }
  });
});
