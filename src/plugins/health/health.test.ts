// health: the stanza table, /health, the self-check and its metrics, lameduck; and end to end:
// during lameduck the server still answers DNS and /health, and /ready already says 503.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import type { PluginDefinition } from '../../core/handler.ts';
import { registry } from '../../core/metrics.ts';
import { reply } from '../../core/request.ts';
import { plugins } from '../registry.ts';
import { DnsServer } from '../../server/server.ts';
import { capturingLogger, testContext } from '../../testing/context.ts';
import { rr } from '../../testing/rr.ts';
import { dig, eventually, freePort } from '../../../test/integration/harness.ts';
import { SelfCheck, loopbackUrl } from './health.ts';
import { parseHealth, setupHealth } from './setup.ts';

function directive(body: string): Directive {
  const [block] = parseCorefile(`. {\n${body}\n}\n`, { file: 'Corefile' });
  return block!.directives[0]!;
}

describe('health: parse', () => {
  const good: Array<[string, string, number]> = [
    ['health', ':8080', 0],
    ['health localhost:8091', 'localhost:8091', 0],
    ['health {\n lameduck 5s\n}', ':8080', 5000],
    ['health 127.0.0.1:8080 {\n lameduck 1m30s\n}', '127.0.0.1:8080', 90_000],
  ];
  for (const [text, address, lameduckMs] of good) {
    test(JSON.stringify(text), () => assert.deepEqual(parseHealth(directive(text)), { address, lameduckMs, checkIntervalMs: 1000 }));
  }
  const bad: Array<[string, string]> = [
    ['health :8080 :8081', "Corefile:2 - Error during parsing: plugin/health: Wrong argument count or unexpected line ending after ':8081'"],
    ['health localhost', 'Corefile:2 - Error during setup: plugin/health: address localhost: missing port in address'],
    ['health {\n lameduck\n}', "Corefile:3 - Error during parsing: plugin/health: Wrong argument count or unexpected line ending after 'lameduck'"],
    ['health {\n lameduck 5\n}', 'Corefile:3 - Error during setup: plugin/health: unable to parse lameduck duration value: "5": time: missing unit in duration "5"'],
    ['health {\n lameduck 5s 6s\n}', "Corefile:3 - Error during parsing: plugin/health: Wrong argument count or unexpected line ending after '6s'"],
    ['health {\n bogus 1\n}', "Corefile:3 - Error during parsing: plugin/health: Wrong argument count or unexpected line ending after 'bogus'"],
  ];
  for (const [text, message] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseHealth(directive(text)), { message }));
  }
});

/** The value of a metric without labels; for a histogram, its `_count` or `_sum` sample. */
async function metricValue(name: string, sample = name): Promise<number> {
  const m = registry.getSingleMetric(name);
  assert.ok(m !== undefined, name);
  const data = await m.get();
  const v = data.values.find((x) => ((x as { metricName?: string }).metricName ?? name) === sample);
  return v?.value ?? 0;
}
const checks = (): Promise<number> => metricValue('coredns_health_request_duration_seconds', 'coredns_health_request_duration_seconds_count');
const failures = (): Promise<number> => metricValue('coredns_health_request_failures_total');

describe('health: behaviour', () => {
  test('/health is 200 OK; lameduck waits, logs, then the self-check stops', async () => {
    const ctx = testContext();
    setupHealth({ address: ':8080', lameduckMs: 100, checkIntervalMs: 1000 }, ctx);
    assert.deepEqual(await ctx.routes.get(':8080/health')!(), { status: 200, body: 'OK' });
    await ctx.start();
    const t0 = Date.now();
    await ctx.stop();
    assert.ok(Date.now() - t0 >= 90, 'the final shutdown waited for the lameduck duration');
    assert.deepEqual(ctx.lines, ['[INFO] plugin/health: Going into lameduck mode for 100ms']);
  });

  test('the self-check records its duration; a failed request counts and warns', async () => {
    const srv = createServer((_req, res) => res.end('OK'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    const lines: string[] = [];
    let target = { url: `http://127.0.0.1:${port}/health`, display: 'http://:8080/health' };
    const check = new SelfCheck(() => target, capturingLogger(lines, 'plugin/health: '), 1000);
    const before = await checks();
    const failedBefore = await failures();
    await check.check();
    assert.equal(await checks(), before + 1);
    assert.equal(await failures(), failedBefore);
    await new Promise<void>((r) => srv.close(() => r()));
    target = { url: `http://127.0.0.1:${port}/health`, display: 'http://:8080/health' };
    await check.check();
    assert.equal(await checks(), before + 2);
    assert.equal(await failures(), failedBefore + 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\[WARNING\] plugin\/health: Local health request to "http:\/\/:8080\/health" failed: connect ECONNREFUSED/);
    check.stop();
    await check.check();
    assert.equal(await checks(), before + 2, 'no check after stop');
  });

  test('loopback URLs for wildcard listeners', () => {
    assert.equal(loopbackUrl('::', 8080, '/health'), 'http://[::1]:8080/health');
    assert.equal(loopbackUrl('0.0.0.0', 8080, '/health'), 'http://127.0.0.1:8080/health');
    assert.equal(loopbackUrl('127.0.0.5', 8080, '/health'), 'http://127.0.0.5:8080/health');
  });
});

describe('health: a running server', () => {
  test('self-checks every second; during lameduck DNS and /health answer, /ready is 503', async () => {
    const answerer: PluginDefinition<null> = {
      name: 'answerer',
      parse: () => null,
      setup: () => () => ({
        name: 'answerer',
        serveDNS(req, w) { w.write(reply(req, { answers: [rr(`${req.qname} 5 IN A 192.0.2.1`)] }), 'answerer'); return Promise.resolve(); },
      }),
    };
    const port = await freePort();
    const text = `example.org:${port} {\n  health {\n    lameduck 700ms\n  }\n  ready\n  answerer\n}\n`;
    const server = DnsServer.create(parseCorefile(text, { file: 'Corefile' }), {
      manifests: [], log: capturingLogger([]), defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
      plugins: new Map([...plugins, ['answerer', answerer as PluginDefinition<unknown>]]),
    });
    await server.start();
    const health = server.httpAddresses().get(':8080')!;
    const ready = server.httpAddresses().get(':8181')!;
    const get = async (port: number, path: string): Promise<{ status: number; body: string }> => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: await r.text() };
    };
    let stopped = false;
    try {
      assert.deepEqual(await get(health.port, '/health'), { status: 200, body: 'OK' });
      const before = await checks();
      await eventually(async () => (await checks()) > before, 1900);

      const stopping = server.stop().then(() => { stopped = true; });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(stopped, false, 'still in lameduck');
      assert.deepEqual(await get(health.port, '/health'), { status: 200, body: 'OK' });
      assert.deepEqual(await get(ready.port, '/ready'), { status: 503, body: 'Shutting down' });
      assert.equal((await dig(port, 'www.example.org', 'A')).status, 'NOERROR');
      await stopping;
      await assert.rejects(fetch(`http://127.0.0.1:${health.port}/health`));
    } finally {
      if (!stopped) await server.stop();
    }
  });
});
