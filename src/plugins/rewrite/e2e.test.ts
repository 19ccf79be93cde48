// End to end: a real DnsServer on 127.0.0.1 serving examples/cluster with `kubernetes`, where
// `rewrite` lets clients resolve the cluster's `web` service (namespace `shop`) under other names;
// queried with dig over UDP and TCP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { DnsServer } from '../../server/server.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/cluster', import.meta.url));

describe('rewrite, served by a real DnsServer', () => {
  let server: DnsServer;
  let port: number;

  before(async () => {
    port = await freePort();
    const corefile = `
.:${port} {
    rewrite name exact db.example.com. web.shop.svc.cluster.local.
    rewrite name suffix .shop.example.com. .shop.svc.cluster.local. answer auto
    rewrite stop {
        name regex (.*)\\.cluster\\.test {1}.svc.cluster.local
        answer name (.*)\\.svc\\.cluster\\.local {1}.cluster.test
    }
    kubernetes cluster.local
}
`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
      manifests: [EXAMPLES], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });

  after(async () => { await server.stop(); });

  test('an exact rewrite resolves a cluster service under another name, over UDP and TCP', async () => {
    for (const proto of ['+notcp', '+tcp']) {
      // Twice: the second answer comes from the answer cache and must be the same.
      for (let i = 0; i < 2; i++) {
        const r = await dig(port, proto, 'db.example.com', 'A');
        assert.equal(r.status, 'NOERROR');
        assert.deepEqual(r.flags, ['qr', 'aa', 'rd']);
        assert.deepEqual(r.answer, ['db.example.com. 5 IN A 10.96.100.10']);
        assert.match(r.raw, /^;db\.example\.com\.\s+IN\s+A$/m, 'the question section is the client\'s');
      }
    }
    const upper = await dig(port, 'DB.Example.COM', 'A');
    assert.match(upper.raw, /^;DB\.Example\.COM\.\s+IN\s+A$/m);
    assert.deepEqual(upper.answer, ['db.example.com. 5 IN A 10.96.100.10']);
    // Without the rewrite the name is nobody's: no plugin after kubernetes answers it.
    assert.equal((await dig(port, 'other.example.com', 'A')).status, 'SERVFAIL');
  });

  test('a suffix rewrite with answer auto reverts owners and SRV targets', async () => {
    const srv = await dig(port, '_http._tcp.web.shop.example.com', 'SRV');
    assert.equal(srv.status, 'NOERROR');
    assert.deepEqual(srv.answer, ['_http._tcp.web.shop.example.com. 5 IN SRV 0 100 80 web.shop.example.com.']);
    assert.deepEqual(srv.additional, ['web.shop.example.com. 5 IN A 10.96.100.10']);
    const missing = await dig(port, 'nope.shop.example.com', 'A');
    assert.equal(missing.status, 'NXDOMAIN');
    assert.match(missing.authority.join('\n'), /^cluster\.local\. \d+ IN SOA /);
  });

  test('a regex rewrite written as a block, with an answer name rule', async () => {
    const r = await dig(port, 'web.shop.cluster.test', 'A');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answer, ['web.shop.cluster.test. 5 IN A 10.96.100.10']);
  });
});
