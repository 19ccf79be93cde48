// End to end: a real DnsServer on 127.0.0.1 with `hosts` in front of `kubernetes`, queried with
// dig over UDP and TCP; the hosts file is edited while the server runs, and the answer cache
// must stop replaying the old answer as soon as the new file is read.
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { DnsServer } from '../../server/server.ts';
import { dig, eventually, freePort, tempDir } from '../../../test/integration/harness.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/cluster', import.meta.url));

describe('hosts, served by a real DnsServer', () => {
  let server: DnsServer;
  let port: number;
  let dir: string;
  let hostsFile: string;

  before(async () => {
    dir = tempDir('podns-hosts-e2e-');
    hostsFile = join(dir, 'hosts');
    writeFileSync(hostsFile, '# test hosts\n10.0.0.1 db.example.org DB2.example.org\nfd00::1 db.example.org\n192.168.1.10 web.shop.svc.cluster.local\n');
    port = await freePort();
    const corefile = `
example.org:${port} {
    hosts ${hostsFile} {
        10.9.9.9 inline.example.org
        reload 50ms
    }
}
cluster.local:${port} in-addr.arpa:${port} {
    hosts ${hostsFile} example.org cluster.local {
        fallthrough
    }
    kubernetes cluster.local in-addr.arpa
}
`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
      manifests: [EXAMPLES], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('A and AAAA over UDP and TCP, authoritative, TTL 3600', async () => {
    for (const proto of ['+notcp', '+tcp']) {
      const a = await dig(port, proto, 'DB.example.org', 'A');
      assert.equal(a.status, 'NOERROR');
      assert.deepEqual(a.flags, ['qr', 'aa', 'rd']);
      assert.deepEqual(a.answer, ['db.example.org. 3600 IN A 10.0.0.1']);
      const aaaa = await dig(port, proto, 'db.example.org', 'AAAA');
      assert.deepEqual(aaaa.answer, ['db.example.org. 3600 IN AAAA fd00::1']);
    }
    assert.deepEqual((await dig(port, 'inline.example.org', 'A')).answer, ['inline.example.org. 3600 IN A 10.9.9.9']);
  });

  test('NODATA without SOA for another type; SERVFAIL for an unknown name without fallthrough', async () => {
    const mx = await dig(port, 'db.example.org', 'MX');
    assert.equal(mx.status, 'NOERROR');
    assert.deepEqual(mx.answer, []);
    assert.deepEqual(mx.authority, []);
    assert.equal((await dig(port, 'nope.example.org', 'A')).status, 'SERVFAIL');
  });

  test('PTR from the hosts file, whatever its zone; with fallthrough, other names go to kubernetes', async () => {
    // The in-addr.arpa block's hosts loads the example.org and cluster.local names (only names in
    // its zones are loaded) and answers PTR queries for their addresses.
    const ptr = await dig(port, '-x', '10.0.0.1');
    assert.equal(ptr.status, 'NOERROR');
    assert.deepEqual([...ptr.answer].sort(), ['1.0.0.10.in-addr.arpa. 3600 IN PTR db.example.org.', '1.0.0.10.in-addr.arpa. 3600 IN PTR db2.example.org.']);
    // hosts is before kubernetes in the chain: its entry wins for the name it has...
    assert.deepEqual((await dig(port, 'web.shop.svc.cluster.local', 'A')).answer, ['web.shop.svc.cluster.local. 3600 IN A 192.168.1.10']);
    // ...and a PTR it does not have is answered by kubernetes.
    const k8s = await dig(port, '-x', '10.96.100.10');
    assert.equal(k8s.status, 'NOERROR');
    assert.match(k8s.answer.join('\n'), /PTR web\.shop\.svc\.cluster\.local\.$/);
  });

  test('an edited hosts file replaces answers the answer cache was replaying', async () => {
    for (let i = 0; i < 3; i++) assert.deepEqual((await dig(port, 'db.example.org', 'A')).answer, ['db.example.org. 3600 IN A 10.0.0.1']);
    writeFileSync(hostsFile + '.new', '10.0.0.42 db.example.org\n');
    renameSync(hostsFile + '.new', hostsFile);
    await eventually(async () => {
      const r = await dig(port, 'db.example.org', 'A');
      return r.answer.join() === 'db.example.org. 3600 IN A 10.0.0.42';
    }, 2000, 20);
    assert.equal((await dig(port, 'db2.example.org', 'A')).status, 'SERVFAIL', 'the removed name is gone');
    assert.deepEqual((await dig(port, 'inline.example.org', 'A')).answer, ['inline.example.org. 3600 IN A 10.9.9.9']);
  });
});
