// bufsize: the stanza (CoreDNS's range and errors), and end to end through a DnsServer queried
// with dig: a client's large EDNS size is lowered before the chain (forward asks upstream with
// the cap) and the UDP reply is truncated to it; smaller sizes, TCP and clients without EDNS are
// left alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { DnsServer } from '../../server/server.ts';
import { testContext } from '../../testing/context.ts';
import { rr } from '../../testing/rr.ts';
import { answerTo, startUpstream } from '../../testing/upstream.ts';
import type { Upstream } from '../../testing/upstream.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';
import { bufsizePlugin, parseBufsize } from './index.ts';

const directive = (text: string) => parseCorefile(`. {\n${text}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;

describe('bufsize stanza', () => {
  for (const [text, size] of [['bufsize', 1232], ['bufsize 512', 512], ['bufsize 4096', 4096], ['bufsize 1400', 1400]] as const) {
    test(text, () => assert.equal(parseBufsize(directive(text)), size));
  }
  for (const [text, after] of [['bufsize 511', '511'], ['bufsize 4097', '4097'], ['bufsize big', 'big'], ['bufsize 1232 1400', '1400'], ['bufsize 12.5', '12.5']] as const) {
    test(`${text}: an error`, () => assert.throws(() => parseBufsize(directive(text)), { message: `Corefile:2 - Error during parsing: plugin/bufsize: Wrong argument count or unexpected line ending after '${after}'` }));
  }
  test('several directives: the smallest size holds', () => {
    const ctx = testContext();
    bufsizePlugin.setup(1400, ctx);
    bufsizePlugin.setup(1232, ctx);
    bufsizePlugin.setup(4096, ctx);
    assert.equal(ctx.udpSizeLimit, 1232);
  });
});

describe('bufsize end to end', () => {
  let upstream: Upstream;
  let server: DnsServer;
  let port: number;
  const BIG = Array.from({ length: 100 }, (_, i) => rr(`big.example.org. 60 IN A 10.1.0.${i + 1}`));

  before(async () => {
    upstream = await startUpstream((q) => answerTo(q, { answers: q.questions[0]!.name === 'big.example.org.' ? BIG : [] }));
    port = await freePort();
    server = DnsServer.create(parseCorefile(`.:${port} {\n    bufsize 1232\n    forward . ${upstream.address}\n}\n`, { file: 'Corefile' }), {
      manifests: [], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
    });
    await server.start();
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  const lastUpstreamSize = (): number | null => upstream.queries.at(-1)!.msg.edns?.udpSize ?? null;

  test('EDNS 4096 over UDP: asked upstream with 1232, the reply cut to 1232 with TC, its OPT saying 1232', async () => {
    const r = await dig(port, '+bufsize=4096', '+ignore', 'big.example.org', 'A');
    assert.equal(lastUpstreamSize(), 1232);
    assert.ok(r.flags.includes('tc'), r.raw);
    assert.match(r.raw, /; EDNS: version: 0, flags:; udp: 1232/);
    const size = Number(/MSG SIZE {2}rcvd: (\d+)/.exec(r.raw)?.[1]);
    assert.ok(size <= 1232 && size > 512, `reply of ${size} octets`);
  });

  test('a smaller EDNS size, no EDNS, and TCP are left as they are', async () => {
    await dig(port, '+bufsize=1000', 'small.example.org', 'A');
    assert.equal(lastUpstreamSize(), 1000);
    await dig(port, '+noedns', 'small.example.org', 'A');
    assert.equal(lastUpstreamSize(), null);
    const r = await dig(port, '+tcp', '+bufsize=4096', 'big.example.org', 'A');
    assert.equal(r.answer.length, 100, 'the whole answer over TCP');
  });
});
