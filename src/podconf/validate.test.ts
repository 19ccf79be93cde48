import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from './pod.ts';
import { formatFieldError, formatInvalid, validatePod } from './validate.ts';

const base: Pod = {
  name: 'web-0', generateName: '', namespace: 'shop', uid: '', hostname: '', subdomain: '', hostNetwork: false, setHostnameAsFQDN: false,
  dnsPolicy: 'ClusterFirst', dnsConfig: null, hostAliases: [], podIPs: [],
};
const msgs = (p: Partial<Pod>): string[] => validatePod({ ...base, ...p }).map(formatFieldError);

test('the API server\'s messages, byte for byte', () => {
  assert.deepEqual(msgs({ dnsPolicy: 'Foo' }), ['spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']);
  assert.deepEqual(msgs({ dnsPolicy: 'None' }), ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']);
  assert.deepEqual(msgs({ dnsPolicy: 'None', dnsConfig: { nameservers: [], searches: ['a'], options: [] } }), ['spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None']);
  assert.deepEqual(msgs({ dnsConfig: { nameservers: ['1.2.3.4', '::ffff:1.2.3.4', 'x', '1.1.1.1'], searches: [], options: [] } }), [
    'spec.dnsConfig.nameservers: Invalid value: []string{"1.2.3.4", "::ffff:1.2.3.4", "x", "1.1.1.1"}: must not have more than 3 nameservers',
    'spec.dnsConfig.nameservers[1]: Invalid value: "::ffff:1.2.3.4": must not be an IPv4-mapped IPv6 address',
    'spec.dnsConfig.nameservers[2]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  assert.deepEqual(msgs({ dnsConfig: { nameservers: [], searches: ['ok.example.', 'bad..example'], options: [{ name: '', value: null }] } }), [
    'spec.dnsConfig.searches[1]: Invalid value: "bad..example": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'_\', \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*\')',
    'spec.dnsConfig.options[0]: Required value: must not be empty',
  ]);
  assert.deepEqual(msgs({ hostname: 'a'.repeat(64) }), [
    `spec.hostname: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
  ]);
  assert.deepEqual(msgs({ name: '', namespace: 'Shop' }), [
    'metadata.name: Required value: name or generateName is required',
    'metadata.namespace: Invalid value: "Shop": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
  ]);
});

test('kubectl\'s form of the refusal', () => {
  const one = validatePod({ ...base, dnsPolicy: 'Foo' });
  assert.match(formatInvalid('Pod', 'web-0', one), /^The Pod "web-0" is invalid: spec\.dnsPolicy: Unsupported value/);
  const two = validatePod({ ...base, hostname: 'A', subdomain: 'B' });
  assert.match(formatInvalid('Pod', 'web-0', two), /^The Pod "web-0" is invalid: \n\* spec\.hostname: .*\n\* spec\.subdomain: /);
});

test('a pod with only generateName passes validation (its name is not known yet)', () => {
  assert.deepEqual(msgs({ name: '', generateName: 'web-' }), []);
});
