/**
 * The scripted nameservers for test/explain/reality.test.ts, as a process of its own inside the
 * test's network namespace: `ip netns exec NS node test/explain/netns-dns.ts 127.0.0.1 127.0.0.2`.
 *
 * One scripted upstream (src/testing/upstream.ts) on port 53 of each address, answering by the
 * rules in rules.ts and recording every query it receives, in arrival order across all of them.
 * Commands, one JSON object per line on stdin; one JSON line answers each on stdout:
 *   {"rules": [...]}  replace the rules and clear the log   → {"ok": true}
 *   {"log": true}     the queries since the last clear, then clear → {"queries": [...]}
 * Prints {"ready": [...addresses]} once listening; exits when stdin closes or on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { RRType } from '../../src/dns/types.ts';
import type { Message } from '../../src/dns/types.ts';
import { rr } from '../../src/testing/rr.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import type { Upstream, UpstreamTransport } from '../../src/testing/upstream.ts';
import { decide } from './rules.ts';
import type { Rule } from './rules.ts';

interface Logged {
  readonly name: string;
  readonly type: string;
  readonly transport: UpstreamTransport;
  readonly server: string;
  readonly edns: number | null;
  readonly ad: boolean;
}

const SOA = (name: string) => rr(`${name} 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30`);

let rules: Rule[] = [];
let log: Logged[] = [];

function script(server: string) {
  return (q: Message, transport: UpstreamTransport) => {
    const question = q.questions[0]!;
    const type = question.type === RRType.A ? 'A' : question.type === RRType.AAAA ? 'AAAA' : String(question.type);
    log.push({ name: question.name, type, transport, server, edns: q.edns === null ? null : q.edns.udpSize, ad: q.ad });
    if (type !== 'A' && type !== 'AAAA') return answerTo(q, { rcode: 4 });
    const o = decide(rules, { name: question.name, type, transport, server });
    switch (o.kind) {
      case 'answer':
        return answerTo(q, { aa: true, answers: o.addresses.map((a) => rr(`${question.name} 30 IN ${type} ${a}`)) });
      case 'nodata': return answerTo(q, { aa: true, authorities: [SOA('cluster.local.')] });
      case 'nxdomain': return answerTo(q, { aa: true, rcode: 3, authorities: [SOA('cluster.local.')] });
      case 'servfail': return answerTo(q, { rcode: 2 });
      case 'refused': return answerTo(q, { rcode: 5 });
      case 'truncated': return answerTo(q, { aa: true, tc: true });
      default: return 'drop' as const;
    }
  };
}

const addresses = process.argv.slice(2);
const upstreams: Upstream[] = [];
for (const host of addresses) upstreams.push(await startUpstream(script(host), 53, host));
process.stdout.write(`${JSON.stringify({ ready: addresses })}\n`);

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const cmd = JSON.parse(line) as { rules?: Rule[]; log?: boolean };
  if (cmd.rules !== undefined) {
    rules = cmd.rules;
    log = [];
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } else if (cmd.log === true) {
    process.stdout.write(`${JSON.stringify({ queries: log })}\n`);
    log = [];
  }
});
const stop = (): void => { void Promise.all(upstreams.map((u) => u.close())).then(() => process.exit(0)); };
rl.on('close', stop);
process.once('SIGTERM', stop);
