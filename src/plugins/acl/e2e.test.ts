// End to end: a real DnsServer on 127.0.0.1 with acl in front of hosts, queried with dig over UDP
// from several loopback source addresses (on Linux the whole of 127/8 is local, so `dig -b
// 127.0.0.2` is another client). The point is the server's answer cache, which replays stored
// replies before any plugin runs: a reply acl let through for one client must never reach a
// client acl blocks, filters or drops, whichever of them asked first.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { registry } from '../../core/metrics.ts';
import { encodeMessage } from '../../dns/message.ts';
import { RRType } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { exchange } from '../../testing/exchange.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';

const ALLOWED = '127.0.0.1';
const BLOCKED = '127.0.0.2';
const FILTERED = '127.0.0.3';
const DROPPED = '127.0.0.4';
const OTHER = '127.0.0.5';

describe('acl end to end', () => {
  let server: DnsServer;
  let port = 0;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acl-e2e-'));
    writeFileSync(join(dir, 'hosts'), '192.0.2.10 www.example.org api.example.org\n2001:db8::10 www.example.org\n');
    port = await freePort();
    const corefile = `
.:${port} {
    acl example.org {
        filter type AAAA
        allow net ${ALLOWED}
        block net ${BLOCKED}
        filter net ${FILTERED}/32
        drop net ${DROPPED}
    }
    hosts ${join(dir, 'hosts')} {
        reload 0
    }
}
`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
      manifests: [], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });
  after(async () => { await server.stop(); });

  const allowed = async (): Promise<number> => {
    const m = await registry.getSingleMetric('coredns_acl_allowed_requests_total')!.get();
    return m.values.find((v) => v.labels['server'] === `dns://:${port}`)?.value ?? 0;
  };
  const ask = (from: string, name: string, type = 'A') => dig(port, '-b', from, name, type);
  const ANSWER = (name: string) => [`${name}. 3600 IN A 192.0.2.10`];

  test('allowed first, then blocked: the blocked client gets REFUSED (Blocked), not the stored answer', async () => {
    const count = await allowed();
    const first = await ask(ALLOWED, 'www.example.org');
    assert.deepEqual([first.status, first.answer], ['NOERROR', ANSWER('www.example.org')]);
    const again = await ask(ALLOWED, 'www.example.org');
    assert.deepEqual(again.answer, ANSWER('www.example.org'));
    assert.equal(await allowed(), count + 1, 'the second answer came from the answer cache, without running acl');
    const blocked = await ask(BLOCKED, 'www.example.org');
    assert.deepEqual([blocked.status, blocked.answer], ['REFUSED', []]);
    assert.ok(blocked.opt.includes('EDE: 15 (Blocked)'), blocked.raw);
    const other = await ask(OTHER, 'www.example.org');
    assert.deepEqual([other.status, other.answer], ['NOERROR', ANSWER('www.example.org')], 'matched by no policy: allowed');
    assert.deepEqual((await ask(ALLOWED, 'www.example.org')).answer, ANSWER('www.example.org'));
    assert.deepEqual((await ask(BLOCKED, 'www.example.org')).status, 'REFUSED');
  });

  test('blocked first, then allowed: the refusal is not stored for the allowed client either', async () => {
    const blocked = await ask(BLOCKED, 'api.example.org');
    assert.equal(blocked.status, 'REFUSED');
    const ok = await ask(ALLOWED, 'api.example.org');
    assert.deepEqual([ok.status, ok.answer], ['NOERROR', ANSWER('api.example.org')]);
    assert.equal((await ask(BLOCKED, 'api.example.org')).status, 'REFUSED');
  });

  test('filtered by net and by type: NOERROR without records (NODATA), with EDE Filtered', async () => {
    assert.deepEqual((await ask(ALLOWED, 'www.example.org')).answer, ANSWER('www.example.org'));
    const byNet = await ask(FILTERED, 'www.example.org');
    assert.deepEqual([byNet.status, byNet.answer, byNet.authority], ['NOERROR', [], []]);
    assert.ok(byNet.opt.includes('EDE: 17 (Filtered)'), byNet.raw);
    for (const from of [ALLOWED, OTHER]) {
      const aaaa = await ask(from, 'www.example.org', 'AAAA');
      assert.deepEqual([aaaa.status, aaaa.answer], ['NOERROR', []], from);
      assert.ok(aaaa.opt.includes('EDE: 17 (Filtered)'), aaaa.raw);
    }
  });

  test('dropped: no reply at all, while the same question from an allowed client is answered', async () => {
    const query = encodeMessage({
      id: 77, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
      questions: [{ name: 'www.example.org.', type: RRType.A, class: 1 }], answers: [], authorities: [], additionals: [],
      edns: { udpSize: 1232, version: 0, do: false, extendedRcode: 0, options: [] },
    });
    // The same bytes from an allowed client first, so that the answer cache holds a reply for them.
    assert.notEqual(await exchange(query, port, '127.0.0.1', ALLOWED), null);
    assert.equal(await exchange(query, port, '127.0.0.1', DROPPED, 300), null);
    assert.notEqual(await exchange(query, port, '127.0.0.1', ALLOWED), null);
  });

  test('names outside the acl\'s zones are not affected', async () => {
    assert.equal((await ask(BLOCKED, 'example.com')).status, 'SERVFAIL', 'hosts\' answer for a name it does not have');
  });
});
