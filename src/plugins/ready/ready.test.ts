// ready: the stanza table, the /ready answers (until-ready latch, continuously, shutting down),
// and end to end with a test plugin whose readiness the test flips.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import type { PluginDefinition } from '../../core/handler.ts';
import { plugins } from '../registry.ts';
import { DnsServer } from '../../server/server.ts';
import { capturingLogger } from '../../testing/context.ts';
import { freePort } from '../../../test/integration/harness.ts';
import { Readiness } from './ready.ts';
import type { Monitor } from './ready.ts';
import { parseReady } from './setup.ts';

function directive(body: string): Directive {
  const [block] = parseCorefile(`. {\n${body}\n}\n`, { file: 'Corefile' });
  return block!.directives[0]!;
}

describe('ready: parse', () => {
  const good: Array<[string, string, Monitor]> = [
    ['ready', ':8181', 'until-ready'],
    ['ready localhost:8091', 'localhost:8091', 'until-ready'],
    ['ready {\n monitor continuously\n}', ':8181', 'continuously'],
    ['ready :8182 {\n monitor until-ready\n}', ':8182', 'until-ready'],
  ];
  for (const [text, address, monitor] of good) {
    test(JSON.stringify(text), () => assert.deepEqual(parseReady(directive(text)), { address, monitor }));
  }
  const bad: Array<[string, string]> = [
    ['ready :8181 :8182', "Corefile:2 - Error during parsing: plugin/ready: Wrong argument count or unexpected line ending after ':8182'"],
    ['ready 8181', 'Corefile:2 - Error during setup: plugin/ready: address 8181: missing port in address'],
    ['ready {\n monitor\n}', "Corefile:3 - Error during parsing: plugin/ready: Wrong argument count or unexpected line ending after 'monitor'"],
    ['ready {\n monitor sometimes\n}', "Corefile:3 - Error during parsing: plugin/ready: monitor type 'sometimes' not supported"],
    ['ready {\n bogus\n}', "Corefile:3 - Error during parsing: plugin/ready: unknown property 'bogus'"],
  ];
  for (const [text, message] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseReady(directive(text)), { message }));
  }
});

/** A readiness source the test drives: a set of plugin names and their state. */
function source(initial: Record<string, boolean>): { state: Record<string, boolean>; stopping: boolean; notReady(): string[]; shuttingDown(): boolean } {
  const s = {
    state: { ...initial },
    stopping: false,
    notReady: () => Object.entries(s.state).filter(([, ok]) => !ok).map(([n]) => n).sort(),
    shuttingDown: () => s.stopping,
  };
  return s;
}

describe('ready: answers', () => {
  test('503 with the sorted, comma-joined laggards (and a log line), 200 OK once all are ready', () => {
    const src = source({ kubernetes: false, hosts: false, cache: true });
    const lines: string[] = [];
    const r = new Readiness(src, 'until-ready', capturingLogger(lines, 'plugin/ready: '));
    assert.deepEqual(r.answer(), { status: 503, body: 'hosts,kubernetes' });
    src.state.hosts = true;
    assert.deepEqual(r.answer(), { status: 503, body: 'kubernetes' });
    src.state.kubernetes = true;
    assert.deepEqual(r.answer(), { status: 200, body: 'OK' });
    assert.deepEqual(lines, ['[INFO] plugin/ready: Plugins not ready: "hosts,kubernetes"', '[INFO] plugin/ready: Plugins not ready: "kubernetes"']);
  });

  test('until-ready: a plugin seen ready stays ready; all ready latches', () => {
    const src = source({ a: false, b: false });
    const r = new Readiness(src, 'until-ready', capturingLogger([]));
    assert.equal(r.answer().body, 'a,b');
    src.state.a = true;
    assert.equal(r.answer().body, 'b');
    src.state.a = false;
    assert.equal(r.answer().body, 'b', 'a was seen ready');
    src.state.b = true;
    assert.deepEqual(r.answer(), { status: 200, body: 'OK' });
    src.state.b = false;
    assert.deepEqual(r.answer(), { status: 200, body: 'OK' });
  });

  test('continuously: every request asks again', () => {
    const src = source({ a: true });
    const r = new Readiness(src, 'continuously', capturingLogger([]));
    assert.equal(r.answer().status, 200);
    src.state.a = false;
    assert.deepEqual(r.answer(), { status: 503, body: 'a' });
  });

  test('503 "Shutting down" once shutdown has begun', () => {
    const src = source({});
    const r = new Readiness(src, 'until-ready', capturingLogger([]));
    assert.equal(r.answer().status, 200);
    src.stopping = true;
    assert.deepEqual(r.answer(), { status: 503, body: 'Shutting down' });
  });
});

describe('ready: a running server', () => {
  const flags = { synced: false };
  const flipper: PluginDefinition<null> = {
    name: 'flipper',
    parse: () => null,
    setup: (_o, ctx) => { ctx.readiness('flipper', () => flags.synced); return null; },
  };

  async function run(corefile: (port: number) => string, body: (get: (address: string) => Promise<{ status: number; body: string }>) => Promise<void>): Promise<void> {
    const port = await freePort();
    const server = DnsServer.create(parseCorefile(corefile(port), { file: 'Corefile' }), {
      manifests: [], log: capturingLogger([]), defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
      plugins: new Map([...plugins, ['flipper', flipper as PluginDefinition<unknown>]]),
    });
    await server.start();
    try {
      await body(async (address) => {
        const a = server.httpAddresses().get(address);
        assert.ok(a !== undefined, address);
        const r = await fetch(`http://127.0.0.1:${a.port}/ready`);
        return { status: r.status, body: await r.text() };
      });
    } finally {
      await server.stop();
    }
  }

  test('503 naming the unsynced plugin, then 200 OK; until-ready keeps it', async () => {
    flags.synced = false;
    await run((p) => `a.test:${p} {\n  ready\n  flipper\n}\n`, async (get) => {
      assert.deepEqual(await get(':8181'), { status: 503, body: 'flipper' });
      flags.synced = true;
      assert.deepEqual(await get(':8181'), { status: 200, body: 'OK' });
      flags.synced = false;
      assert.deepEqual(await get(':8181'), { status: 200, body: 'OK' });
    });
  });

  test('continuously follows the plugin; a readiness check in a block without ready counts too', async () => {
    flags.synced = true;
    await run((p) => `a.test:${p} {\n  ready :8282 {\n    monitor continuously\n  }\n}\nb.test:${p} {\n  flipper\n}\n`, async (get) => {
      assert.deepEqual(await get(':8282'), { status: 200, body: 'OK' });
      flags.synced = false;
      assert.deepEqual(await get(':8282'), { status: 503, body: 'flipper' });
    });
  });

  test('ready twice in one block is refused', () => {
    assert.throws(() => DnsServer.create(parseCorefile('. {\n  ready\n  ready :8182\n}\n', { file: 'Corefile' }), { manifests: [], log: capturingLogger([]) }),
      { message: 'Corefile:3 - Error during setup: plugin/ready: this plugin can only be used once per Server Block' });
  });
});
