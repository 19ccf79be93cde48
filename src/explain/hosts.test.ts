// /etc/hosts as each resolver reads it (hosts.ts; pod-dns spec §4.3).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookupHosts } from './hosts.ts';
import type { Family, ResolverKind } from './types.ts';

/** kubelet's file for a dual-stack pod web-0 with subdomain web (spec §1.2). */
const KUBELET = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  '10.244.1.7\tweb-0.web.ns.svc.cluster.local\tweb-0',
  'fd00:10:244:1::7\tweb-0.web.ns.svc.cluster.local\tweb-0',
  '',
].join('\n');

type Row = readonly [title: string, kind: ResolverKind, name: string, family: Family, want: string | null, text?: string, multi?: boolean];

/** want: the addresses joined by spaces, "ERROR:EAI_X", or null (on to DNS). */
const ROWS: readonly Row[] = [
  ['glibc: every matching line with multi on', 'glibc', 'web-0', 'unspec', '10.244.1.7 fd00:10:244:1::7'],
  ['glibc: only the first matching line without multi on', 'glibc', 'web-0', 'unspec', '10.244.1.7', KUBELET, false],
  ['glibc: localhost without multi on is only 127.0.0.1', 'glibc', 'localhost', 'unspec', '127.0.0.1', KUBELET, false],
  ['glibc: case-insensitive', 'glibc', 'WEB-0', 'unspec', '10.244.1.7 fd00:10:244:1::7'],
  ['glibc: a trailing dot does not match', 'glibc', 'web-0.web.ns.svc.cluster.local.', 'unspec', null],
  ['glibc: no search-list expansion in the file', 'glibc', 'web-0.web', 'unspec', null],
  ['glibc AF_INET: IPv4 lines, and ::1 as 127.0.0.1', 'glibc', 'localhost', 'inet', '127.0.0.1 127.0.0.1'],
  ['glibc AF_INET: other IPv6 lines are skipped', 'glibc', 'web-0', 'inet', '10.244.1.7'],
  ['glibc AF_INET: a v4-mapped line becomes IPv4', 'glibc', 'm', 'inet', '10.1.2.3', '::ffff:10.1.2.3\tm\n'],
  ['glibc AF_INET6: IPv4 lines are skipped', 'glibc', 'web-0', 'inet6', 'fd00:10:244:1::7'],
  ['glibc AF_INET6 with only an IPv4 line: on to DNS', 'glibc', 'v4', 'inet6', null, '10.0.0.1\tv4\n'],
  ['glibc: leading white space and comments', 'glibc', 'x', 'unspec', '10.0.0.2', '  10.0.0.2 x # x\n# 10.0.0.3 x\n'],
  ['musl: every matching line', 'musl', 'web-0', 'unspec', '10.244.1.7 fd00:10:244:1::7'],
  ['musl: case-sensitive', 'musl', 'WEB-0', 'unspec', null],
  ['musl: a trailing dot does not match', 'musl', 'web-0.web.ns.svc.cluster.local.', 'unspec', null],
  ['musl: a name ending the file without a newline does not match', 'musl', 'last', 'unspec', null, '10.0.0.9\tlast'],
  ['musl: …with the newline it does', 'musl', 'last', 'unspec', '10.0.0.9', '10.0.0.9\tlast\n'],
  ['musl: a line starting with white space has no address', 'musl', 'x', 'unspec', null, ' 10.0.0.2 x\n'],
  ['musl: a comment right after the name', 'musl', 'x', 'unspec', '10.0.0.2', '10.0.0.2 x#c\n'],
  ['musl: a longer name containing it does not match', 'musl', 'web', 'unspec', null],
  ['musl AF_INET6 with only IPv4 lines: EAI_NODATA, no DNS (1.2.4+)', 'musl', 'v4', 'inet6', 'ERROR:EAI_NODATA', '10.0.0.1\tv4\n'],
  ['musl 1.2.3: the same is EAI_NONAME', 'musl-1.2.3', 'v4', 'inet6', 'ERROR:EAI_NONAME', '10.0.0.1\tv4\n'],
  ['musl AF_INET: the IPv4 line of a dual-stack name', 'musl', 'web-0', 'inet', '10.244.1.7'],
  ['Go: every matching line', 'go', 'web-0', 'unspec', '10.244.1.7 fd00:10:244:1::7'],
  ['Go: case-insensitive', 'go', 'WEB-0', 'unspec', '10.244.1.7 fd00:10:244:1::7'],
  ['Go: a trailing dot matches', 'go', 'web-0.web.ns.svc.cluster.local.', 'unspec', '10.244.1.7 fd00:10:244:1::7'],
  ['Go ip4: filtered afterwards', 'go', 'web-0', 'inet', '10.244.1.7'],
  ['Go ip6 with only IPv4 lines: "no suitable address found", no DNS', 'go', 'v4', 'inet6', 'ERROR:EAI_ADDRFAMILY', '10.0.0.1\tv4\n'],
  ['Go: not in the file', 'go', 'db', 'unspec', null],
];

describe('/etc/hosts per resolver', () => {
  for (const [title, kind, name, family, want, text = KUBELET, multi] of ROWS) {
    test(title, () => {
      const r = lookupHosts(kind, text, name, family, multi === undefined ? {} : { multi });
      const got = r === null ? null : r.error !== null ? `ERROR:${r.error}` : r.addresses.join(' ');
      assert.equal(got, want);
    });
  }

  test('Go says which filter emptied the list', () => {
    assert.equal(lookupHosts('go', '10.0.0.1 v4\n', 'v4', 'inet6')?.goError, 'no suitable address found');
  });
});
