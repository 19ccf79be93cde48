// The kubelet's and the API server's own unit-test cases, carried over as data (inputs and
// expected outputs) and run against src/podconf. Sources, all kubernetes/kubernetes (Apache-2.0):
//
//   pkg/kubelet/network/dns/dns_test.go     TestParseResolvConf, TestFormDNSSearchFitsLimits,
//                                           TestFormDNSNameserversFitsLimits, TestMergeDNSOptions,
//                                           TestGetPodDNSType, TestGetPodDNS, TestGetPodDNSCustom
//     (the current text, as in the danwinship/kubernetes and sanposhiho/kubernetes forks: lone "."
//     search entries ignored (#112157), options accumulating across lines (#112414), 32 searches /
//     2048 characters with no ExpandedDNSConfig gate)
//   pkg/kubelet/kubelet_pods_test.go        TestNodeHostsFileContent, TestManagedHostsFileContent,
//                                           TestTruncatePodHostname
//   pkg/kubelet/util/util_test.go           TestGetNodenameForKernel
//   pkg/apis/core/validation/validation_test.go
//                                           TestValidateDNSPolicy, TestValidatePodDNSConfig, the
//                                           hostAliases cases of TestValidatePodSpec, and the
//                                           relaxed-search cases of #127167
//                                           (TestValidatePodDNSConfigWithRelaxedSearchDomain)
//
// Where ../shared/spec/pod-dns.md and these cases disagree, the cases win (noted at each place):
// the spec's §2.2 says `options` lines replace each other and keep duplicates, and that `search .`
// gives an entry; the kubelet's current tests accumulate and de-duplicate options and drop a lone
// ".". Where the Go tests compare options as sets (the kubelet orders them through a Go map), so
// do these.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fitNameservers, fitSearches, getPodDNS, hostNetworkHostsFile, managedHostsFile, mergeDNSOptions, nodenameForKernel,
  parseHostResolvConf, podDNSMode, truncatePodHostname, validatePod,
} from '../../src/podconf/index.ts';
import type { DNSConfigOption, HostAlias, KubeletDNSSettings, Pod, PodDNSConfig, PodDNSInput } from '../../src/podconf/index.ts';

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('dns_test.go TestParseResolvConf', () => {
  // [data, nameservers, searches, options (a set), isErr]
  const cases: [string, string[], string[], string[], boolean][] = [
    ['', [], [], [], false],
    [' ', [], [], [], false],
    ['\n', [], [], [], false],
    ['\t\n\t', [], [], [], false],
    ['#comment\n', [], [], [], false],
    [' #comment\n', [], [], [], false],
    ['#comment\n#comment', [], [], [], false],
    ['#comment\nnameserver', [], [], [], true],
    ['#comment\nnameserver\nsearch', [], [], [], true],
    ['#comment\nnameserver 1.2.3.4\nsearch', ['1.2.3.4'], [], [], false],
    ['nameserver 1.2.3.4', ['1.2.3.4'], [], [], false],
    [' nameserver 1.2.3.4', ['1.2.3.4'], [], [], false],
    ['\tnameserver 1.2.3.4', ['1.2.3.4'], [], [], false],
    ['nameserver\t1.2.3.4', ['1.2.3.4'], [], [], false],
    ['nameserver \t 1.2.3.4', ['1.2.3.4'], [], [], false],
    ['nameserver 1.2.3.4\nnameserver 5.6.7.8', ['1.2.3.4', '5.6.7.8'], [], [], false],
    ['nameserver 1.2.3.4 #comment', ['1.2.3.4'], [], [], false],
    ['search ', [], [], [], false],
    // The spec (§2.2) would give [""] here (one trailing dot trimmed); the kubelet ignores a lone dot.
    ['search .', [], [], [], false],
    ['search . foo', [], ['foo'], [], false],
    ['search foo .', [], ['foo'], [], false],
    ['search foo .  bar', [], ['foo', 'bar'], [], false],
    ['search foo', [], ['foo'], [], false],
    ['search foo bar', [], ['foo', 'bar'], [], false],
    ['search foo. bar', [], ['foo', 'bar'], [], false],
    ['search foo bar bat\n', [], ['foo', 'bar', 'bat'], [], false],
    ['search foo\nsearch bar', [], ['bar'], [], false],
    ['nameserver 1.2.3.4\nsearch foo bar', ['1.2.3.4'], ['foo', 'bar'], [], false],
    ['nameserver 1.2.3.4\nsearch foo\nnameserver 5.6.7.8\nsearch bar', ['1.2.3.4', '5.6.7.8'], ['bar'], [], false],
    ['#comment\nnameserver 1.2.3.4\n#comment\nsearch foo\ncomment', ['1.2.3.4'], ['foo'], [], false],
    ['options ', [], [], [], false],
    ['options ndots:5 attempts:2', [], [], ['ndots:5', 'attempts:2'], false],
    // The spec (§2.2) keeps duplicates and lets the last `options` line replace the others; the
    // kubelet (1.26+) folds them by name, later ones winning, across lines.
    ['options ndots:1 ndots:5 attempts:2', [], [], ['ndots:5', 'attempts:2'], false],
    ['options ndots:1 edns0 attempts:2 single-request-reopen', [], [], ['edns0', 'attempts:2', 'single-request-reopen', 'ndots:1'], false],
    ['options ndots:1\noptions ndots:5 attempts:3', [], [], ['ndots:5', 'attempts:3'], false],
    ['options ndots:1 timeout:3 timeout:1 attempts:3\noptions ndots:5', [], [], ['ndots:5', 'timeout:1', 'attempts:3'], false],
    ['options ndots:1 attempts:3\noptions ndots:1 attempts:3 ndots:5', [], [], ['ndots:5', 'attempts:3'], false],
    ['nameserver 1.2.3.4\nsearch foo\nnameserver 5.6.7.8\nsearch bar\noptions ndots:5 attempts:4', ['1.2.3.4', '5.6.7.8'], ['bar'], ['ndots:5', 'attempts:4'], false],
  ];
  for (const [data, nameservers, searches, options, isErr] of cases) {
    test(JSON.stringify(data), () => {
      const r = parseHostResolvConf(data);
      if (isErr) {
        assert.ok(r.errors.length > 0);
        return;
      }
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.nameservers, nameservers);
      assert.deepEqual(r.searches, searches);
      assert.deepEqual(sorted(r.options), sorted(options));
    });
  }
});

describe('dns_test.go TestFormDNSSearchFitsLimits', () => {
  // 2048 = 128 + 127 * 15 + 15
  const list2048 = ['A'.repeat(128), ...Array.from({ length: 15 }, () => 'A'.repeat(127))];
  const line = (xs: readonly string[]): string => `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${xs.join(' ')}`;
  const n32 = ['testNS.svc.TEST', 'svc.TEST', 'TEST', ...Array.from({ length: 29 }, (_, i) => String(i + 4))];
  const cases: { desc: string; hostNames: string[]; resultSearch: string[]; events: string[] }[] = [
    { desc: 'valid: 3 search paths', hostNames: ['testNS.svc.TEST', 'svc.TEST', 'TEST'], resultSearch: ['testNS.svc.TEST', 'svc.TEST', 'TEST'], events: [] },
    { desc: 'valid: 5 search paths', hostNames: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB'], resultSearch: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB'], events: [] },
    {
      desc: 'invalid: longer than 256 characters in search path list',
      hostNames: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'B'.repeat(256), 'BBB'],
      resultSearch: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB'],
      events: [line(['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB'])],
    },
    { desc: 'valid: 2048 characters in search path list', hostNames: list2048, resultSearch: list2048, events: [] },
    { desc: 'invalid: 2050 characters in search path list', hostNames: [...list2048, 'B'], resultSearch: list2048, events: [line(list2048)] },
    {
      desc: 'invalid: 256 characters search path',
      hostNames: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'B'.repeat(256), 'BBB'],
      resultSearch: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB'],
      events: [line(['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB'])],
    },
    {
      desc: 'valid: 7 search paths',
      hostNames: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB', 'CCC', 'DDD'],
      resultSearch: ['testNS.svc.TEST', 'svc.TEST', 'TEST', 'AAA', 'BBB', 'CCC', 'DDD'],
      events: [],
    },
    { desc: 'valid: 32 search paths', hostNames: n32, resultSearch: n32, events: [] },
    { desc: 'invalid: 33 search paths', hostNames: [...n32, '33'], resultSearch: n32, events: [line(n32)] },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const r = fitSearches(c.hostNames);
      assert.deepEqual(r.searches, c.resultSearch);
      assert.deepEqual(r.event === null ? [] : [r.event], c.events);
    });
  }
});

describe('dns_test.go TestFormDNSNameserversFitsLimits', () => {
  const cases: { desc: string; nameservers: string[]; expected: string[]; event: boolean }[] = [
    { desc: 'valid: 1 nameserver', nameservers: ['127.0.0.1'], expected: ['127.0.0.1'], event: false },
    { desc: 'valid: 3 nameservers', nameservers: ['127.0.0.1', '10.0.0.10', '8.8.8.8'], expected: ['127.0.0.1', '10.0.0.10', '8.8.8.8'], event: false },
    { desc: 'invalid: 4 nameservers, trimmed to 3', nameservers: ['127.0.0.1', '10.0.0.10', '8.8.8.8', '1.2.3.4'], expected: ['127.0.0.1', '10.0.0.10', '8.8.8.8'], event: true },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const r = fitNameservers(c.nameservers);
      assert.deepEqual(r.servers, c.expected);
      assert.equal(r.event !== null, c.event);
      if (r.event !== null) {
        assert.equal(r.event, 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 127.0.0.1 10.0.0.10 8.8.8.8');
      }
    });
  }
});

describe('dns_test.go TestMergeDNSOptions', () => {
  const three = '3';
  const cases: { desc: string; existing: string[]; pod: DNSConfigOption[]; expected: string[] }[] = [
    { desc: 'Empty dnsConfigOptions', existing: ['ndots:5', 'debug'], pod: [], expected: ['ndots:5', 'debug'] },
    {
      desc: 'No duplicated entries',
      existing: ['ndots:5', 'debug'],
      pod: [{ name: 'single-request', value: null }, { name: 'attempts', value: three }],
      expected: ['ndots:5', 'debug', 'single-request', 'attempts:3'],
    },
    {
      desc: 'Overwrite duplicated entries',
      existing: ['ndots:5', 'debug'],
      pod: [{ name: 'ndots', value: three }, { name: 'debug', value: null }, { name: 'single-request', value: null }, { name: 'attempts', value: three }],
      expected: ['ndots:3', 'debug', 'single-request', 'attempts:3'],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(sorted(mergeDNSOptions(c.existing, c.pod)), sorted(c.expected)));
  }
});

describe('dns_test.go TestGetPodDNSType', () => {
  const cases: { desc: string; hostNetwork: boolean; dnsPolicy: string; expected: 'cluster' | 'host' | 'none' | 'error' }[] = [
    { desc: 'valid DNSClusterFirst without hostnetwork', hostNetwork: false, dnsPolicy: 'ClusterFirst', expected: 'cluster' },
    { desc: 'valid DNSClusterFirstWithHostNet with hostnetwork', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', expected: 'cluster' },
    { desc: 'valid DNSClusterFirstWithHostNet without hostnetwork', hostNetwork: false, dnsPolicy: 'ClusterFirstWithHostNet', expected: 'cluster' },
    { desc: 'valid DNSDefault without hostnetwork', hostNetwork: false, dnsPolicy: 'Default', expected: 'host' },
    { desc: 'valid DNSDefault with hostnetwork', hostNetwork: true, dnsPolicy: 'Default', expected: 'host' },
    { desc: 'DNSClusterFirst with hostnetwork, fallback to DNSDefault', hostNetwork: true, dnsPolicy: 'ClusterFirst', expected: 'host' },
    { desc: 'valid DNSNone', hostNetwork: false, dnsPolicy: 'None', expected: 'none' },
    { desc: 'invalid DNS policy, should return error', hostNetwork: false, dnsPolicy: 'invalidPolicy', expected: 'error' },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const r = podDNSMode(c.dnsPolicy, c.hostNetwork);
      if (c.expected === 'error') {
        assert.equal(r.invalid, true);
        assert.equal(r.mode, 'cluster', 'GetPodDNS falls back to DNSClusterFirst');
      } else {
        assert.deepEqual(r, { mode: c.expected, invalid: false });
      }
    });
  }
});

/** newTestPods: hostNetwork true, no namespace, name podN, UID 1000N. */
function testPod(i: number, dnsPolicy: string, hostNetwork = true, dnsConfig: PodDNSConfig | null = null, namespace = ''): PodDNSInput {
  return { name: `pod${i}`, namespace, uid: String(10000 + i), dnsPolicy, hostNetwork, dnsConfig };
}

describe('dns_test.go TestGetPodDNS', () => {
  const clusterNS = '203.0.113.1';
  const noResolv: KubeletDNSSettings = { clusterDNS: [clusterNS], clusterDomain: 'kubernetes.io', resolvConf: '' };
  const pods = [testPod(0, 'ClusterFirstWithHostNet'), testPod(1, 'ClusterFirst'), testPod(2, 'ClusterFirst', false), testPod(3, 'Default')];

  test('resolvConf "": cluster pods get the cluster IP and ".svc.<domain>" first; host pods 127.0.0.1 and "."', () => {
    const r = pods.map((p) => getPodDNS(p, noResolv, null).config);
    assert.deepEqual(r[0]!.servers, [clusterNS]);
    assert.equal(r[0]!.searches[0], '.svc.kubernetes.io');
    assert.deepEqual(r[1]!.servers, ['127.0.0.1']);
    assert.deepEqual(r[1]!.searches, ['.']);
    assert.deepEqual(r[2]!.servers, [clusterNS]);
    assert.equal(r[2]!.searches[0], '.svc.kubernetes.io');
    assert.deepEqual(r[3]!.servers, ['127.0.0.1']);
    assert.deepEqual(r[3]!.searches, ['.']);
  });

  test('with a host resolv.conf: cluster pods prepend the three cluster searches to the host\'s', () => {
    // fakeGetHostDNSConfigCustom: nameserver 8.8.8.8, search host.domain.
    const host = parseHostResolvConf('nameserver 8.8.8.8\nsearch host.domain\n');
    const withResolv: KubeletDNSSettings = { ...noResolv, resolvConf: '/etc/resolv.conf' };
    const r = pods.map((p) => getPodDNS(p, withResolv, host).config);
    const expLength = Math.min(r[1]!.searches.length + 3, 32);
    for (const i of [0, 2]) {
      assert.deepEqual(r[i]!.servers, [clusterNS], 'cluster nameserver only');
      assert.equal(r[i]!.searches.length, expLength);
      assert.equal(r[i]!.searches[0], '.svc.kubernetes.io');
    }
  });
});

describe('dns_test.go TestGetPodDNSCustom', () => {
  const kubelet: KubeletDNSSettings = { clusterDNS: ['10.0.0.10'], clusterDomain: 'kubernetes.io', resolvConf: '/tmp/resolv.conf' };
  const host = parseHostResolvConf('nameserver 8.8.8.8\nsearch host.domain\n');
  const ndots3: DNSConfigOption[] = [{ name: 'ndots', value: '3' }, { name: 'debug', value: null }];
  const custom: PodDNSConfig = { nameservers: ['10.0.0.11'], searches: ['my.domain'], options: ndots3 };
  const cases: { desc: string; hostNetwork: boolean; dnsPolicy: string; dnsConfig: PodDNSConfig | null; expected: { servers: string[]; searches: string[]; options: string[] } }[] = [
    { desc: 'DNSNone without DNSConfig should have empty DNS settings', hostNetwork: false, dnsPolicy: 'None', dnsConfig: null, expected: { servers: [], searches: [], options: [] } },
    {
      desc: 'DNSNone with DNSConfig should have a merged DNS settings', hostNetwork: false, dnsPolicy: 'None',
      dnsConfig: { nameservers: ['203.0.113.1'], searches: ['my.domain', 'second.domain'], options: ndots3 },
      expected: { servers: ['203.0.113.1'], searches: ['my.domain', 'second.domain'], options: ['ndots:3', 'debug'] },
    },
    {
      desc: 'DNSClusterFirst with DNSConfig should have a merged DNS settings', hostNetwork: false, dnsPolicy: 'ClusterFirst', dnsConfig: custom,
      expected: { servers: ['10.0.0.10', '10.0.0.11'], searches: ['testNS.svc.kubernetes.io', 'svc.kubernetes.io', 'kubernetes.io', 'host.domain', 'my.domain'], options: ['ndots:3', 'debug'] },
    },
    {
      desc: 'DNSClusterFirstWithHostNet with DNSConfig should have a merged DNS settings', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', dnsConfig: custom,
      expected: { servers: ['10.0.0.10', '10.0.0.11'], searches: ['testNS.svc.kubernetes.io', 'svc.kubernetes.io', 'kubernetes.io', 'host.domain', 'my.domain'], options: ['ndots:3', 'debug'] },
    },
    {
      desc: 'DNSDefault with DNSConfig should have a merged DNS settings', hostNetwork: false, dnsPolicy: 'Default', dnsConfig: custom,
      expected: { servers: ['8.8.8.8', '10.0.0.11'], searches: ['host.domain', 'my.domain'], options: ['ndots:3', 'debug'] },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const pod: PodDNSInput = { name: 'test_pod', namespace: 'testNS', uid: '', dnsPolicy: c.dnsPolicy, hostNetwork: c.hostNetwork, dnsConfig: c.dnsConfig };
      const r = getPodDNS(pod, kubelet, host).config;
      assert.deepEqual(r.servers, c.expected.servers);
      assert.deepEqual(r.searches, c.expected.searches);
      assert.deepEqual(sorted(r.options), sorted(c.expected.options));
    });
  }
});

const TEST_HOSTS_1 = '# hosts file for testing.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n123.45.67.89\tsome.domain\n';
const TEST_HOSTS_2 = '# another hosts file for testing.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n12.34.56.78\tanother.domain\n';
const FOO_BAR_BAZ: HostAlias = { ip: '123.45.67.89', hostnames: ['foo', 'bar', 'baz'] };
const PARK_DOO_BOO: HostAlias = { ip: '456.78.90.123', hostnames: ['park', 'doo', 'boo'] };

describe('kubelet_pods_test.go TestNodeHostsFileContent', () => {
  const header = '# Kubernetes-managed hosts file (host network).\n';
  const cases: [string, HostAlias[], string, string][] = [
    ['hosts_test_file1', [], TEST_HOSTS_1, header + TEST_HOSTS_1],
    ['hosts_test_file2', [], TEST_HOSTS_2, header + TEST_HOSTS_2],
    ['hosts_test_file1_with_host_aliases', [FOO_BAR_BAZ], TEST_HOSTS_1, `${header}${TEST_HOSTS_1}\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n`],
    ['hosts_test_file2_with_host_aliases', [FOO_BAR_BAZ, PARK_DOO_BOO], TEST_HOSTS_2, `${header}${TEST_HOSTS_2}\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n456.78.90.123\tpark\tdoo\tboo\n`],
  ];
  for (const [name, aliases, raw, expected] of cases) test(name, () => assert.equal(hostNetworkHostsFile(raw, aliases), expected));
});

describe('kubelet_pods_test.go TestManagedHostsFileContent', () => {
  const head = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  const cases: [string[], string, string, HostAlias[], string][] = [
    [['123.45.67.89'], 'podFoo', '', [], `${head}123.45.67.89\tpodFoo\n`],
    [['203.0.113.1'], 'podFoo', 'domainFoo', [], `${head}203.0.113.1\tpodFoo.domainFoo\tpodFoo\n`],
    [['203.0.113.1'], 'podFoo', 'domainFoo', [FOO_BAR_BAZ], `${head}203.0.113.1\tpodFoo.domainFoo\tpodFoo\n\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n`],
    [['203.0.113.1'], 'podFoo', 'domainFoo', [FOO_BAR_BAZ, PARK_DOO_BOO], `${head}203.0.113.1\tpodFoo.domainFoo\tpodFoo\n\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n456.78.90.123\tpark\tdoo\tboo\n`],
    [['203.0.113.1', 'fd00::6'], 'podFoo', 'domainFoo', [], `${head}203.0.113.1\tpodFoo.domainFoo\tpodFoo\nfd00::6\tpodFoo.domainFoo\tpodFoo\n`],
  ];
  cases.forEach(([ips, host, domain, aliases, expected], i) => {
    test(`case ${i}`, () => assert.equal(managedHostsFile(ips, host, domain, aliases), expected));
  });
});

describe('kubelet_pods_test.go TestTruncatePodHostname', () => {
  const cases: [string, string, string][] = [
    ['valid hostname', 'test.pod.hostname', 'test.pod.hostname'],
    ['too long hostname', '1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567.', '1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567'],
    ['hostname end with .', '1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456.1234567.', '1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456'],
    ['hostname end with -', '1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456-1234567.', '1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456'],
  ];
  for (const [desc, input, output] of cases) test(desc, () => assert.equal(truncatePodHostname('test-pod', input), output));
});

describe('util_test.go TestGetNodenameForKernel', () => {
  const cases: [string, string, string, boolean, string | null][] = [
    ['no hostDomain, setHostnameAsFQDN false', 'test.pod.hostname', '', false, 'test.pod.hostname'],
    ['no hostDomain, setHostnameAsFQDN true', 'test.pod.hostname', '', true, 'test.pod.hostname'],
    ['valid hostDomain, setHostnameAsFQDN false', 'test.pod.hostname', 'svc.subdomain.local', false, 'test.pod.hostname'],
    ['valid hostDomain, setHostnameAsFQDN true', 'test.pod.hostname', 'svc.subdomain.local', true, 'test.pod.hostname.svc.subdomain.local'],
    ['FQDN is too long, setHostnameAsFQDN false', '1234567.1234567', '1234567.1234567.1234567.1234567.1234567.1234567.1234567', false, '1234567.1234567'],
    ['FQDN is too long, setHostnameAsFQDN true', '1234567.1234567', '1234567.1234567.1234567.1234567.1234567.1234567.1234567', true, null],
  ];
  for (const [desc, hostname, domain, fqdn, expected] of cases) {
    test(desc, () => {
      if (expected === null) assert.throws(() => nodenameForKernel(hostname, domain, fqdn), /FQDN 1234567\.1234567\.1234567.* is too long \(64 characters is the max, 71 characters requested\)/);
      else assert.equal(nodenameForKernel(hostname, domain, fqdn), expected);
    });
  }
});

/** A valid pod for the validation cases, changed by `patch`. */
function vpod(patch: Partial<Pod>): Pod {
  return {
    name: '123', generateName: '', namespace: 'ns', uid: '', hostname: '', subdomain: '', hostNetwork: false, setHostnameAsFQDN: false,
    dnsPolicy: 'ClusterFirst', dnsConfig: null, hostAliases: [], podIPs: [], ...patch,
  };
}

describe('validation_test.go TestValidateDNSPolicy', () => {
  for (const p of ['ClusterFirst', 'Default', 'ClusterFirst', 'None', 'ClusterFirstWithHostNet']) {
    test(`success ${p}`, () => assert.deepEqual(validatePod(vpod({ dnsPolicy: p, dnsConfig: p === 'None' ? { nameservers: ['1.1.1.1'], searches: [], options: [] } : null })), []));
  }
  test('failure "invalid"', () => assert.equal(validatePod(vpod({ dnsPolicy: 'invalid' })).length, 1));
});

describe('validation_test.go TestValidatePodDNSConfig', () => {
  const a = (n: number): string => 'a'.repeat(n);
  const cfg = (c: Partial<PodDNSConfig>): PodDNSConfig => ({ nameservers: [], searches: [], options: [], ...c });
  // [desc, dnsConfig, dnsPolicy, expectedError]
  const cases: [string, PodDNSConfig, string, boolean][] = [
    ['valid: empty DNSConfig', cfg({}), 'ClusterFirst', false],
    ['valid: 1 option', cfg({ options: [{ name: 'ndots', value: '2' }] }), 'ClusterFirst', false],
    ['valid: 1 nameserver', cfg({ nameservers: ['127.0.0.1'] }), 'ClusterFirst', false],
    ['valid: DNSNone with 1 nameserver', cfg({ nameservers: ['127.0.0.1'] }), 'None', false],
    ['valid: 1 search path', cfg({ searches: ['custom'] }), 'ClusterFirst', false],
    ['valid: 3 nameservers and 6 search paths', cfg({ nameservers: ['127.0.0.1', '10.0.0.10', '8.8.8.8'], searches: ['custom', 'mydomain.com', 'local', 'cluster.local', 'svc.cluster.local', 'default.svc.cluster.local'] }), 'ClusterFirst', false],
    ['valid: 256 characters in search path list', cfg({ searches: [a(1), a(50), a(50), a(50), a(50), a(50)] }), 'ClusterFirst', false],
    ['valid: ipv6 nameserver', cfg({ nameservers: ['FE80::0202:B3FF:FE1E:8329'] }), 'ClusterFirst', false],
    ['invalid: 4 nameservers', cfg({ nameservers: ['127.0.0.1', '10.0.0.10', '8.8.8.8', '1.2.3.4'] }), 'ClusterFirst', true],
    // The legacy test expected errors for 7 search paths and 257 characters; the limits are 32
    // and 2048 since ExpandedDNSConfig went GA (1.28), so both are valid now.
    ['valid (was invalid before 1.28): 7 search paths', cfg({ searches: ['custom', 'mydomain.com', 'local', 'cluster.local', 'svc.cluster.local', 'default.svc.cluster.local', 'exceeded'] }), 'ClusterFirst', false],
    ['valid (was invalid before 1.28): 257 characters in search path list', cfg({ searches: [a(2), a(50), a(50), a(50), a(50), a(50)] }), 'ClusterFirst', false],
    ['invalid: 33 search paths', cfg({ searches: Array.from({ length: 33 }, (_, i) => `s${i}`) }), 'ClusterFirst', true],
    ['invalid: 2049 characters in search path list', cfg({ searches: [...Array.from({ length: 15 }, () => a(127)), a(129)] }), 'ClusterFirst', true],
    ['invalid search path', cfg({ searches: ['custom?'] }), 'ClusterFirst', true],
    ['invalid nameserver', cfg({ nameservers: ['invalid'] }), 'ClusterFirst', true],
    ['invalid empty option name', cfg({ options: [{ name: '', value: '2' }] }), 'ClusterFirst', true],
    ['invalid: DNSNone with 0 nameserver', cfg({ searches: ['custom'] }), 'None', true],
    // #127167 (RelaxedDNSSearchValidation, GA in 1.34).
    ['valid: a single dot', cfg({ searches: ['.'] }), 'ClusterFirst', false],
    ['valid: underscores', cfg({ searches: ['_sip._tcp.abc_d.example.com'] }), 'ClusterFirst', false],
    ['invalid: two dots', cfg({ searches: ['..'] }), 'ClusterFirst', true],
    ['invalid: underscore and dot', cfg({ searches: ['_.'] }), 'ClusterFirst', true],
    ['invalid: dash and dot', cfg({ searches: ['-.'] }), 'ClusterFirst', true],
  ];
  for (const [desc, dnsConfig, dnsPolicy, expectedError] of cases) {
    test(desc, () => assert.equal(validatePod(vpod({ dnsConfig, dnsPolicy })).length > 0, expectedError, JSON.stringify(validatePod(vpod({ dnsConfig, dnsPolicy })))));
  }
});

describe('validation_test.go TestValidatePodSpec: hostAliases', () => {
  const ok: [string, HostAlias[], boolean][] = [
    ['Populate HostAliases.', [{ ip: '12.34.56.78', hostnames: ['host1', 'host2'] }], false],
    ['Populate HostAliases with `foo.bar` hostnames.', [{ ip: '12.34.56.78', hostnames: ['host1.foo', 'host2.bar'] }], false],
    ['Populate HostAliases with HostNetwork.', [{ ip: '12.34.56.78', hostnames: ['host1.foo', 'host2.bar'] }], true],
  ];
  for (const [desc, hostAliases, hostNetwork] of ok) test(`success: ${desc}`, () => assert.deepEqual(validatePod(vpod({ hostAliases, hostNetwork })), []));
  const bad: [string, HostAlias[]][] = [
    ['with hostAliases with invalid IP', [{ ip: '999.999.999.999', hostnames: ['host1', 'host2'] }]],
    ['with hostAliases with invalid hostname', [{ ip: '12.34.56.78', hostnames: ['@#$^#@#$'] }]],
  ];
  for (const [desc, hostAliases] of bad) test(`failure: ${desc}`, () => assert.ok(validatePod(vpod({ hostAliases })).length > 0));
});
