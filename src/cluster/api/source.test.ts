// ApiSource against the API double: the first list streams into the store page by page; a first
// list that fails midway is followed by a whole replace, which drops what the failed attempt left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApiDouble } from '../../testing/apiserver.ts';
import { ClusterStore } from '../store.ts';
import { ApiSource } from './source.ts';
import type { ApiAccess } from './credentials.ts';

const service = (name: string): object => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' },
  spec: { clusterIP: `10.96.0.${name.charCodeAt(0) - 96}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});

test('a first list that fails after a page: the retry replaces the kind, so an object deleted meanwhile is gone', async () => {
  const api = await startApiDouble({ token: null });
  for (const n of ['a', 'b', 'c']) api.apply(service(n));
  // Page 1 (service a) streams into the store; page 2 fails, after `a` was deleted on the server.
  api.failList('services', 2, () => api.remove('Service', 'shop', 'a'));
  const store = new ClusterStore();
  const failures: string[] = [];
  const access: ApiAccess = { server: api.url, source: 'test', headers: {}, tls: { ca: null, cert: null, key: null, rejectUnauthorized: true, servername: null } };
  const source = new ApiSource({
    config: { kubeconfig: null, context: null, endpoint: api.url, inCluster: false, envKubeconfig: null },
    store, pods: false, resolve: async () => access,
    hooks: { request() {}, listed() {}, event() {}, skipped() {}, failed: (r, err) => { failures.push(`${r.name}: ${err.message}`); } },
    reflector: { pageSize: 1, backoffMinMs: 10, backoffMaxMs: 20 },
  });
  try {
    await source.start();
    await source.synced();
    assert.ok(failures.some((f) => f.startsWith('services') && f.includes('injected')), failures.join('\n'));
    assert.deepEqual(store.servicesByIP('10.96.0.1'), [], 'a, streamed by the failed attempt, is gone');
    assert.deepEqual(['10.96.0.2', '10.96.0.3'].map((ip) => store.servicesByIP(ip).map((s) => s.name)), [['b'], ['c']]);
  } finally {
    await source.stop();
    await api.close();
  }
});
