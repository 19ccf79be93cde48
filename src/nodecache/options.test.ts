// `podns nodecache`'s flags: node-cache's defaults, Go-style booleans, and the usage errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { NODECACHE_FLAGS, expandBooleanFlags, nodeCacheConfig } from './options.ts';

function config(...argv: string[]): ReturnType<typeof nodeCacheConfig> {
  const { values } = parseArgs({ args: expandBooleanFlags(argv), options: { ...NODECACHE_FLAGS, 'dns.port': { type: 'string' } }, strict: true });
  return nodeCacheConfig(values);
}

test("node-cache's defaults", () => {
  assert.deepEqual(config('--localip', '169.254.20.10,10.96.0.10'), {
    network: {
      localIps: ['169.254.20.10', '10.96.0.10'], family: 4, interfaceName: 'nodelocaldns',
      setupInterface: true, setupIptables: true, dnsPort: 53, healthPort: 8080,
    },
    skipTeardown: false, upstreamService: 'kube-dns', syncIntervalMs: 60_000,
  });
});

test('every flag', () => {
  const c = config('--localip', 'fd00::10', '--interface-name', 'nlc0', '--setup-interface=false', '--setup-iptables=0',
    '--skip-teardown', '--upstream-svc', 'kube-dns-upstream', '--health-port', '9090', '--dns.port', '5353', '--sync-interval', '1m30s');
  assert.deepEqual(c, {
    network: { localIps: ['fd00::10'], family: 6, interfaceName: 'nlc0', setupInterface: false, setupIptables: false, dnsPort: 5353, healthPort: 9090 },
    skipTeardown: true, upstreamService: 'kube-dns-upstream', syncIntervalMs: 90_000,
  });
});

test('booleans as Go takes them; intervals in seconds or as durations', () => {
  assert.equal(config('--localip', '1.2.3.4', '--skip-teardown=false').skipTeardown, false);
  assert.equal(config('--localip', '1.2.3.4', '--skip-teardown=True').skipTeardown, true);
  assert.equal(config('--localip', '1.2.3.4', '--setup-iptables', '--setup-interface').network.setupIptables, true);
  assert.equal(config('--localip', '1.2.3.4', '--sync-interval', '5').syncIntervalMs, 5000);
  assert.equal(config('--localip', '1.2.3.4', '--sync-interval', '0').syncIntervalMs, 0);
  assert.equal(config('--localip', '1.2.3.4', '--sync-interval', '250ms').syncIntervalMs, 250);
});

test('usage errors', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /--localip is required/],
    [['--localip', '169.254.20.10,'], /--localip: not an IP address: ""/],
    [['--localip', '169.254.20.300'], /not an IP address/],
    [['--localip', '169.254.20.10,fd00::10'], /fd00::10 is not IPv4 like 169\.254\.20\.10/],
    [['--localip', '10.0.0.1,10.0.0.1'], /listed twice/],
    [['--localip', '10.0.0.1', '--interface-name', 'nodelocaldns-cache'], /--interface-name: not an interface name/],
    [['--localip', '10.0.0.1', '--setup-iptables=maybe'], /--setup-iptables: not a boolean: "maybe"/],
    [['--localip', '10.0.0.1', '--health-port', '0'], /--health-port: not a port/],
    [['--localip', '10.0.0.1', '--sync-interval', 'soon'], /--sync-interval: not a duration/],
    [['--localip', '10.0.0.1', '--upstream-svc', 'Kube_DNS'], /--upstream-svc: not a Service name/],
  ];
  for (const [argv, want] of cases) assert.throws(() => config(...argv), (e: unknown) => e instanceof UsageError && want.test(e.message), argv.join(' '));
});
