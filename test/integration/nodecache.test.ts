// `podns nodecache` on a node, the node being a network namespace of its own (root only): the
// real `ip` and `iptables`, the interface holding both local IPs, node-cache's NOTRACK/ACCEPT
// rules, answers on both IPs from dig, and what is left after SIGTERM with and without
// --skip-teardown, in bind-only mode, and after a failed start.
//
// Inside the namespace, as on a node running NodeLocal DNSCache: a scripted upstream on
// 127.0.0.153:53 named by the namespace's /etc/resolv.conf (/etc/netns/NS/resolv.conf, which
// `ip netns exec` mounts over /etc/resolv.conf), the cluster DNS (`podns serve` over
// examples/cluster) on 127.0.0.11:53 as the kube-dns-upstream Service, and the node cache on
// 169.254.20.10 and 10.96.0.10 with NodeLocal DNSCache's Corefile. Every process is stopped by
// its PID; the namespace and its /etc/netns folder are deleted in after().
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, ROOT, parseDig, run, tempDir } from './harness.ts';
import type { DigResult } from './harness.ts';

const NS = `podns-nc-${randomBytes(4).toString('hex')}`;
const NETNS_ETC = '/etc/netns';
const EXAMPLES = join(ROOT, 'examples/cluster');
const LOCAL_IPS = '169.254.20.10,10.96.0.10';

/** Why the test cannot run here, or null; creates the namespace when it can. */
async function unavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root: it creates a network namespace, an interface and iptables rules';
  for (const cmd of ['ip', 'iptables', 'dig']) {
    try { await run('sh', ['-c', `command -v ${cmd}`]); } catch { return `${cmd} is not installed (.ci/run installs it)`; }
  }
  try {
    await run('ip', ['netns', 'add', NS]);
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  try {
    await inNs('ip', 'link', 'set', 'dev', 'lo', 'up');
    await inNs('iptables', '-t', 'raw', '-S');
  } catch (err) {
    await run('ip', ['netns', 'del', NS]).catch(() => {});
    return `cannot use the namespace (ip netns exec, iptables -t raw): ${(err as Error).message.split('\n')[0]}`;
  }
  return null;
}

function inNs(...args: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', NS, ...args]);
}

async function ok(...args: string[]): Promise<boolean> {
  try { await inNs(...args); return true; } catch { return false; }
}

function digIn(server: string, ...args: string[]): Promise<DigResult> {
  return inNs('dig', `@${server}`, '+tries=1', '+time=3', '+nocookie', ...args).then(parseDig);
}

/** The rules of a table, without the chain policies (`-P …`). */
async function rules(table: 'raw' | 'filter'): Promise<string[]> {
  return (await inNs('iptables', '-t', table, '-S')).split('\n').filter((l) => l.startsWith('-A ')).sort();
}

/** What `iptables -S` prints for node-cache's rules of both IPs. */
function expectedRules(table: 'raw' | 'filter'): string[] {
  const out: string[] = [];
  for (const ip of LOCAL_IPS.split(',')) {
    for (const p of ['tcp', 'udp']) {
      if (table === 'raw') {
        out.push(`-A PREROUTING -d ${ip}/32 -p ${p} -m ${p} --dport 53 -j NOTRACK`);
        out.push(`-A OUTPUT -s ${ip}/32 -p ${p} -m ${p} --sport 53 -j NOTRACK`);
        out.push(`-A OUTPUT -d ${ip}/32 -p ${p} -m ${p} --dport 53 -j NOTRACK`);
      } else {
        out.push(`-A INPUT -d ${ip}/32 -p ${p} -m ${p} --dport 53 -j ACCEPT`);
        out.push(`-A OUTPUT -s ${ip}/32 -p ${p} -m ${p} --sport 53 -j ACCEPT`);
      }
    }
    if (table === 'raw') {
      out.push(`-A OUTPUT -d ${ip}/32 -p tcp -m tcp --dport 8080 -j NOTRACK`);
      out.push(`-A OUTPUT -s ${ip}/32 -p tcp -m tcp --sport 8080 -j NOTRACK`);
    }
  }
  return out.sort();
}

async function addresses(dev: string): Promise<string[]> {
  const out = await inNs('ip', '-o', '-4', 'addr', 'show', 'dev', dev);
  return [...out.matchAll(/inet (\S+)/g)].map((m) => m[1]!).sort();
}

interface Proc {
  readonly pid: number;
  stderr(): string;
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr', ms?: number): Promise<void>;
  readonly exit: Promise<number | null>;
  /** SIGTERM by PID; resolves to the exit status. */
  stop(): Promise<number | null>;
}

const running = new Set<Proc>();

function startInNs(args: readonly string[], env: Record<string, string> = {}): Proc {
  // `ip netns exec` execs the command in place, so the PID is node's own.
  const child = spawn('ip', ['netns', 'exec', NS, process.execPath, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const wake = (): void => { for (const w of waiters.splice(0)) w(); };
  child.stdout!.on('data', (c: Buffer) => { out.stdout += c.toString(); wake(); });
  child.stderr!.on('data', (c: Buffer) => { out.stderr += c.toString(); wake(); });
  let exited = false;
  const exit = new Promise<number | null>((res) => child.once('exit', (code) => { exited = true; running.delete(proc); wake(); res(code); }));
  const proc: Proc = {
    pid: child.pid!,
    stderr: () => out.stderr,
    exit,
    waitFor: (text, stream = 'stderr', ms = 15_000) => new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stderr:\n${out.stderr}`)), ms);
      const check = (): void => {
        const s = out[stream];
        if (typeof text === 'string' ? s.includes(text) : text.test(s)) { clearTimeout(deadline); resolve(); return; }
        if (exited) { clearTimeout(deadline); reject(new Error(`exited (${child.exitCode}) before ${String(text)}; stderr:\n${out.stderr}`)); return; }
        waiters.push(check);
      };
      check();
    }),
    stop: async () => {
      if (!exited) process.kill(child.pid!, 'SIGTERM');
      return exit;
    },
  };
  running.add(proc);
  return proc;
}

/** NodeLocal DNSCache's ConfigMap, with what its install instructions fill by sed already filled
 * (the domain, and the health address), and the rest left to podns as to node-cache. */
const NODELOCAL_COREFILE = readFileSync(join(ROOT, 'test/fixtures/corefiles/nodelocaldns.Corefile'), 'utf8')
  // The domain and the health address filled, as NodeLocal DNSCache's manifest ships them; node-cache fills the rest.
  .replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local').replace('health __PILLAR__LOCAL__DNS__:8080', 'health 169.254.20.10:8080');

/** The cluster DNS behind the kube-dns-upstream Service. */
const CLUSTER_COREFILE = `.:53 {
    errors
    bind 127.0.0.11
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . /etc/resolv.conf
    cache 30
    loop
}
`;

const reason = await unavailable();

describe('podns nodecache in a network namespace', () => {
  let dir: string;
  let conf: string;
  let createdNetnsEtc = false;

  function nodecache(...extra: string[]): Proc {
    return startInNs([CLI, 'nodecache', '--localip', LOCAL_IPS, '--conf', conf, '--manifests', EXAMPLES, '--upstream-svc', 'kube-dns-upstream', ...extra],
      { KUBE_DNS_UPSTREAM_SERVICE_HOST: '127.0.0.11' });
  }

  async function assertAnswers(): Promise<void> {
    for (const server of ['169.254.20.10', '10.96.0.10']) {
      for (const proto of ['+notcp', '+tcp']) {
        const r = await digIn(server, proto, 'web.shop.svc.cluster.local', 'A');
        assert.equal(r.status, 'NOERROR', `${server} ${proto}\n${r.raw}`);
        assert.deepEqual(r.answer.map((l) => l.replace(/ \d+ IN /, ' IN ')), ['web.shop.svc.cluster.local. IN A 10.96.100.10'], `${server} ${proto}`);
      }
    }
  }

  async function assertNothingLeft(): Promise<void> {
    assert.deepEqual(await rules('raw'), []);
    assert.deepEqual(await rules('filter'), []);
    assert.equal(await ok('ip', 'link', 'show', 'dev', 'nodelocaldns'), false, 'the interface is gone');
    assert.equal(await ok('ip', 'link', 'show', 'dev', 'nodelocald-peer'), false, 'the veth peer is gone');
  }

  before(async () => {
    if (reason !== null) return;
    dir = tempDir('podns-nodecache-');
    conf = join(dir, 'Corefile');
    writeFileSync(conf, NODELOCAL_COREFILE);
    const clusterConf = join(dir, 'Corefile.cluster');
    writeFileSync(clusterConf, CLUSTER_COREFILE);
    createdNetnsEtc = !existsSync(NETNS_ETC);
    mkdirSync(join(NETNS_ETC, NS), { recursive: true });
    writeFileSync(join(NETNS_ETC, NS, 'resolv.conf'), 'nameserver 127.0.0.153\n');
    const upstream = startInNs([join(ROOT, 'test/integration/netns-upstream.ts'), '127.0.0.153', '53']);
    await upstream.waitFor('ready', 'stdout');
    const cluster = startInNs([CLI, 'serve', '--conf', clusterConf, '--manifests', EXAMPLES]);
    await cluster.waitFor(/podns-\d/);
  });

  after(async () => {
    if (reason !== null) return;
    for (const p of [...running]) await p.stop();
    await run('ip', ['netns', 'del', NS]).catch(() => {});
    rmSync(join(NETNS_ETC, NS), { recursive: true, force: true });
    if (createdNetnsEtc && existsSync(NETNS_ETC) && readdirSync(NETNS_ETC).length === 0) rmdirSync(NETNS_ETC);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('sets up the interface and rules, answers on both IPs, restores a deleted rule, and tears everything down on SIGTERM', async (t) => {
    if (reason !== null) { t.skip(reason); return; }
    const nc = nodecache('--sync-interval', '1');
    await nc.waitFor(/podns-\d/);
    const kind = /\b(veth|dummy)\b/.exec(await inNs('ip', '-d', 'link', 'show', 'dev', 'nodelocaldns'))?.[1];
    if (kind === 'veth') {
      assert.match(nc.stderr(), /\[WARNING\] nodecache: this kernel has no dummy interface driver .*Unknown device type.*using a veth pair nodelocaldns\/nodelocald-peer/);
      assert.match(await inNs('ip', 'link', 'show', 'dev', 'nodelocald-peer'), /state UP|,UP/);
    } else {
      assert.equal(kind, 'dummy');
    }
    assert.deepEqual(await addresses('nodelocaldns'), ['10.96.0.10/32', '169.254.20.10/32']);
    assert.deepEqual(await rules('raw'), expectedRules('raw'));
    assert.deepEqual(await rules('filter'), expectedRules('filter'));
    assert.match(nc.stderr(), /nodecache: 24 iptables rules in place \(24 added, 0 already present\)/);

    await assertAnswers();
    // __PILLAR__UPSTREAM__SERVERS__ became /etc/resolv.conf: the namespace's, naming the scripted upstream.
    const ext = await digIn('169.254.20.10', 'example.com', 'A');
    assert.deepEqual(ext.answer.map((l) => l.replace(/ \d+ IN /, ' IN ')), ['example.com. IN A 93.184.215.14']);
    // __PILLAR__CLUSTER__DNS__ became 127.0.0.11 ($KUBE_DNS_UPSTREAM_SERVICE_HOST): reverse names go there too.
    const ptr = await digIn('10.96.0.10', '-x', '10.96.100.10');
    assert.match(ptr.answer[0] ?? '', /PTR web\.shop\.svc\.cluster\.local\.$/);

    // The periodic check puts back a rule something else removed.
    await inNs('iptables', '-t', 'raw', '-D', 'PREROUTING', '-p', 'udp', '-d', '169.254.20.10', '--dport', '53', '-j', 'NOTRACK');
    await nc.waitFor('nodecache: added back iptables rule -t raw PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK', 'stderr', 5000);
    assert.deepEqual(await rules('raw'), expectedRules('raw'));

    assert.equal(await nc.stop(), 0);
    assert.match(nc.stderr(), /SIGTERM: shutting down[\s\S]*nodecache: removed 24 iptables rules, interface nodelocaldns \((veth|dummy)\)/);
    await assertNothingLeft();
  });

  test('--skip-teardown leaves them in place; a later run finds them, adds nothing and so removes nothing', async (t) => {
    if (reason !== null) { t.skip(reason); return; }
    const first = nodecache('--skip-teardown');
    await first.waitFor(/podns-\d/);
    assert.equal(await first.stop(), 0);
    assert.match(first.stderr(), /--skip-teardown: leaving the interface and iptables rules in place/);
    assert.deepEqual(await addresses('nodelocaldns'), ['10.96.0.10/32', '169.254.20.10/32']);
    assert.deepEqual(await rules('raw'), expectedRules('raw'));
    assert.deepEqual(await rules('filter'), expectedRules('filter'));

    const second = nodecache();
    await second.waitFor(/podns-\d/);
    assert.match(second.stderr(), /nodecache: 24 iptables rules in place \(0 added, 24 already present\)/);
    assert.doesNotMatch(second.stderr(), /created interface/);
    assert.deepEqual(await rules('raw'), expectedRules('raw'), 'no rule twice');
    await assertAnswers();
    assert.equal(await second.stop(), 0);
    assert.doesNotMatch(second.stderr(), /tearing down/);
    assert.deepEqual(await addresses('nodelocaldns'), ['10.96.0.10/32', '169.254.20.10/32']);
    assert.deepEqual(await rules('raw'), expectedRules('raw'));

    await inNs('ip', 'link', 'del', 'dev', 'nodelocaldns');
    await inNs('iptables', '-t', 'raw', '-F');
    await inNs('iptables', '-t', 'filter', '-F');
    await assertNothingLeft();
  });

  test('bind-only (--setup-interface=false --setup-iptables=false): serves addresses set up by someone else and touches nothing', async (t) => {
    if (reason !== null) { t.skip(reason); return; }
    for (const ip of LOCAL_IPS.split(',')) await inNs('ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo');
    try {
      const nc = nodecache('--setup-interface=false', '--setup-iptables=false');
      await nc.waitFor(/podns-\d/);
      assert.match(nc.stderr(), /nodecache: bind-only mode/);
      await assertAnswers();
      await assertNothingLeft();
      assert.equal(await nc.stop(), 0);
      await assertNothingLeft();
      assert.deepEqual((await addresses('lo')).filter((a) => !a.startsWith('127.')), ['10.96.0.10/32', '169.254.20.10/32'], 'the addresses on lo are left alone');
    } finally {
      for (const ip of LOCAL_IPS.split(',')) await inNs('ip', 'addr', 'del', `${ip}/32`, 'dev', 'lo').catch(() => '');
    }
  });

  test('a start that fails after the interface was made (an address no interface holds) undoes it and exits 1', async (t) => {
    if (reason !== null) { t.skip(reason); return; }
    const bad = join(dir, 'Corefile.bad');
    writeFileSync(bad, '.:53 {\n    bind __PILLAR__LOCAL__DNS__ 10.96.0.99\n    forward . __PILLAR__UPSTREAM__SERVERS__\n}\n');
    const nc = startInNs([CLI, 'nodecache', '--localip', LOCAL_IPS, '--conf', bad]);
    assert.equal(await nc.exit, 1);
    assert.match(nc.stderr(), /nodecache: interface nodelocaldns holds/);
    assert.match(nc.stderr(), /\[ERROR\] .*EADDRNOTAVAIL.*10\.96\.0\.99/);
    assert.match(nc.stderr(), /nodecache: tearing down after the failed start/);
    await assertNothingLeft();
  });

  test('a Corefile that cannot be filled fails before touching the node', async (t) => {
    if (reason !== null) { t.skip(reason); return; }
    const nc = startInNs([CLI, 'nodecache', '--localip', LOCAL_IPS, '--conf', conf, '--upstream-svc', 'podns-test-unset']);
    assert.equal(await nc.exit, 1);
    assert.match(nc.stderr(), /Corefile:10 - Error during setup: __PILLAR__CLUSTER__DNS__: \$PODNS_TEST_UNSET_SERVICE_HOST is not set/);
    await assertNothingLeft();
  });
});

// The skip reason, when there is one, is the describe's; say it on stderr too for CI logs.
if (reason !== null) process.stderr.write(`nodecache integration test skipped: ${reason}\n`);