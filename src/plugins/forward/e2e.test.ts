// End to end: a real DnsServer on 127.0.0.1 whose blocks forward to scripted upstreams,
// queried with dig over UDP and TCP: answers, NXDOMAIN with its authority, the AD flag, a
// truncated reply that dig retries over TCP, no replay from the answer cache, and SERVFAIL when
// the upstream is silent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { registry } from '../../core/metrics.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { DnsServer } from '../../server/server.ts';
import { rr } from '../../testing/rr.ts';
import { answerTo, startUpstream } from '../../testing/upstream.ts';
import type { Upstream } from '../../testing/upstream.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/cluster', import.meta.url));

describe('forward end to end, through a DnsServer queried with dig', () => {
  let upstream: Upstream;
  let silent: Upstream;
  let server: DnsServer;
  let port: number;

  before(async () => {
    upstream = await startUpstream((q, transport) => {
      const { name, type } = q.questions[0]!;
      const lname = name.toLowerCase();
      if (lname === 'missing.example.org.') {
        return answerTo(q, { rcode: Rcode.NXDOMAIN, authorities: [rr('example.org. 300 IN SOA ns.example.org. host.example.org. 1 7200 1800 86400 60')] });
      }
      if (lname === 'big.example.org.' && transport === 'udp') return answerTo(q, { tc: true });
      if (lname === 'big.example.org.') {
        return answerTo(q, { answers: Array.from({ length: 40 }, (_, i) => rr(`big.example.org. 60 IN A 10.1.0.${i + 1}`)) });
      }
      if (type !== RRType.A) return answerTo(q);
      return answerTo(q, { ad: lname === 'secure.example.org.', answers: [rr(`${name} 60 IN A 192.0.2.10`)] });
    });
    silent = await startUpstream(() => 'drop');
    port = await freePort();
    const corefile = `.:${port} {
    forward . ${upstream.address}
}
example.net:${port} {
    forward . ${silent.address} {
        read_timeout 200ms
        max_fails 0
    }
}
`;
    server = DnsServer.create(parseCorefile(corefile, { file: 'Corefile' }), {
      manifests: [EXAMPLES], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
      onFatal: (m) => { throw new Error(`fatal: ${m}`); },
    });
    await server.start();
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
    await silent?.close();
  });

  test('an answer over UDP and over TCP, following the client transport', async () => {
    const before = upstream.queries.length;
    const r = await dig(port, 'www.example.org', 'A');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answer, ['www.example.org. 60 IN A 192.0.2.10']);
    assert.ok(r.flags.includes('ra') && r.flags.includes('rd') && !r.flags.includes('aa'), r.flags.join(' '));
    const t = await dig(port, '+tcp', 'www.example.org', 'A');
    assert.deepEqual(t.answer, ['www.example.org. 60 IN A 192.0.2.10']);
    assert.deepEqual(upstream.queries.slice(before).map((q) => q.transport), ['udp', 'tcp']);
  });

  test('NXDOMAIN with its SOA, and the AD flag, relayed', async () => {
    const nx = await dig(port, 'missing.example.org', 'A');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.deepEqual(nx.authority, ['example.org. 300 IN SOA ns.example.org. host.example.org. 1 7200 1800 86400 60']);
    const ad = await dig(port, '+adflag', 'secure.example.org', 'A');
    assert.ok(ad.flags.includes('ad'), ad.flags.join(' '));
  });

  test('a truncated UDP reply reaches dig with TC; dig retries over TCP and gets it all', async () => {
    const ignored = await dig(port, '+ignore', 'big.example.org', 'A');
    assert.ok(ignored.flags.includes('tc'), ignored.flags.join(' '));
    const before = upstream.queries.length;
    const full = await dig(port, 'big.example.org', 'A');
    assert.equal(full.answer.length, 40);
    assert.deepEqual(upstream.queries.slice(before).map((q) => q.transport), ['udp', 'tcp']);
  });

  test('forwarded replies are not replayed by the answer cache', async () => {
    const before = upstream.queries.length;
    await dig(port, 'again.example.org', 'A');
    await dig(port, 'again.example.org', 'A');
    assert.equal(upstream.queries.length - before, 2);
  });

  test('a silent upstream: SERVFAIL; metrics name the upstream', async () => {
    const r = await dig(port, 'www.example.net', 'A');
    assert.equal(r.status, 'SERVFAIL');
    assert.equal(silent.queries.length, 2, 'two attempts (2 × upstreams), each after its read timeout');
    const text = await registry.metrics();
    assert.match(text, new RegExp(`coredns_proxy_request_duration_seconds_count\\{proxy_name="forward",to="${upstream.address.replaceAll('.', '\\.')}",rcode="NXDOMAIN"\\} 1`));
    // A socket whose exchange timed out is not reused: each attempt opened one.
    assert.match(text, new RegExp(`coredns_proxy_conn_cache_misses_total\\{proxy_name="forward",to="${silent.address.replaceAll('.', '\\.')}",proto="udp"\\} 2`));
  });
});
