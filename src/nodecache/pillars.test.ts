// node-cache's placeholder fill (configmap.go updateCorefile, no kube-dns ConfigMap), and the
// errors podns gives where node-cache would write "<nil>" or leave a placeholder in place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../corefile/index.ts';
import { ConfigError } from '../core/errors.ts';
import { pillarValues, serviceHostVariable, substitutePillars } from './pillars.ts';

const IPS = ['169.254.20.10', '10.96.0.10'];

test('the Service variable: upper case, dashes to underscores, _SERVICE_HOST', () => {
  assert.equal(serviceHostVariable('kube-dns'), 'KUBE_DNS_SERVICE_HOST');
  assert.equal(serviceHostVariable('kube-dns-upstream'), 'KUBE_DNS_UPSTREAM_SERVICE_HOST');
});

test('as node-cache: cluster DNS from the Service variable, upstreams from /etc/resolv.conf, local IPs spaced, DNS server dropped', () => {
  const values = pillarValues(IPS, 'kube-dns-upstream', { KUBE_DNS_UPSTREAM_SERVICE_HOST: '10.96.0.11' });
  const text = [
    'cluster.local:53 {',
    '    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__',
    '    forward . __PILLAR__CLUSTER__DNS__ {',
    '        force_tcp',
    '    }',
    '}',
    '.:53 {',
    '    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__',
    '    forward . __PILLAR__UPSTREAM__SERVERS__',
    '}',
    '',
  ].join('\n');
  const out = substitutePillars(text, 'Corefile', values);
  assert.equal(out, text
    .replaceAll('__PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__', '169.254.20.10 10.96.0.10 ')
    .replace('__PILLAR__CLUSTER__DNS__', '10.96.0.11')
    .replace('__PILLAR__UPSTREAM__SERVERS__', '/etc/resolv.conf'));
  const blocks = parseCorefile(out, { file: 'Corefile' });
  assert.deepEqual(blocks[0]!.directives.find((d) => d.name === 'bind')!.args, IPS);
});

test('a Corefile filled at install time is left as it is; the variable is only needed when used', () => {
  const text = 'cluster.local:53 {\n    bind 169.254.20.10\n    forward . 10.96.0.11\n}\n';
  assert.equal(substitutePillars(text, 'Corefile', pillarValues(IPS, 'kube-dns', {})), text);
});

test('IPv6 cluster DNS is written canonically', () => {
  const values = pillarValues(['fd00::a'], 'kube-dns', { KUBE_DNS_SERVICE_HOST: 'FD00:0::0a' });
  assert.equal(substitutePillars('forward . __PILLAR__CLUSTER__DNS__', 'C', values), 'forward . fd00::a');
});

test('__PILLAR__CLUSTER__DNS__ without its variable (or with a non-IP): the file and line, and what to set', () => {
  const text = 'cluster.local:53 {\n    bind 169.254.20.10\n    forward . __PILLAR__CLUSTER__DNS__\n}\n';
  assert.throws(() => substitutePillars(text, '/etc/coredns/Corefile', pillarValues(IPS, 'kube-dns-upstream', {})), (e: unknown) => e instanceof ConfigError
    && e.message === '/etc/coredns/Corefile:3 - Error during setup: __PILLAR__CLUSTER__DNS__: $KUBE_DNS_UPSTREAM_SERVICE_HOST is not set; it is the ClusterIP of the Service --upstream-svc names (kube-dns-upstream), which Kubernetes sets in the environment of pods started after the Service');
  assert.throws(() => substitutePillars(text, 'C', pillarValues(IPS, 'kube-dns', { KUBE_DNS_SERVICE_HOST: 'kube-dns.kube-system' })), /C:3 - .*\$KUBE_DNS_SERVICE_HOST is not an IP address/);
});

test('a placeholder node-cache does not fill is an error at its line', () => {
  const text = '__PILLAR__DNS__DOMAIN__:53 {\n    bind __PILLAR__LOCAL__DNS__\n}\n';
  assert.throws(() => substitutePillars(text, 'C', pillarValues(IPS, 'kube-dns', {})),
    /^ConfigError: C:1 - Error during setup: __PILLAR__DNS__DOMAIN__ is not filled: podns nodecache fills __PILLAR__UPSTREAM__SERVERS__, __PILLAR__CLUSTER__DNS__, __PILLAR__LOCAL__DNS__ and __PILLAR__DNS__SERVER__; replace the others when installing$/);
});
