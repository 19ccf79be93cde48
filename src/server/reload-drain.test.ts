// A reload does not fail the queries the old configuration is still answering: its plugins are
// shut down (forward's sockets closed) only once those queries are done, as CoreDNS's reload waits
// for its old servers' queries (up to 5 s) before their shutdown hooks. Found by bench/soak.ts:
// two forwarded queries answered SERVFAIL, "write udp …: use of closed network connection", right
// after a reload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { parseCorefile } from '../corefile/index.ts';
import { decodeMessage, encodeMessage } from '../dns/message.ts';
import { RRType, Rcode } from '../dns/types.ts';
import { capturingLogger } from '../testing/context.ts';
import { exchange } from '../testing/exchange.ts';
import { rr } from '../testing/rr.ts';
import { answerTo, startUpstream } from '../testing/upstream.ts';
import type { Upstream } from '../testing/upstream.ts';
import { freePort } from '../../test/integration/harness.ts';
import { DnsServer } from './server.ts';

const DELAY_MS = 300;
const query = (id: number, name: string): Uint8Array => encodeMessage({
  id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
  questions: [{ name, type: RRType.A, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
});
let upstream: Upstream;
let server: DnsServer;
let port: number;
let ttl = 30;
const lines: string[] = [];

const corefile = (): string => `.:${port} {\n    bind 127.0.0.1\n    forward . ${upstream.address}\n    cache ${ttl}\n}\n`;
const load = (): { hash: string; blocks: ReturnType<typeof parseCorefile> } => {
  const text = corefile();
  return { hash: createHash('sha512').update(text).digest('hex'), blocks: parseCorefile(text, { file: 'Corefile' }) };
};

before(async () => {
  // An upstream that takes DELAY_MS to answer: the queries are in forward when the reload swaps.
  upstream = await startUpstream(async (q) => {
    await new Promise((r) => setTimeout(r, DELAY_MS));
    return answerTo(q, { answers: [rr(`${q.questions[0]!.name} 60 IN A 192.0.2.7`)] });
  });
  port = await freePort();
  const first = load();
  server = DnsServer.create(first.blocks, { manifests: [], log: capturingLogger(lines), configHash: first.hash, load });
  await server.start();
});
after(async () => {
  await server.stop();
  await upstream.close();
});

test('queries in flight in the old configuration are answered after a reload, not SERVFAIL', async () => {
  for (let round = 0; round < 3; round++) {
    const asked = Array.from({ length: 5 }, (_, i) => exchange(query(100 + i, `n${round}-${i}.example.`), port));
    await new Promise((r) => setTimeout(r, DELAY_MS / 3)); // the queries are upstream now
    ttl = ttl === 30 ? 20 : 30;
    const started = Date.now();
    const outcome = await server.reload();
    assert.equal(outcome.status, 'reloaded');
    const replies = await Promise.all(asked);
    assert.deepEqual(replies.map((r) => (r === null ? 'no reply' : decodeMessage(r).rcode)), Array(5).fill(Rcode.NOERROR), lines.join('\n'));
    assert.ok(Date.now() - started < DELAY_MS * 3, 'the reload waited for the old queries, not for a timeout');
  }
  assert.deepEqual(lines.filter((l) => l.includes('closed network connection')), []);
});
