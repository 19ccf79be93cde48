// `podns explain` end to end: the real CLI process, sending its queries to a scripted upstream
// (src/testing/upstream.ts) on 127.0.0.1 given with --server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RRClass, RRType, Rcode } from '../../src/dns/types.ts';
import type { Message } from '../../src/dns/types.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import type { Script, Upstream } from '../../src/testing/upstream.ts';
import { CLI, ROOT, freePort, tempDir } from '../integration/harness.ts';

const CLUSTER_FIRST = 'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';

const dir = tempDir('podns-explain-');
const resolvConf = join(dir, 'resolv.conf');
const hostsFile = join(dir, 'hosts');
writeFileSync(resolvConf, CLUSTER_FIRST);
const shortConf = join(dir, 'short.conf');
writeFileSync(shortConf, 'nameserver 10.96.0.10\noptions timeout:1 attempts:1\n');
writeFileSync(hostsFile, '127.0.0.1 localhost\n10.1.2.3 db.example db\n');

let up: Upstream;
before(async () => { up = await startUpstream(() => 'drop'); });
after(async () => { await up.close(); });

interface Ran { code: number; stdout: string; stderr: string }

/** Runs the CLI asynchronously: the upstream answers from this very process. */
function podns(args: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'explain', ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Answers names in `zone` (lower case, absolute) with their A/AAAA lists; NXDOMAIN for the rest. */
function zone(names: Record<string, { A?: string[]; AAAA?: string[] }>): Script {
  return (q: Message) => {
    const { name, type } = q.questions[0]!;
    const entry = names[name.toLowerCase()];
    if (entry === undefined) return answerTo(q, { rcode: Rcode.NXDOMAIN });
    const list = type === RRType.A ? entry.A ?? [] : type === RRType.AAAA ? entry.AAAA ?? [] : [];
    return answerTo(q, { answers: list.map((data) => ({ name, type: type as 1 | 28, class: RRClass.IN, ttl: 30, data })) });
  };
}

function reset(script: Script): void {
  up.queries.length = 0;
  up.setScript(script);
}

const asked = (): string[] => up.queries.map((q) => `${q.msg.questions[0]!.name} ${q.msg.questions[0]!.type === RRType.A ? 'A' : 'AAAA'} ${q.transport}`);
const EXAMPLE = { 'example.com.': { A: ['93.184.215.14'], AAAA: ['2606:2800:21f:cb07::1'] } };

describe('podns explain', () => {
  test('an external name under ClusterFirst: the search list is walked, 8 queries, then the answer', async () => {
    reset(zone(EXAMPLE));
    const r = await podns(['example.com', '--resolv-conf', resolvConf, '--server', up.address]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(asked().sort(), [
      'example.com.ns.svc.cluster.local.', 'example.com.svc.cluster.local.', 'example.com.cluster.local.', 'example.com.',
    ].flatMap((n) => [`${n} A udp`, `${n} AAAA udp`]).sort());
    assert.deepEqual(asked().slice(6).map((s) => s.split(' ')[0]), ['example.com.', 'example.com.'], 'the name as typed comes last');
    assert.match(r.stdout, /^ {2}#1 example\.com\.ns\.svc\.cluster\.local\. A udp .* NXDOMAIN /m);
    assert.match(r.stdout, /^ {2}#7 example\.com\. A udp .* NOERROR 93\.184\.215\.14 /m);
    assert.match(r.stdout, /^result: 2606:2800:21f:cb07::1 93\.184\.215\.14 /m);
    assert.match(r.stdout, /^totals: 8 queries, 4 round trips, \d+ ms$/m);
    assert.match(r.stdout, /^verdict: 8 queries for one external name: write example\.com\. \(trailing dot\) or set ndots:1$/m);
  });

  test('a trailing dot: 2 queries, one round trip', async () => {
    reset(zone(EXAMPLE));
    const r = await podns(['example.com.', '--resolv-conf', resolvConf, '--server', up.address]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(asked().sort(), ['example.com. A udp', 'example.com. AAAA udp']);
    assert.match(r.stdout, /^totals: 2 queries, 1 round trip, \d+ ms$/m);
    assert.match(r.stdout, /^verdict: 1 round trip: fine$/m);
  });

  test('a cluster name answered on the first candidate', async () => {
    reset(zone({ 'web.ns.svc.cluster.local.': { A: ['10.96.3.7'] } }));
    const r = await podns(['web', '--resolv-conf', resolvConf, '--server', up.address, '--resolver', 'musl']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(asked().sort(), ['web.ns.svc.cluster.local. A udp', 'web.ns.svc.cluster.local. AAAA udp']);
    assert.match(r.stdout, /^result: 10\.96\.3\.7 {2}\(from dns: web\.ns\.svc\.cluster\.local\.\)$/m);
    assert.match(r.stdout, /^verdict: 1 round trip: fine$/m);
  });

  test('NXDOMAIN everywhere: EAI_NONAME, exit status 1', async () => {
    reset(zone({}));
    const r = await podns(['nope', '--resolv-conf', resolvConf, '--server', up.address]);
    assert.equal(r.code, 1);
    assert.equal(up.queries.length, 8);
    assert.match(r.stdout, /^result: EAI_NONAME$/m);
    assert.match(r.stdout, /^verdict: .*does not exist.*EAI_NONAME/m);
  });

  test('a name in --hosts: no query at all', async () => {
    reset(zone(EXAMPLE));
    const r = await podns(['db', '--resolv-conf', resolvConf, '--hosts', hostsFile, '--server', up.address]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(up.queries.length, 0);
    assert.match(r.stdout, /^result: 10\.1\.2\.3 {2}\(from hosts: db\)$/m);
    assert.match(r.stdout, /^totals: 0 queries, 0 round trips, \d+ ms$/m);
    assert.match(r.stdout, /^verdict: answered from \/etc\/hosts: no DNS query$/m);
  });

  test('--json', async () => {
    reset(zone(EXAMPLE));
    const r = await podns(['example.com', '--resolv-conf', resolvConf, '--server', up.address, '--json', '--family', 'inet']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      queries: Array<{ name: string; type: string; rcode: string | null; answers: string[]; ms: number }>;
      result: { addrs: string[]; error: string | null };
      totals: { queries: number; roundTrips: number; ms: number };
    };
    assert.deepEqual(j.queries.map((q) => [q.name, q.type, q.rcode, q.answers]), [
      ['example.com.ns.svc.cluster.local.', 'A', 'NXDOMAIN', []],
      ['example.com.svc.cluster.local.', 'A', 'NXDOMAIN', []],
      ['example.com.cluster.local.', 'A', 'NXDOMAIN', []],
      ['example.com.', 'A', 'NOERROR', ['93.184.215.14']],
    ]);
    for (const q of j.queries) assert.equal(typeof q.ms, 'number');
    assert.deepEqual(j.result, { ...j.result, addrs: ['93.184.215.14'], error: null });
    assert.deepEqual([j.totals.queries, j.totals.roundTrips, typeof j.totals.ms], [4, 4, 'number']);

    reset(zone({}));
    const f = await podns(['nope.', '--resolv-conf', resolvConf, '--server', up.address, '--json']);
    assert.equal(f.code, 1);
    const jf = JSON.parse(f.stdout) as { result: { addrs: string[]; error: string | null } };
    assert.deepEqual([jf.result.addrs, jf.result.error], [[], 'EAI_NONAME']);
  });

  test('NODATA mid-search: glibc goes on, musl stops (EAI_NODATA; 1.2.3: EAI_NONAME)', async () => {
    const script = zone({ 'web.svc.cluster.local.': {}, 'web.cluster.local.': { A: ['10.0.0.9'] } });
    reset(script);
    const g = await podns(['web', '--resolv-conf', resolvConf, '--server', up.address, '--resolver', 'glibc']);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(up.queries.length, 6);
    assert.match(g.stdout, /^result: 10\.0\.0\.9 /m);

    reset(script);
    const m = await podns(['web', '--resolv-conf', resolvConf, '--server', up.address, '--resolver', 'musl']);
    assert.equal(m.code, 1);
    assert.equal(up.queries.length, 4);
    assert.match(m.stdout, /^result: EAI_NODATA$/m);
    assert.match(m.stdout, /musl stops the search here/);

    reset(script);
    const old = await podns(['web', '--resolv-conf', resolvConf, '--server', up.address, '--resolver', 'musl-1.2.3']);
    assert.equal(old.code, 1);
    assert.equal(up.queries.length, 4);
    assert.match(old.stdout, /^result: EAI_NONAME$/m);
  });

  test('a truncated UDP reply: glibc asks again over TCP', async () => {
    const answers = zone(EXAMPLE);
    reset((q, transport) => (transport === 'udp' ? answerTo(q, { tc: true }) : answers(q, transport)));
    const r = await podns(['example.com.', '--resolv-conf', resolvConf, '--server', up.address]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(asked().sort(), ['example.com. A tcp', 'example.com. A udp', 'example.com. AAAA tcp', 'example.com. AAAA udp']);
    assert.match(r.stdout, /^ {2}#\d example\.com\. A udp .* truncated \(TC=1\)/m);
    assert.match(r.stdout, /^result: 2606:2800:21f:cb07::1 93\.184\.215\.14 /m);
  });

  test('no reply: each query waits the resolver\'s timeout, then EAI_AGAIN', async () => {
    reset(() => 'drop');
    const r = await podns(['x.example.', '--resolv-conf', shortConf, '--server', up.address]);
    assert.equal(r.code, 1);
    assert.equal(up.queries.length, 2);
    assert.match(r.stdout, /^ {2}#1 x\.example\. A udp .* no reply \(timeout\) {2}1\d\d\d ms /m);
    assert.match(r.stdout, /^result: EAI_AGAIN$/m);
    assert.match(r.stdout, /^verdict: .*2 timeouts cost most of the \d+ ms/m);
  });

  test('nothing listening: unreachable, glibc gives up at once', async () => {
    const port = await freePort();
    const r = await podns(['x.example.', '--resolv-conf', shortConf, '--server', `127.0.0.1:${port}`, '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as { queries: Array<{ outcome: string | null }>; result: { error: string }; totals: { ms: number } };
    assert.equal(j.queries[0]!.outcome, 'unreachable');
    assert.equal(j.result.error, 'EAI_AGAIN');
    assert.ok(j.totals.ms < 900, `no timeout waited (${j.totals.ms} ms)`);
  });

  test('usage errors: exit status 2', async () => {
    assert.equal((await podns(['example.com'])).code, 2);
    assert.equal((await podns(['example.com', '--resolv-conf', resolvConf, '--resolver', 'bionic'])).code, 2);
    assert.equal((await podns(['example.com', '--resolv-conf', resolvConf, '--server', 'nowhere:x'])).code, 2);
    const missing = await podns(['example.com', '--resolv-conf', join(dir, 'absent')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--resolv-conf .*absent/);
  });
});
