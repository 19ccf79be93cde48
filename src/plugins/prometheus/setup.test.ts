// prometheus: the stanza table, and what setup registers (route, observer, plugin_enabled).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import { registry } from '../../core/metrics.ts';
import { testContext } from '../../testing/context.ts';
import { parsePrometheus, serverLabel, setupPrometheus } from './setup.ts';

function directive(body: string): Directive {
  const [block] = parseCorefile(`. {\n${body}\n}\n`, { file: 'Corefile' });
  return block!.directives[0]!;
}

describe('prometheus: parse', () => {
  const good: Array<[string, string]> = [
    ['prometheus', 'localhost:9153'],
    ['prometheus :9153', ':9153'],
    ['prometheus 0.0.0.0:9253', '0.0.0.0:9253'],
    ['prometheus [::1]:9153', '[::1]:9153'],
    ['prometheus localhost:9253 {\n runtime_metrics\n}', 'localhost:9253'],
  ];
  for (const [text, address] of good) {
    test(JSON.stringify(text), () => assert.deepEqual(parsePrometheus(directive(text)), { address }));
  }

  const bad: Array<[string, string]> = [
    ['prometheus :9153 :9154', "Corefile:2 - Error during parsing: plugin/prometheus: Wrong argument count or unexpected line ending after ':9154'"],
    ['prometheus localhost', 'Corefile:2 - Error during setup: plugin/prometheus: address localhost: missing port in address'],
    ['prometheus localhost:99999', 'Corefile:2 - Error during setup: plugin/prometheus: address localhost:99999: invalid address or port'],
    ['prometheus {\n tls cert.pem key.pem\n}', 'Corefile:3 - Error during parsing: plugin/prometheus: tls is not supported by podns yet'],
    ['prometheus {\n bogus\n}', 'Corefile:3 - Error during parsing: plugin/prometheus: unknown option: bogus'],
    ['prometheus {\n runtime_metrics yes\n}', "Corefile:3 - Error during parsing: plugin/prometheus: Wrong argument count or unexpected line ending after 'yes'"],
  ];
  for (const [text, message] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parsePrometheus(directive(text)), { message }));
  }
});

describe('prometheus: setup', () => {
  test('serves the registry on ADDRESS/metrics and observes the block', async () => {
    const ctx = testContext();
    assert.equal(setupPrometheus({ address: ':9999' }, ctx), null);
    assert.equal(ctx.observers.length, 1);
    const r = await ctx.routes.get(':9999/metrics')!();
    assert.equal(r.status, 200);
    assert.equal(r.contentType, registry.contentType);
    assert.match(r.body, /^coredns_build_info\{version="\d+\.\d+\.\d+[^"]*",revision="",goversion="node\d+\.\d+\.\d+"\} 1$/m);
    assert.match(r.body, /^coredns_panics_total 0$/m);
    assert.match(r.body, /^process_cpu_user_seconds_total /m);
    assert.match(r.body, /^nodejs_eventloop_lag_seconds /m);
  });

  test('coredns_plugin_enabled for each handler, listen address and zone while serving, removed at shutdown', async () => {
    const ctx = testContext({ zones: ['example.org.', 'example.net.'], listenAddresses: [{ host: '10.9.9.9', port: 5399 }], plugins: ['prometheus', 'cache'] });
    setupPrometheus({ address: ':9999' }, ctx);
    const metrics = async (): Promise<string> => (await ctx.routes.get(':9999/metrics')!()).body;
    await ctx.start();
    const body = await metrics();
    for (const zone of ['example.org.', 'example.net.']) {
      for (const name of ['prometheus', 'cache']) {
        assert.match(body, new RegExp(`^coredns_plugin_enabled\\{server="dns://:5399",zone="${zone}",view="",name="${name}"\\} 1$`, 'm'));
      }
    }
    await ctx.stop();
    assert.doesNotMatch(await metrics(), /coredns_plugin_enabled\{server="dns:\/\/:5399"/);
  });

  test('the server label: the bind address when bound, else empty', () => {
    assert.equal(serverLabel(false, '::', 53), 'dns://:53');
    assert.equal(serverLabel(true, '127.0.0.53', 53), 'dns://127.0.0.53:53');
    assert.equal(serverLabel(true, 'fd00::10', 53), 'dns://[fd00::10]:53');
  });
});
