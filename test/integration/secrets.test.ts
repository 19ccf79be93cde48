// No credential reaches podns's output, end to end: `podns serve` following the API server double
// (src/testing/apiserver.ts) through a kubeconfig logs where it watches, its 401s and its lost
// connections without the bearer token; a broken kubeconfig stops `serve` and `lint` with the
// file and line, not the token beside the mistake; a password in `endpoint` is not logged.
// docs/security.md, "Secrets in logs".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startApiDouble } from '../../src/testing/apiserver.ts';
import type { ApiDouble } from '../../src/testing/apiserver.ts';
import { CLI, ROOT, dig, eventually, startPodns, tempDir } from './harness.ts';
import type { Running } from './harness.ts';

const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const WEB = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.100.10', clusterIPs: ['10.96.100.10'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
};

const corefile = (kubernetes: string): string => `cluster.local:{PORT} {\n    bind 127.0.0.1\n    errors\n    kubernetes cluster.local {\n        ${kubernetes}\n    }\n}\n`;

/** Everything a process wrote holds none of the secrets. */
function clean(output: string, secrets: readonly string[]): void {
  for (const s of secrets) assert.ok(!output.includes(s), `a secret in the output:\n${output}`);
}

describe('podns serve: the API token is never logged', () => {
  const apis: ApiDouble[] = [];
  const servers: Running[] = [];
  const api = async (token?: null): Promise<ApiDouble> => {
    const a = await startApiDouble({ objects: [NS, WEB], ...(token === null ? { token } : {}) });
    apis.push(a);
    return a;
  };
  const serve = async (kubernetes: string): Promise<Running> => {
    const r = await startPodns(corefile(kubernetes), []);
    servers.push(r);
    return r;
  };
  const answers = (r: Running): Promise<number> => eventually(async () => (await dig(r.port, 'web.shop.svc.cluster.local', 'A')).answer.length === 1, 10_000);
  after(async () => {
    for (const r of servers) await r.stop();
    for (const a of apis) await a.close();
  });

  test('watching, then the API gone: where and what failed, without the token', async () => {
    const a = await api();
    const running = await serve(`kubeconfig ${a.kubeconfig()}`);
    await answers(running);
    await a.close();
    await running.waitForLog(/\[ERROR\] plugin\/kubernetes: \w+: /);
    assert.match(running.stderr(), /watching the API at http:\/\/127\.0\.0\.1:\d+ \(kubeconfig /);
    clean(running.stderr(), [a.token]);
    assert.deepEqual([...new Set(a.requests.map((r) => r.method))], ['GET'], 'podns only reads the API');
  });

  test('a wrong token: the 401s are logged, not the token', async () => {
    const a = await api();
    const wrong = 'wrong-token-0123456789abcdef';
    const file = join(tempDir(), 'kubeconfig');
    writeFileSync(file, readFileSync(a.kubeconfig(), 'utf8').replace(JSON.stringify(a.token), JSON.stringify(wrong)));
    const running = await serve(`kubeconfig ${file}`);
    await running.waitForLog(/\[ERROR\] plugin\/kubernetes: \w+: Unauthorized/);
    clean(running.stderr(), [wrong, a.token]);
  });

  test('endpoint with a user and password: served, and logged without the password', async () => {
    const open = await api(null);
    const password = 'pa55-w0rd-in-url';
    const running = await serve(`endpoint http://podns:${password}@127.0.0.1:${open.port}`);
    await answers(running);
    assert.match(running.stderr(), new RegExp(`watching the API at http://127\\.0\\.0\\.1:${open.port} \\(endpoint http://127\\.0\\.0\\.1:${open.port}\\)`));
    clean(running.stderr(), [password]);
  });
});

describe('a broken kubeconfig: the file and line, not the token beside the mistake', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl';
  const dir = tempDir();
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${token}\n   oops: indent\n`);

  test('podns serve exits 1 with one line', () => {
    const conf = join(dir, 'Corefile');
    writeFileSync(conf, corefile(`kubeconfig ${file}`).replace('{PORT}', '0'));
    const r = spawnSync(process.execPath, [CLI, 'serve', '--conf', conf], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot load the API configuration: ${file}: not valid YAML: bad indentation of a mapping entry \\(line 7, column 4\\)`));
    clean(r.stdout + r.stderr, [token]);
  });

  test('podns lint --kubeconfig exits 2 with one line', () => {
    const r = spawnSync(process.execPath, [CLI, 'lint', '--kubeconfig', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the API server's configuration: .*not valid YAML/);
    clean(r.stdout + r.stderr, [token]);
  });
});
