// Which API configuration is used, and what it yields: kubeconfig files through
// @kubernetes/client-node (token, basic auth, client certificates, contexts, endpoint override),
// a bare endpoint, and the in-cluster service account files.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiConfig, resolveAccess } from './credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'podns-cred-'));
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const kubeconfig = join(dir, 'config');
writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster: { server: 'https://api.dev.example:6443/', certificate-authority-data: ${Buffer.from(CA).toString('base64')} }
- name: local
  cluster: { server: 'http://127.0.0.1:8080', insecure-skip-tls-verify: true }
contexts:
- { name: dev, context: { cluster: dev, user: token } }
- { name: local, context: { cluster: local, user: basic } }
current-context: dev
users:
- { name: token, user: { token: s3cr3t } }
- { name: basic, user: { username: admin, password: pw } }
`);

describe('apiConfig: which source', () => {
  test('nothing configured: null', () => {
    assert.equal(apiConfig({ kubeconfig: null, endpoint: null }, {}), null);
  });
  test('the plugin options, then the service account, then KUBECONFIG', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: '/a:/b' };
    assert.deepEqual(apiConfig({ kubeconfig: ['/k', 'ctx'], endpoint: null }, env), {
      kubeconfig: '/k', context: 'ctx', endpoint: null, tls: null, inCluster: true, envKubeconfig: '/a', serviceHost: '10.96.0.1', servicePort: '443',
    });
    assert.equal(apiConfig({ kubeconfig: null, endpoint: null }, { KUBECONFIG: ':/b' })?.envKubeconfig, '/b');
    assert.equal(apiConfig({ kubeconfig: null, endpoint: null }, { KUBERNETES_SERVICE_HOST: 'x' }), null, 'the port is needed too');
  });
});

describe('resolveAccess', () => {
  test('a kubeconfig: server, bearer token and CA from the current context, through client-node', async () => {
    const a = await resolveAccess(apiConfig({ kubeconfig: [kubeconfig], endpoint: null }, {})!);
    assert.equal(a.server, 'https://api.dev.example:6443');
    assert.deepEqual(a.headers, { Authorization: 'Bearer s3cr3t' });
    assert.equal(a.tls.ca, CA);
    assert.equal(a.tls.rejectUnauthorized, true);
    assert.match(a.source, /^kubeconfig .*config, context dev$/);
  });
  test('another context, basic auth, insecure-skip-tls-verify; endpoint overrides the server', async () => {
    const a = await resolveAccess(apiConfig({ kubeconfig: [kubeconfig, 'local'], endpoint: 'http://127.0.0.1:9999/' }, {})!);
    assert.equal(a.server, 'http://127.0.0.1:9999');
    assert.deepEqual(a.headers, { Authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` });
    assert.equal(a.tls.rejectUnauthorized, false);
  });
  test('KUBECONFIG is used when nothing else is configured', async () => {
    const a = await resolveAccess(apiConfig({ kubeconfig: null, endpoint: null }, { KUBECONFIG: kubeconfig })!);
    assert.match(a.source, /^KUBECONFIG /);
  });
  test('a missing file or an unknown context is an error', async () => {
    await assert.rejects(resolveAccess(apiConfig({ kubeconfig: [join(dir, 'nope')], endpoint: null }, {})!), /ENOENT/);
    await assert.rejects(resolveAccess(apiConfig({ kubeconfig: [kubeconfig, 'nope'], endpoint: null }, {})!), /nope/);
  });
  test('endpoint alone: that URL, no credentials', async () => {
    const a = await resolveAccess(apiConfig({ kubeconfig: null, endpoint: 'http://127.0.0.1:8001' }, { KUBECONFIG: kubeconfig })!);
    assert.equal(a.server, 'http://127.0.0.1:8001');
    assert.deepEqual(a.headers, {});
  });
  test('endpoint with `tls CERT KEY CACERT`: the client certificate and the CA from those files', async () => {
    const [cert, key, ca] = ['cert.pem', 'key.pem', 'ca.pem'].map((f) => join(dir, f));
    writeFileSync(cert!, 'CERT'); writeFileSync(key!, 'KEY'); writeFileSync(ca!, CA);
    const a = await resolveAccess(apiConfig({ kubeconfig: null, endpoint: 'https://10.0.0.1:6443', tls: [cert!, key!, ca!] }, {})!);
    assert.deepEqual(a.tls, { ca: CA, cert: 'CERT', key: 'KEY', rejectUnauthorized: true, servername: null });
  });
  test('in cluster: https to the service host and port, the token and CA read from the service account files', async () => {
    const sa = mkdtempSync(join(tmpdir(), 'podns-sa-'));
    writeFileSync(join(sa, 'token'), 'tok-1\n');
    writeFileSync(join(sa, 'ca.crt'), CA);
    const config = apiConfig({ kubeconfig: null, endpoint: null }, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' })!;
    const a = await resolveAccess(config, sa);
    assert.equal(a.server, 'https://[fd00::1]:443');
    assert.deepEqual(a.headers, { Authorization: 'Bearer tok-1' });
    assert.equal(a.tls.ca, CA);
    writeFileSync(join(sa, 'token'), 'tok-2\n');
    assert.deepEqual((await resolveAccess(config, sa)).headers, { Authorization: 'Bearer tok-2' }, 'a rotated token is read again');
  });
});
