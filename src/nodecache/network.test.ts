// Which commands setup, the periodic check and teardown run, against a fake `ip`/`iptables`
// that keeps a model of links, addresses and rules, so idempotence and "teardown removes exactly
// what setup added" are checked on whole command lists.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../core/log.ts';
import type { Logger } from '../core/log.ts';
import { NodeCacheError, NodeCacheNetwork } from './network.ts';
import type { NetworkOptions, SetupErrorType } from './network.ts';
import type { Command } from './rules.ts';
import type { CommandResult, Runner } from './run.ts';

/** A kernel model behind fake `ip` and `iptables` commands; `fail` makes chosen command lines fail. */
class FakeHost {
  readonly links = new Map<string, { kind: string; up: boolean; addresses: string[] }>();
  readonly rules = new Set<string>();
  readonly log: string[] = [];
  dummy = true;
  fail: (line: string) => CommandResult | null = () => null;

  readonly run: Runner = async (cmd: Command): Promise<CommandResult> => {
    const line = cmd.join(' ');
    this.log.push(line);
    const forced = this.fail(line);
    if (forced !== null) return forced;
    const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
    const err = (stderr: string, code = 1): CommandResult => ({ code, stdout: '', stderr });
    const [bin, ...a] = cmd;
    if (bin === 'iptables' || bin === 'ip6tables') {
      const op = a[4]!;
      const key = [a[3], ...a.slice(5)].join(' ');
      if (op === '-C') return this.rules.has(key) ? ok() : err('iptables: Bad rule (does a matching rule exist in that chain?).');
      if (op === '-I') { this.rules.add(key); return ok(); }
      if (op === '-D') return this.rules.delete(key) ? ok() : err('iptables: Bad rule (does a matching rule exist in that chain?).');
    }
    if (bin === 'ip') {
      const missing = (n: string): CommandResult => err(`Device "${n}" does not exist.`);
      if (a[0] === 'link' && a[1] === 'show') return this.links.has(a[3]!) ? ok(`3: ${a[3]}: <BROADCAST,NOARP>`) : missing(a[3]!);
      if (a[0] === 'link' && a[1] === 'add') {
        const kind = a[4]!;
        if (kind === 'dummy' && !this.dummy) return err('Error: Unknown device type.', 2);
        this.links.set(a[2]!, { kind, up: false, addresses: [] });
        if (kind === 'veth') this.links.set(a[7]!, { kind, up: false, addresses: [] });
        return ok();
      }
      if (a[0] === 'link' && a[1] === 'set') { const l = this.links.get(a[3]!); if (l === undefined) return missing(a[3]!); l.up = true; return ok(); }
      if (a[0] === 'link' && a[1] === 'del') {
        const l = this.links.get(a[3]!);
        if (l === undefined) return err(`Cannot find device "${a[3]}"`);
        this.links.delete(a[3]!);
        if (l.kind === 'veth') for (const [n, o] of this.links) if (o.kind === 'veth' && n.endsWith('-peer')) this.links.delete(n);
        return ok();
      }
      if (a[0] === '-o' && a[1] === 'addr') {
        const l = this.links.get(a[4]!);
        return l === undefined ? missing(a[4]!) : ok(l.addresses.map((x) => `3: ${a[4]}    inet ${x} scope global ${a[4]}\\`).join('\n'));
      }
      if (a[0] === 'addr') {
        const l = this.links.get(a[4]!);
        if (l === undefined) return err(`Cannot find device "${a[4]}"`);
        if (a[1] === 'add') {
          if (l.addresses.includes(a[2]!)) return err('RTNETLINK answers: File exists', 2);
          l.addresses.push(a[2]!);
          return ok();
        }
        const i = l.addresses.indexOf(a[2]!);
        if (i < 0) return err('RTNETLINK answers: Cannot assign requested address', 2);
        l.addresses.splice(i, 1);
        return ok();
      }
    }
    throw new Error(`unexpected command ${line}`);
  };

  take(): string[] { return this.log.splice(0); }
}

const OPTIONS: NetworkOptions = {
  localIps: ['169.254.20.10', '10.96.0.10'], family: 4, interfaceName: 'nodelocaldns',
  setupInterface: true, setupIptables: true, dnsPort: 53, healthPort: 8080,
};

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), raw: () => {},
    plugin: () => log,
  };
  return { log, lines };
}

const check = (op: string, rule: string): string => `iptables -w 5 -t ${rule.split(' ')[0]} ${op} ${rule.split(' ').slice(1).join(' ')}`;
const FIRST_RULE = 'raw PREROUTING -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK';

describe('NodeCacheNetwork', () => {
  test('fresh node: a dummy interface with both /32 addresses, then 24 rules each checked and inserted', async () => {
    const host = new FakeHost();
    const net = new NodeCacheNetwork(OPTIONS, host.run, silentLogger);
    await net.ensureInterface();
    assert.deepEqual(host.take(), [
      'ip link show dev nodelocaldns',
      'ip link add nodelocaldns type dummy',
      'ip link set dev nodelocaldns up',
      'ip addr add 169.254.20.10/32 dev nodelocaldns',
      'ip addr add 10.96.0.10/32 dev nodelocaldns',
    ]);
    await net.ensureIptables();
    const cmds = host.take();
    assert.equal(cmds.length, 48);
    assert.deepEqual(cmds.slice(0, 2), [check('-C', FIRST_RULE), check('-I', FIRST_RULE)]);
    assert.equal(host.rules.size, 24);
    assert.deepEqual(net.added().link, 'dummy');
    assert.equal(net.added().rules.length, 24);

    assert.deepEqual(await net.teardown(), []);
    const down = host.take();
    assert.equal(down.length, 25);
    assert.ok(down.slice(0, 24).every((c) => c.startsWith('iptables -w 5 -t ') && c.split(' ')[5] === '-D'));
    assert.equal(down[23], check('-D', FIRST_RULE), 'rules come out last-in first-out');
    assert.equal(down[24], 'ip link del dev nodelocaldns');
    assert.equal(host.rules.size, 0);
    assert.equal(host.links.size, 0);
  });

  test('no dummy driver: a veth pair, both ends up, with a warning; teardown deletes the pair', async () => {
    const host = new FakeHost();
    host.dummy = false;
    const { log, lines } = capture();
    const net = new NodeCacheNetwork({ ...OPTIONS, setupIptables: false }, host.run, log);
    await net.ensureInterface();
    assert.deepEqual(host.take(), [
      'ip link show dev nodelocaldns',
      'ip link add nodelocaldns type dummy',
      'ip link add nodelocaldns type veth peer name nodelocald-peer',
      'ip link set dev nodelocaldns up',
      'ip link set dev nodelocald-peer up',
      'ip addr add 169.254.20.10/32 dev nodelocaldns',
      'ip addr add 10.96.0.10/32 dev nodelocaldns',
    ]);
    assert.ok(lines.some((l) => /^W nodecache: this kernel has no dummy interface driver .*Unknown device type.*veth pair nodelocaldns\/nodelocald-peer/.test(l)), lines.join('\n'));
    assert.equal(net.added().link, 'veth');
    await net.teardown();
    assert.deepEqual(host.take(), ['ip link del dev nodelocaldns']);
    assert.equal(host.links.size, 0);
  });

  test('a dummy failure other than a missing driver is an error, with nothing to undo', async () => {
    const host = new FakeHost();
    host.fail = (l) => (l.includes('type dummy') ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: Operation not permitted' } : null);
    const errors: SetupErrorType[] = [];
    const net = new NodeCacheNetwork(OPTIONS, host.run, silentLogger, (t) => errors.push(t));
    await assert.rejects(net.ensureInterface(), (e: unknown) => e instanceof NodeCacheError && e.code === 'PODNS_ERR_NODECACHE_SETUP'
      && e.message === 'nodecache: cannot create interface nodelocaldns: ip link add nodelocaldns type dummy: RTNETLINK answers: Operation not permitted');
    assert.deepEqual(errors, ['interface_add']);
    assert.deepEqual(net.added(), { link: null, addresses: [], rules: [] });
    assert.ok(!host.log.some((l) => l.includes('veth')));
  });

  test('already set up (a previous run with --skip-teardown): nothing is added, so nothing is removed', async () => {
    const host = new FakeHost();
    const first = new NodeCacheNetwork(OPTIONS, host.run, silentLogger);
    await first.ensureInterface();
    await first.ensureIptables();
    host.take();
    const second = new NodeCacheNetwork(OPTIONS, host.run, silentLogger);
    await second.ensureInterface();
    await second.ensureIptables();
    const cmds = host.take();
    assert.deepEqual(cmds.slice(0, 2), ['ip link show dev nodelocaldns', 'ip -o addr show dev nodelocaldns']);
    assert.equal(cmds.length, 2 + 24);
    assert.ok(cmds.slice(2).every((c) => c.split(' ')[5] === '-C'), 'only checks');
    assert.deepEqual(second.added(), { link: null, addresses: [], rules: [] });
    assert.deepEqual(await second.teardown(), []);
    assert.deepEqual(host.take(), []);
    assert.equal(host.rules.size, 24);
    assert.deepEqual(host.links.get('nodelocaldns')?.addresses, ['169.254.20.10/32', '10.96.0.10/32']);
  });

  test('an existing interface lacking one IP and some rules: only those are added, and only those removed', async () => {
    const host = new FakeHost();
    host.links.set('nodelocaldns', { kind: 'dummy', up: false, addresses: ['169.254.20.10/32'] });
    host.rules.add(FIRST_RULE);
    const net = new NodeCacheNetwork(OPTIONS, host.run, silentLogger);
    await net.ensureInterface();
    assert.deepEqual(host.take(), ['ip link show dev nodelocaldns', 'ip -o addr show dev nodelocaldns', 'ip addr add 10.96.0.10/32 dev nodelocaldns']);
    await net.ensureIptables();
    assert.equal(host.take().length, 1 + 23 * 2);
    assert.deepEqual(net.added().addresses, ['10.96.0.10']);
    assert.equal(net.added().rules.length, 23);
    await net.teardown();
    const down = host.take();
    assert.equal(down.length, 24);
    assert.ok(!down.includes(check('-D', FIRST_RULE)));
    assert.equal(down[23], 'ip addr del 10.96.0.10/32 dev nodelocaldns');
    assert.deepEqual([...host.rules], [FIRST_RULE]);
    assert.deepEqual(host.links.get('nodelocaldns')?.addresses, ['169.254.20.10/32']);
  });

  test('a rule that vanished is put back by the next check, logged, and removed once at teardown', async () => {
    const host = new FakeHost();
    const { log, lines } = capture();
    const net = new NodeCacheNetwork(OPTIONS, host.run, log);
    await net.ensureInterface();
    await net.ensureIptables();
    host.rules.delete(FIRST_RULE);
    host.take();
    await net.ensureInterface();
    await net.ensureIptables();
    const again = host.take();
    assert.deepEqual(again.filter((c) => c.split(' ')[5] === '-I'), [check('-I', FIRST_RULE)]);
    assert.ok(lines.includes(`I nodecache: added back iptables rule -t ${FIRST_RULE}`));
    assert.equal(net.added().rules.length, 24);
    await net.teardown();
    assert.equal(host.take().filter((c) => c === check('-D', FIRST_RULE)).length, 1);
    assert.equal(host.rules.size, 0);
  });

  test('an interface deleted behind our back is created again by the next check', async () => {
    const host = new FakeHost();
    const net = new NodeCacheNetwork({ ...OPTIONS, setupIptables: false }, host.run, silentLogger);
    await net.ensureInterface();
    host.links.clear();
    host.take();
    await net.ensureInterface();
    assert.deepEqual(host.take().slice(0, 2), ['ip link show dev nodelocaldns', 'ip link add nodelocaldns type dummy']);
    assert.deepEqual(host.links.get('nodelocaldns')?.addresses, ['169.254.20.10/32', '10.96.0.10/32']);
  });

  test('an insert that fails stops setup with the command and iptables\' message; teardown undoes what came before', async () => {
    const host = new FakeHost();
    let inserts = 0;
    host.fail = (l) => (l.includes(' -I ') && ++inserts === 3 ? { code: 4, stdout: '', stderr: 'Another app is currently holding the xtables lock. Stopped waiting after 5s.' } : null);
    const errors: SetupErrorType[] = [];
    const net = new NodeCacheNetwork(OPTIONS, host.run, silentLogger, (t) => errors.push(t));
    await net.ensureInterface();
    await assert.rejects(net.ensureIptables(), /^NodeCacheError: nodecache: cannot add iptables rule: iptables -w 5 -t filter -I INPUT -p tcp -d 169\.254\.20\.10 --dport 53 -j ACCEPT: Another app is currently holding the xtables lock/);
    assert.deepEqual(errors, ['iptables_lock']);
    assert.equal(net.added().rules.length, 2);
    host.take();
    await net.teardown();
    assert.deepEqual(host.take(), [
      'iptables -w 5 -t raw -D PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK',
      'iptables -w 5 -t raw -D PREROUTING -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK',
      'ip link del dev nodelocaldns',
    ]);
  });

  test('a failure adding an address removes the link just created', async () => {
    const host = new FakeHost();
    host.fail = (l) => (l.startsWith('ip addr add 10.96.0.10') ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: Permission denied' } : null);
    const net = new NodeCacheNetwork(OPTIONS, host.run, silentLogger);
    await assert.rejects(net.ensureInterface(), /cannot add 10\.96\.0\.10 to nodelocaldns: ip addr add 10\.96\.0\.10\/32 dev nodelocaldns: RTNETLINK answers: Permission denied/);
    host.take();
    await net.teardown();
    assert.deepEqual(host.take(), ['ip link del dev nodelocaldns']);
  });

  test('bind-only (--setup-interface=false --setup-iptables=false): no command at all', async () => {
    const host = new FakeHost();
    const net = new NodeCacheNetwork({ ...OPTIONS, setupInterface: false, setupIptables: false }, host.run, silentLogger);
    await net.ensureInterface();
    await net.ensureIptables();
    await net.teardown();
    assert.deepEqual(host.log, []);
  });

  test('teardown goes on past a failure and reports it; a rule already gone is not a failure', async () => {
    const host = new FakeHost();
    const { log, lines } = capture();
    const net = new NodeCacheNetwork(OPTIONS, host.run, log);
    await net.ensureInterface();
    await net.ensureIptables();
    host.rules.delete(FIRST_RULE);
    host.fail = (l) => (l === 'ip link del dev nodelocaldns' ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: Operation not permitted' } : null);
    const problems = await net.teardown();
    assert.deepEqual(problems, ['ip link del dev nodelocaldns: RTNETLINK answers: Operation not permitted']);
    assert.ok(lines.includes(`I nodecache: already gone: ${check('-D', FIRST_RULE)}`));
    assert.ok(lines.includes('E nodecache: teardown: ip link del dev nodelocaldns: RTNETLINK answers: Operation not permitted'));
    assert.equal(host.rules.size, 0);
  });

  test('IPv6: ip6tables and /128 with nodad', async () => {
    const host = new FakeHost();
    const net = new NodeCacheNetwork({ ...OPTIONS, localIps: ['fd00::10'], family: 6 }, host.run, silentLogger);
    await net.ensureInterface();
    await net.ensureIptables();
    const cmds = host.take();
    assert.ok(cmds.includes('ip addr add fd00::10/128 dev nodelocaldns nodad'));
    assert.ok(cmds.filter((c) => c.startsWith('ip6tables -w 5 ')).length === 24);
  });

  test('a check and a teardown never interleave', async () => {
    const host = new FakeHost();
    const net = new NodeCacheNetwork(OPTIONS, host.run, silentLogger);
    await net.ensureInterface();
    await net.ensureIptables();
    host.take();
    const a = net.ensureIptables();
    const b = net.teardown();
    await Promise.all([a, b]);
    const cmds = host.take();
    assert.ok(cmds.slice(0, 24).every((c) => c.split(' ')[5] === '-C'));
    assert.ok(cmds.slice(24).every((c) => !c.includes(' -C ')));
    assert.equal(host.rules.size, 0);
  });
});
