// The forward stanza: good stanzas to options (every default resolved), bad ones to CoreDNS-like
// errors at the right file:line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import { Rcode } from '../../dns/types.ts';
import type { ForwardOptions } from './setup.ts';
import { parseForward, resolvConfNameservers } from './setup.ts';

const FILES: Record<string, string> = {
  '/etc/resolv.conf': '# generated\nsearch svc.cluster.local\nnameserver 10.0.0.10\nnameserver 2001:db8::53 # v6\n; comment\nnameserver bogus\noptions ndots:5\n',
  '/empty.conf': 'search example.org\n',
};
const readFile = (p: string): string => {
  const t = FILES[p];
  if (t === undefined) throw new Error(`ENOENT: ${p}`);
  return t;
};

/** The forward directive of a one-block Corefile whose body is `body` (the directive is on line 2). */
function directive(body: string): Directive {
  const [block] = parseCorefile(`.:53 {\n${body}\n}\n`, { file: 'Corefile' });
  const d = block!.directives.find((x) => x.name === 'forward');
  assert.ok(d !== undefined);
  return d;
}
const parse = (body: string): ForwardOptions => parseForward(directive(body), ['.'], readFile);

const DEFAULTS: Omit<ForwardOptions, 'from' | 'to'> = {
  except: [], forceTcp: false, preferUdp: false, expireMs: 10_000, maxIdleConns: 0, maxFails: 2, maxConnectAttempts: 0,
  healthCheckMs: 500, healthCheckRecursion: true, healthCheckDomain: '.', policy: 'random', maxConcurrent: 0,
  next: [], nextOnNodata: false, failover: [], failfastAllUnhealthyUpstreams: false, readTimeoutMs: 2000,
};
const up = (host: string, port = 53, address = `${host}:${port}`) => ({ host, port, address });

describe('forward: parse', () => {
  const good: Array<[string, string, Partial<ForwardOptions>]> = [
    ['one address, defaults', 'forward . 127.0.0.1', { from: '.', to: [up('127.0.0.1')] }],
    ['every address form', 'forward Example.ORG 127.0.0.1:5353 dns://10.0.0.1 dns://10.0.0.2:1053 [::1]:53 dns://[2001:db8::1]:1053 2001:db8::2 [2001:db8::3]',
      { from: 'example.org.', to: [up('127.0.0.1', 5353), up('10.0.0.1'), up('10.0.0.2', 1053), up('::1', 53, '[::1]:53'), up('2001:db8::1', 1053, '[2001:db8::1]:1053'), up('2001:db8::2', 53, '[2001:db8::2]:53'), up('2001:db8::3', 53, '[2001:db8::3]:53')] }],
    ['a resolv.conf file: its nameservers', 'forward . /etc/resolv.conf 10.0.0.1', { from: '.', to: [up('10.0.0.10'), up('2001:db8::53', 53, '[2001:db8::53]:53'), up('10.0.0.1')] }],
    ['a CIDR FROM becomes its reverse zone', 'forward 10.0.0.0/8 10.0.0.1', { from: '10.in-addr.arpa.', to: [up('10.0.0.1')] }],
    ['every option', `forward . 10.0.0.1 10.0.0.2 {
    except Internal.Example  other.example
    force_tcp
    prefer_udp
    expire 30s
    max_idle_conns 5
    max_fails 3
    max_connect_attempts 4
    health_check 2s no_rec domain Health.Example
    policy round_robin
    max_concurrent 1000
    next NXDOMAIN servfail
    next_on_nodata
    failover REFUSED notimp
    failfast_all_unhealthy_upstreams
    read_timeout 750ms
}`, {
      from: '.', to: [up('10.0.0.1'), up('10.0.0.2')], except: ['internal.example.', 'other.example.'], forceTcp: true, preferUdp: true,
      expireMs: 30_000, maxIdleConns: 5, maxFails: 3, maxConnectAttempts: 4, healthCheckMs: 2000, healthCheckRecursion: false,
      healthCheckDomain: 'health.example.', policy: 'round_robin', maxConcurrent: 1000, next: [Rcode.NXDOMAIN, Rcode.SERVFAIL],
      nextOnNodata: true, failover: [Rcode.REFUSED, Rcode.NOTIMP], failfastAllUnhealthyUpstreams: true, readTimeoutMs: 750,
    }],
    ['max_fails 0 and expire 0 are allowed', 'forward . 10.0.0.1 {\n max_fails 0\n expire 0\n health_check 0s\n}', { from: '.', to: [up('10.0.0.1')], maxFails: 0, expireMs: 0, healthCheckMs: 0 }],
    ['sequential policy', 'forward . 10.0.0.1 {\n policy sequential\n}', { from: '.', to: [up('10.0.0.1')], policy: 'sequential' }],
    ['15 upstreams', `forward . ${Array.from({ length: 15 }, (_, i) => `10.0.0.${i + 1}`).join(' ')}`,
      { from: '.', to: Array.from({ length: 15 }, (_, i) => up(`10.0.0.${i + 1}`)) }],
  ];
  for (const [name, body, want] of good) {
    test(`good: ${name}`, () => {
      assert.deepEqual(parse(body), { ...DEFAULTS, ...want });
    });
  }

  const bad: Array<[string, string, string]> = [
    ['no TO', 'forward .', "Corefile:2 - Error during setup: plugin/forward: Wrong argument count or unexpected line ending after '.'"],
    ['nothing', 'forward', "Corefile:2 - Error during setup: plugin/forward: Wrong argument count or unexpected line ending after 'forward'"],
    ['tls://', 'forward . tls://9.9.9.9', "Corefile:2 - Error during setup: plugin/forward: 'tls' is not supported as a destination protocol in forward: tls://9.9.9.9 (podns forwards plain DNS over UDP and TCP only)"],
    ['https://', 'forward . https://dns.google/dns-query', "Corefile:2 - Error during setup: plugin/forward: 'https' is not supported as a destination protocol in forward: https://dns.google/dns-query (podns forwards plain DNS over UDP and TCP only)"],
    ['tls option', 'forward . 9.9.9.9 {\n  tls\n}', 'Corefile:3 - Error during setup: plugin/forward: tls is not supported by podns (DNS-over-TLS upstreams are not implemented)'],
    ['tls_servername', 'forward . 9.9.9.9 {\n  tls_servername dns.quad9.net\n}', 'Corefile:3 - Error during setup: plugin/forward: tls_servername is not supported by podns (DNS-over-TLS upstreams are not implemented)'],
    ['a hostname', 'forward . dns.example.com', 'Corefile:2 - Error during setup: plugin/forward: not an IP address or file: "dns.example.com"'],
    ['a missing file', 'forward . /no/such/resolv.conf', 'Corefile:2 - Error during setup: plugin/forward: not an IP address or file: "/no/such/resolv.conf"'],
    ['a file without nameservers', 'forward . /empty.conf', 'Corefile:2 - Error during setup: plugin/forward: no nameservers found in "/empty.conf"'],
    ['dns:// with a hostname', 'forward . dns://resolver.example', 'Corefile:2 - Error during setup: plugin/forward: not an IP address or file: "resolver.example"'],
    ['port 0', 'forward . 127.0.0.1:0', 'Corefile:2 - Error during setup: plugin/forward: invalid port in "127.0.0.1:0"'],
    ['port too large', 'forward . [::1]:65536', 'Corefile:2 - Error during setup: plugin/forward: invalid port in "[::1]:65536"'],
    ['16 upstreams', `forward . ${Array.from({ length: 16 }, (_, i) => `10.0.0.${i + 1}`).join(' ')}`, 'Corefile:2 - Error during setup: plugin/forward: more than 15 TOs configured: 16'],
    ['except without names', 'forward . 10.0.0.1 {\n  except\n}', "Corefile:3 - Error during setup: plugin/forward: Wrong argument count or unexpected line ending after 'except'"],
    ['force_tcp with an argument', 'forward . 10.0.0.1 {\n  force_tcp yes\n}', "Corefile:3 - Error during setup: plugin/forward: Wrong argument count or unexpected line ending after 'yes'"],
    ['unknown policy', 'forward . 10.0.0.1 {\n  policy fastest\n}', "Corefile:3 - Error during setup: plugin/forward: unknown policy 'fastest'"],
    ['max_fails negative', 'forward . 10.0.0.1 {\n  max_fails -1\n}', 'Corefile:3 - Error during setup: plugin/forward: strconv.ParseUint: parsing "-1": invalid syntax'],
    ['max_concurrent negative', 'forward . 10.0.0.1 {\n  max_concurrent -5\n}', "Corefile:3 - Error during setup: plugin/forward: max_concurrent can't be negative: -5"],
    ['max_idle_conns not a number', 'forward . 10.0.0.1 {\n  max_idle_conns many\n}', 'Corefile:3 - Error during setup: plugin/forward: strconv.Atoi: parsing "many": invalid syntax'],
    ['expire negative', 'forward . 10.0.0.1 {\n  expire -1s\n}', "Corefile:3 - Error during setup: plugin/forward: expire can't be negative: -1s"],
    ['expire not a duration', 'forward . 10.0.0.1 {\n  expire 10\n}', 'Corefile:3 - Error during setup: plugin/forward: time: missing unit in duration "10"'],
    ['health_check unknown option', 'forward . 10.0.0.1 {\n  health_check 1s fast\n}', 'Corefile:3 - Error during setup: plugin/forward: health_check: unknown option fast'],
    ['health_check domain without a name', 'forward . 10.0.0.1 {\n  health_check 1s domain\n}', "Corefile:3 - Error during setup: plugin/forward: Wrong argument count or unexpected line ending after 'domain'"],
    ['health_check invalid domain', 'forward . 10.0.0.1 {\n  health_check 1s domain a..b\n}', 'Corefile:3 - Error during setup: plugin/forward: health_check: invalid domain name a..b'],
    ['next with a bad rcode', 'forward . 10.0.0.1 {\n  next NXDOMIAN\n}', 'Corefile:3 - Error during setup: plugin/forward: NXDOMIAN is not a valid rcode'],
    ['failover NOERROR', 'forward . 10.0.0.1 {\n  failover SERVFAIL noerror\n}', 'Corefile:3 - Error during setup: plugin/forward: NoError cannot be used in failover'],
    ['read_timeout 0', 'forward . 10.0.0.1 {\n  read_timeout 0s\n}', 'Corefile:3 - Error during setup: plugin/forward: read_timeout must be greater than 0'],
    ['unknown property', 'forward . 10.0.0.1 {\n  spray_all\n}', "Corefile:3 - Error during setup: plugin/forward: unknown property 'spray_all'"],
  ];
  for (const [name, body, message] of bad) {
    test(`bad: ${name}`, () => {
      assert.throws(() => parse(body), (err: Error) => {
        assert.equal(err.message, message);
        return true;
      });
    });
  }

  test('resolv.conf: nameserver lines with an IP, comments skipped', () => {
    assert.deepEqual(resolvConfNameservers(FILES['/etc/resolv.conf']!), ['10.0.0.10', '2001:db8::53']);
    assert.deepEqual(resolvConfNameservers('nameserver\tfe80::1%eth0\r\n  nameserver 127.0.0.53  \n#nameserver 1.1.1.1'), ['fe80::1%eth0', '127.0.0.53']);
  });
});
