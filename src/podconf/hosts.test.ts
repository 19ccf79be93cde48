import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeletError, hostAliasesBlock, podHostnameAndDomain, truncatePodHostname } from './hosts.ts';

const pod = { name: 'web-0', namespace: 'shop', hostname: '', subdomain: '' };

test('hostname and domain', () => {
  assert.deepEqual(podHostnameAndDomain(pod, 'cluster.local'), { hostname: 'web-0', domain: '' });
  assert.deepEqual(podHostnameAndDomain({ ...pod, hostname: 'db-0', subdomain: 'db' }, 'cluster.local'), { hostname: 'db-0', domain: 'db.shop.svc.cluster.local' });
  // An empty cluster domain still builds a domain, with a trailing dot.
  assert.deepEqual(podHostnameAndDomain({ ...pod, subdomain: 'web' }, ''), { hostname: 'web-0', domain: 'web.shop.svc.' });
});

test('the kubelet\'s own hostname errors (unreachable for pods the API server accepted)', () => {
  assert.throws(() => podHostnameAndDomain({ ...pod, hostname: 'Web' }, 'cluster.local'), (e: unknown) => e instanceof KubeletError
    && e.message === 'pod Hostname "Web" is not a valid DNS label: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')');
  assert.throws(() => podHostnameAndDomain({ ...pod, subdomain: 'a.b' }, 'cluster.local'), /^KubeletError: pod Subdomain "a\.b" is not a valid DNS label: must not contain dots$/);
  assert.throws(() => truncatePodHostname('p', `${'-'.repeat(63)}x`), /^KubeletError: hostname for pod "p" was invalid: "-{63}x"$/);
});

test('the alias block', () => {
  assert.equal(hostAliasesBlock([]), '');
  assert.equal(hostAliasesBlock([{ ip: '1.2.3.4', hostnames: [] }]), '\n# Entries added by HostAliases.\n1.2.3.4\t\n');
});
