// Credentials never end up in a message: an error reading a kubeconfig does not quote the file (a
// token or key beside the mistake), a credentials plugin's unreadable output is not quoted (it is a
// token), and a user and password written in the server URL move into the Authorization header,
// so the `server` that logs and errors print carries none. docs/security.md, "Secrets in logs".
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiConfig, resolveAccess } from './credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'podns-secrets-'));
const TOKEN = 'sha256~S3CRET-t0ken-9f8e7d';
const KEY = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktnd2dnU2tBZ0VBQW9JQkFRQwo=';

/** A kubeconfig file: one cluster (`cluster`: its fields), one user (`user`: what follows `user:`), one context. */
const kubeconfig = (name: string, user: string, cluster = "server: 'https://127.0.0.1:6443'"): string => {
  const file = join(dir, name);
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {${cluster}}
users:
- name: u
  user:${user}
contexts:
- {name: x, context: {cluster: c, user: u}}
current-context: x
`);
  return file;
};
const access = (file: string, endpoint: string | null = null): ReturnType<typeof resolveAccess> =>
  resolveAccess(apiConfig({ kubeconfig: [file], endpoint }, {})!);

/** Rejects, and the message names the file but holds none of `secrets`. */
async function rejectsQuietly(p: Promise<unknown>, file: string, secrets: readonly string[], pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.message, pattern);
    for (const s of secrets) assert.ok(!err.message.includes(s.slice(0, 8)), `the message quotes a secret: ${err.message}`);
    return true;
  });
}

describe('kubeconfig errors do not quote the file', () => {
  test('a YAML mistake next to a token and a client key: the line and the reason, not the lines around it', async () => {
    const file = kubeconfig('broken', `
    token: ${TOKEN}
    client-key-data: ${KEY}
   bad: indent`);
    await rejectsQuietly(access(file), file, [TOKEN, KEY], /not valid YAML: bad indentation of a mapping entry \(line 11, column 4\)$/);
  });

  test("a credentials plugin that prints a bare token instead of an ExecCredential: the output is not quoted", async () => {
    const file = kubeconfig('exec', `
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${JSON.stringify(process.execPath)}
      args: ['-e', 'process.stdout.write(${JSON.stringify(TOKEN)})']
      interactiveMode: Never`);
    await rejectsQuietly(access(file), file, [TOKEN], /the credentials plugin's output is not JSON$/);
  });
});

describe('a user and password in the server URL go into the Authorization header', () => {
  test('endpoint https://user:password@host: the server without them, Basic auth, the source without them', async () => {
    const a = await resolveAccess(apiConfig({ kubeconfig: null, endpoint: `https://podns:${encodeURIComponent(TOKEN)}@10.0.0.1:6443/` }, {})!);
    assert.equal(a.server, 'https://10.0.0.1:6443');
    assert.equal(a.source, 'endpoint https://10.0.0.1:6443');
    assert.deepEqual(a.headers, { Authorization: `Basic ${Buffer.from(`podns:${TOKEN}`).toString('base64')}` });
  });

  test("a kubeconfig's server with a user and password; a token of the user's wins over them", async () => {
    const cluster = "server: 'https://admin:pw%40x@api.example:6443', insecure-skip-tls-verify: true";
    const basic = await access(kubeconfig('userinfo', ' {}', cluster));
    assert.equal(basic.server, 'https://api.example:6443');
    assert.deepEqual(basic.headers, { Authorization: `Basic ${Buffer.from('admin:pw@x').toString('base64')}` });
    const token = await access(kubeconfig('userinfo-token', ` {token: ${TOKEN}}`, cluster));
    assert.equal(token.server, 'https://api.example:6443');
    assert.deepEqual(token.headers, { Authorization: `Bearer ${TOKEN}` });
  });
});
