// The server's own duties, on a real DnsServer on 127.0.0.1 queried with dig: a plugin's bug is a
// counted "panic" answered SERVFAIL; queries refused before any block reach the dropped observers
// once each; ctx.plugins() names the block's handlers; a reply that completes after the listener
// closed is dropped without taking the process down.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../corefile/index.ts';
import { DnsError } from '../core/errors.ts';
import type { PluginDefinition, QueryEvent, SetupContext } from '../core/handler.ts';
import { panicsTotal } from '../core/metrics.ts';
import { reply } from '../core/request.ts';
import { Rcode } from '../dns/types.ts';
import { plugins } from '../plugins/registry.ts';
import { capturingLogger } from '../testing/context.ts';
import { rr } from '../testing/rr.ts';
import { dig, freePort } from '../../test/integration/harness.ts';
import { DnsServer } from './server.ts';

const dropped: QueryEvent[] = [];
const recordDropped = (e: QueryEvent): void => { dropped.push(e); };
const pluginLists: Array<readonly string[]> = [];
let release: (() => void) | null = null;

/** A test plugin: `bug.` throws a TypeError, `nx.` a DnsError, `slow.` waits for release(); else an A. */
const tester: PluginDefinition<null> = {
  name: 'tester',
  parse: () => null,
  setup: (_o, ctx: SetupContext) => {
    ctx.observeDropped(recordDropped);
    ctx.onStartup(() => { pluginLists.push(ctx.plugins()); });
    return () => ({
      name: 'tester',
      async serveDNS(req, w) {
        if (req.lname.startsWith('bug.')) throw new TypeError('cannot read properties of undefined');
        if (req.lname.startsWith('nx.')) throw new DnsError('PODNS_ERR_PLUGIN', 'refused on purpose', Rcode.REFUSED, 'tester');
        if (req.lname.startsWith('slow.')) await new Promise<void>((r) => { release = r; });
        w.write(reply(req, { answers: [rr(`${req.qname} 5 IN A 192.0.2.1`)] }), 'tester');
      },
    });
  },
};
const defs = new Map([...plugins, ['tester', tester as PluginDefinition<unknown>]]);

async function panics(): Promise<number> {
  return (await panicsTotal.get()).values[0]?.value ?? 0;
}

describe('DnsServer', () => {
  const lines: string[] = [];
  let server: DnsServer;
  let port: number;
  before(async () => {
    port = await freePort();
    // Two blocks on one listener, both registering the same dropped observer.
    const text = `a.test:${port} {\n  bind 127.0.0.1\n  cache\n  log\n  errors\n  tester\n}\nb.test:${port} {\n  bind 127.0.0.1\n  tester\n}\n`;
    server = DnsServer.create(parseCorefile(text, { file: 'Corefile' }), { manifests: [], log: capturingLogger(lines), plugins: defs });
    await server.start();
  });
  after(async () => { await server.stop(); });

  test("a plugin's exception is a counted panic, answered SERVFAIL and logged; a DnsError is neither", async () => {
    const before = await panics();
    const r = await dig(port, 'bug.a.test', 'A');
    assert.equal(r.status, 'SERVFAIL');
    assert.equal(await panics(), before + 1);
    assert.ok(lines.some((l) => l.startsWith(`[ERROR] Recovered from panic in server: "dns://127.0.0.1:${port}" TypeError: cannot read`)), lines.join('\n'));
    const nx = await dig(port, 'nx.a.test', 'A');
    assert.equal(nx.status, 'REFUSED');
    assert.equal(await panics(), before + 1);
  });

  test('refused before any block: each dropped observer once per query, zone "dropped"', async () => {
    dropped.length = 0;
    const r = await dig(port, 'www.example.com', 'A');
    assert.equal(r.status, 'REFUSED');
    const chaos = await dig(port, 'version.bind', 'CH', 'TXT');
    assert.equal(chaos.status, 'REFUSED');
    assert.equal(dropped.length, 2);
    assert.deepEqual(dropped.map((e) => [e.zone, e.by, e.local, e.server]), [
      ['dropped', null, '127.0.0.1', `dns://127.0.0.1:${port}`], ['dropped', null, '127.0.0.1', `dns://127.0.0.1:${port}`],
    ]);
    await dig(port, 'www.a.test', 'A');
    assert.equal(dropped.length, 2, 'answered queries are not dropped');
  });

  test('ctx.plugins() lists the handlers of the block in execution order, not setup-only plugins', () => {
    // bind is setup only; a plugin unknown to order.ts (this test's) sorts first.
    assert.deepEqual(pluginLists.slice(0, 2), [['tester', 'errors', 'log', 'cache'], ['tester']]);
  });

  test('a UDP reply that completes after the listener closed is dropped quietly', async () => {
    const p = await freePort();
    const text = `slow.test:${p} {\n  bind 127.0.0.1\n  tester\n}\n`;
    const own: string[] = [];
    const s = DnsServer.create(parseCorefile(text, { file: 'Corefile' }), { manifests: [], log: capturingLogger(own), plugins: defs });
    await s.start();
    release = null;
    const pending = dig(p, '+time=1', 'slow.test', 'A').catch((err: Error) => err);
    while (release === null) await new Promise((r) => setTimeout(r, 10));
    await s.stop();
    (release as () => void)();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(await pending instanceof Error, 'dig got no answer');
    assert.deepEqual(own.filter((l) => l.includes('ERR_SOCKET')), []);
  });
});
