// node-cache's iptables rules (cache_app.go initIptables) and the command lines that check, add
// and remove them and the interface.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostPrefix, ipCommands, iptablesCommand, iptablesRules, parseAddresses, peerName, ruleText, validInterfaceName } from './rules.ts';

test('twelve rules per local IP, in node-cache order', () => {
  assert.deepEqual(iptablesRules(['169.254.20.10'], 53, 8080).map(ruleText), [
    '-t raw PREROUTING -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK',
    '-t raw PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK',
    '-t filter INPUT -p tcp -d 169.254.20.10 --dport 53 -j ACCEPT',
    '-t filter INPUT -p udp -d 169.254.20.10 --dport 53 -j ACCEPT',
    '-t raw OUTPUT -p tcp -s 169.254.20.10 --sport 53 -j NOTRACK',
    '-t raw OUTPUT -p udp -s 169.254.20.10 --sport 53 -j NOTRACK',
    '-t filter OUTPUT -p tcp -s 169.254.20.10 --sport 53 -j ACCEPT',
    '-t filter OUTPUT -p udp -s 169.254.20.10 --sport 53 -j ACCEPT',
    '-t raw OUTPUT -p tcp -d 169.254.20.10 --dport 53 -j NOTRACK',
    '-t raw OUTPUT -p udp -d 169.254.20.10 --dport 53 -j NOTRACK',
    '-t raw OUTPUT -p tcp -d 169.254.20.10 --dport 8080 -j NOTRACK',
    '-t raw OUTPUT -p tcp -s 169.254.20.10 --sport 8080 -j NOTRACK',
  ]);
});

test('two IPs: all of the first, then all of the second; the ports follow --dns.port and --health-port', () => {
  const rules = iptablesRules(['169.254.20.10', '10.96.0.10'], 5353, 9090);
  assert.equal(rules.length, 24);
  assert.ok(rules.slice(0, 12).every((r) => r.args.includes('169.254.20.10')));
  assert.ok(rules.slice(12).every((r) => r.args.includes('10.96.0.10')));
  assert.deepEqual(rules.map((r) => r.args[r.args.length - 3]), Array.from({ length: 2 }, () => [...Array(10).fill('5353'), '9090', '9090']).flat());
});

test('iptables commands: -w 5, table, operation, chain, rule; ip6tables for IPv6', () => {
  const [rule] = iptablesRules(['169.254.20.10'], 53, 8080);
  assert.deepEqual(iptablesCommand(4, '-C', rule!), ['iptables', '-w', '5', '-t', 'raw', '-C', 'PREROUTING', '-p', 'tcp', '-d', '169.254.20.10', '--dport', '53', '-j', 'NOTRACK']);
  assert.deepEqual(iptablesCommand(4, '-I', rule!).slice(0, 7), ['iptables', '-w', '5', '-t', 'raw', '-I', 'PREROUTING']);
  assert.deepEqual(iptablesCommand(4, '-D', rule!).slice(0, 7), ['iptables', '-w', '5', '-t', 'raw', '-D', 'PREROUTING']);
  const [v6] = iptablesRules(['fd00::10'], 53, 8080);
  assert.deepEqual(iptablesCommand(6, '-I', v6!).slice(0, 1), ['ip6tables']);
});

test('ip commands: host prefixes, nodad for IPv6, the veth peer name within 15 characters', () => {
  assert.equal(hostPrefix('169.254.20.10'), '169.254.20.10/32');
  assert.equal(hostPrefix('fd00::10'), 'fd00::10/128');
  assert.deepEqual(ipCommands.addAddress('nodelocaldns', '169.254.20.10'), ['ip', 'addr', 'add', '169.254.20.10/32', 'dev', 'nodelocaldns']);
  assert.deepEqual(ipCommands.addAddress('nodelocaldns', 'fd00::10'), ['ip', 'addr', 'add', 'fd00::10/128', 'dev', 'nodelocaldns', 'nodad']);
  assert.deepEqual(ipCommands.addDummy('nodelocaldns'), ['ip', 'link', 'add', 'nodelocaldns', 'type', 'dummy']);
  assert.deepEqual(ipCommands.addVeth('nodelocaldns'), ['ip', 'link', 'add', 'nodelocaldns', 'type', 'veth', 'peer', 'name', 'nodelocald-peer']);
  assert.equal(peerName('nlc'), 'nlc-peer');
  assert.equal(peerName('nodelocal'), 'nodelocal-peer');
  assert.equal(peerName('a23456789012345').length, 15);
});

test('interface names', () => {
  for (const ok of ['nodelocaldns', 'a', 'a23456789012345', 'nl-dns.0']) assert.ok(validInterfaceName(ok), ok);
  for (const bad of ['', 'a234567890123456', 'a b', 'a/b', 'a:1', '.', '..']) assert.ok(!validInterfaceName(bad), bad);
});

test('addresses from `ip -o addr show`', () => {
  const out = '3: nodelocaldns    inet 169.254.20.10/32 scope global nodelocaldns\\       valid_lft forever preferred_lft forever\n'
    + '3: nodelocaldns    inet6 FD00::10/128 scope global \\       valid_lft forever preferred_lft forever\n'
    + '3: nodelocaldns    inet6 fe80::43b:f5ff:fe3d:b1a1/64 scope link \\       valid_lft forever preferred_lft forever\n';
  assert.deepEqual(parseAddresses(out), ['169.254.20.10', 'fd00::10', 'fe80::43b:f5ff:fe3d:b1a1']);
});
