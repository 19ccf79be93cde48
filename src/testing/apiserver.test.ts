// The API server double speaks the real protocol: the official client (@kubernetes/client-node)
// lists, pages, watches and informs against it unchanged, and the raw wire has the real shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { ApiException, CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer, Watch } from '@kubernetes/client-node';
import type { V1Service } from '@kubernetes/client-node';
import { startApiDouble } from './apiserver.ts';
import type { ApiDouble, ApiDoubleOptions } from './apiserver.ts';

type Json = Record<string, any>;

const ns = (name: string): object => ({ kind: 'Namespace', apiVersion: 'v1', metadata: { name } });
const svc = (name: string, namespace = 'default', labels?: Record<string, string>, clusterIP = '10.0.0.1'): object =>
  ({ kind: 'Service', apiVersion: 'v1', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec: { clusterIP, ports: [{ port: 53 }] } });
const pod = (name: string, labels: Record<string, string> = {}): object =>
  ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'default', labels }, spec: { nodeName: 'n1' }, status: { podIP: '10.1.0.1' } });
const slice = (name: string): object => ({ kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'a' } }, addressType: 'IPv4', endpoints: [] });

async function double(t: TestContext, options: ApiDoubleOptions = {}): Promise<ApiDouble> {
  const d = await startApiDouble(options);
  t.after(() => d.close());
  return d;
}
function client(d: ApiDouble): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(d.kubeconfig());
  return kc;
}
const raw = (d: ApiDouble, path: string, token: string | null = d.token): Promise<Response> =>
  fetch(`${d.url}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
async function waitFor(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A watch through the official client, collecting its events. */
async function watch(t: TestContext, kc: KubeConfig, path: string, query: Json = {}) {
  const events: Array<{ type: string; object: Json }> = [];
  let ended: { err: any } | undefined;
  const ctrl = await new Watch(kc).watch(path, query, (type, object) => events.push({ type, object }), (err) => { ended = { err }; });
  t.after(() => ctrl.abort());
  return { events, ended: () => ended, types: () => events.map((e) => `${e.type} ${e.object['metadata']?.name ?? e.object['metadata']?.resourceVersion}`) };
}
async function apiError(p: Promise<unknown>): Promise<ApiException<any>> {
  try { await p; } catch (e) { if (e instanceof ApiException) return e; throw e; }
  throw new Error('expected an ApiException');
}

test('raw list: <Kind>List with the revision, items without kind/apiVersion; single objects, discovery, errors', async (t) => {
  const d = await double(t, { objects: [ns('default'), svc('a'), svc('b'), slice('a-1')] });
  const r = await raw(d, '/api/v1/namespaces/default/services');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  const body = await r.json() as Json;
  assert.deepEqual([body['kind'], body['apiVersion'], body['metadata']], ['ServiceList', 'v1', { resourceVersion: '4' }]);
  assert.deepEqual(body['items'].map((i: Json) => Object.keys(i)), [['metadata', 'spec'], ['metadata', 'spec']]);
  const m = body['items'][0].metadata;
  assert.equal(m.resourceVersion, '2');
  assert.match(m.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const one = await (await raw(d, '/api/v1/namespaces/default/services/a')).json() as Json;
  assert.deepEqual([one['kind'], one['apiVersion'], one['metadata'].uid], ['Service', 'v1', m.uid]);
  const slices = await (await raw(d, '/apis/discovery.k8s.io/v1/endpointslices')).json() as Json;
  assert.deepEqual([slices['kind'], slices['apiVersion'], slices['items'].length], ['EndpointSliceList', 'discovery.k8s.io/v1', 1]);
  const nsGet = await (await raw(d, '/api/v1/namespaces/default')).json() as Json;
  assert.deepEqual([nsGet['kind'], nsGet['metadata'].labels, nsGet['status']], ['Namespace', { 'kubernetes.io/metadata.name': 'default' }, { phase: 'Active' }]);

  const missing = await raw(d, '/api/v1/namespaces/default/services/nope');
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'services "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'services' }, code: 404 });
  const unknown = await raw(d, '/api/v1/widgets');
  assert.deepEqual([unknown.status, (await unknown.json() as Json)['message']], [404, 'the server could not find the requested resource']);
  const nowhere = await raw(d, '/nowhere');
  assert.deepEqual([nowhere.status, await nowhere.text()], [404, '404 page not found\n']);
  assert.equal((await (await fetch(`${d.url}/api/v1/services`, { method: 'POST', headers: { Authorization: `Bearer ${d.token}` } })).json() as Json)['code'], 405);
  assert.equal(await (await raw(d, '/healthz')).text(), 'ok');
  assert.equal((await (await raw(d, '/version')).json() as Json)['major'], '1');
  assert.deepEqual((await (await raw(d, '/api')).json() as Json)['versions'], ['v1']);
  assert.deepEqual((await (await raw(d, '/apis')).json() as Json)['groups'].map((g: Json) => g['name']), ['discovery.k8s.io', 'apps', 'batch']);
  assert.deepEqual((await (await raw(d, '/api/v1')).json() as Json)['resources'].map((x: Json) => x['name']),
    ['namespaces', 'services', 'pods', 'endpoints', 'nodes', 'configmaps', 'replicationcontrollers']);
  assert.deepEqual((await (await raw(d, '/apis/apps/v1')).json() as Json)['resources'].map((x: Json) => x['name']), ['deployments', 'statefulsets', 'daemonsets', 'replicasets']);
  assert.equal((await (await raw(d, '/apis/batch')).json() as Json)['preferredVersion'].groupVersion, 'batch/v1');
  assert.equal((await raw(d, '/apis/apps/v2/deployments')).status, 404);
  assert.deepEqual(d.requests[0], { method: 'GET', path: '/api/v1/namespaces/default/services', query: {}, watch: false });
});

test('raw watch: 200, chunked application/json, one event per line with kind/apiVersion, closed at timeoutSeconds', async (t) => {
  const d = await double(t, { objects: [svc('a')] });
  const started = Date.now();
  const r = await raw(d, '/api/v1/namespaces/default/services?watch=1&timeoutSeconds=1');
  assert.deepEqual([r.status, r.headers.get('content-type'), r.headers.get('transfer-encoding')], [200, 'application/json', 'chunked']);
  d.apply(svc('a', 'default', { changed: 'yes' }));
  d.apply(svc('other', 'kube-system'));
  const text = await r.text(); // the server ends the stream
  assert.ok(Date.now() - started >= 900);
  const lines = text.split('\n');
  assert.equal(lines.pop(), '');
  const events = lines.map((l) => JSON.parse(l) as Json);
  assert.deepEqual(events.map((e) => [e['type'], e['object'].kind, e['object'].apiVersion, e['object'].metadata.resourceVersion]),
    [['ADDED', 'Service', 'v1', '1'], ['MODIFIED', 'Service', 'v1', '2']]);
  assert.equal(d.watchers(), 0);
  assert.equal(d.requests.at(-1)?.watch, true);
});

test('client-node: limit/continue pages read one consistent snapshot; remainingItemCount; cluster-wide order', async (t) => {
  const d = await double(t, { objects: ['a', 'b', 'c', 'd', 'e'].map((n) => svc(n)).concat(svc('z', 'kube-system'), svc('x', 'apps')) });
  const api = client(d).makeApiClient(CoreV1Api);
  const p1 = await api.listNamespacedService({ namespace: 'default', limit: 2 });
  assert.deepEqual(p1.items.map((s) => s.metadata?.name), ['a', 'b']);
  assert.equal(p1.metadata?.remainingItemCount, 3);
  const at = p1.metadata?.resourceVersion;
  d.apply(svc('c', 'default', undefined, '10.9.9.9'));
  d.remove('Service', 'default', 'e');
  d.apply(svc('bb'));
  const p2 = await api.listNamespacedService({ namespace: 'default', limit: 2, _continue: p1.metadata?._continue as string });
  assert.deepEqual(p2.items.map((s) => [s.metadata?.name, s.spec?.clusterIP]), [['c', '10.0.0.1'], ['d', '10.0.0.1']]);
  assert.deepEqual([p2.metadata?.resourceVersion, p2.metadata?.remainingItemCount], [at, 1]);
  const p3 = await api.listNamespacedService({ namespace: 'default', limit: 2, _continue: p2.metadata?._continue as string });
  assert.deepEqual(p3.items.map((s) => s.metadata?.name), ['e']);
  assert.equal(p3.metadata?._continue, undefined);
  const all = await api.listServiceForAllNamespaces({ limit: 3 });
  assert.deepEqual(all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['apps/x', 'default/a', 'default/b']);
  const rest = await api.listServiceForAllNamespaces({ limit: 10, _continue: all.metadata?._continue as string });
  assert.deepEqual(rest.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['default/bb', 'default/c', 'default/d', 'kube-system/z']);
  // resourceVersion=0 is served from the watch cache, which ignores limit.
  assert.equal((await api.listNamespacedService({ namespace: 'default', limit: 1, resourceVersion: '0' })).items.length, 5);
  const bad = await apiError(api.listNamespacedService({ namespace: 'default', _continue: 'garbage' }));
  assert.equal(bad.code, 400);
});

test('client-node: labelSelector (=, !=, in, notin, exists, !key) on lists; fieldSelector', async (t) => {
  const d = await double(t, { objects: [pod('p1', { app: 'dns', tier: 'a' }), pod('p2', { app: 'web' }), pod('p3', { app: 'db', tier: 'b' }), pod('p4')] });
  const api = client(d).makeApiClient(CoreV1Api);
  const names = async (labelSelector: string, fieldSelector?: string): Promise<string[]> =>
    (await api.listNamespacedPod({ namespace: 'default', labelSelector, ...(fieldSelector ? { fieldSelector } : {}) })).items.map((p) => p.metadata?.name as string);
  assert.deepEqual(await names('app=dns'), ['p1']);
  assert.deepEqual(await names('app!=dns'), ['p2', 'p3', 'p4']);
  assert.deepEqual(await names('app in (web,db)'), ['p2', 'p3']);
  assert.deepEqual(await names('app notin (web,db)'), ['p1', 'p4']);
  assert.deepEqual(await names('tier'), ['p1', 'p3']);
  assert.deepEqual(await names('!tier,app'), ['p2']);
  assert.deepEqual(await names('', 'metadata.name=p3'), ['p3']);
  assert.deepEqual(await names('', 'spec.nodeName=n1,metadata.name!=p1'), ['p2', 'p3', 'p4']);
  // With a selector the page may come back short and remainingItemCount is unknown (etcd3 GetList).
  const page = await api.listNamespacedPod({ namespace: 'default', labelSelector: 'tier', limit: 1 });
  assert.deepEqual([page.items.length, page.metadata?.remainingItemCount, typeof page.metadata?._continue], [1, undefined, 'string']);
  assert.equal((await apiError(names('app in ('))).code, 400);
  assert.equal((await apiError(names('', 'spec.widget=x'))).code, 400);
});

test('client-node Watch: ADDED, MODIFIED, DELETED in order after the list; DELETED carries the deletion revision', async (t) => {
  const d = await double(t, { objects: [svc('old')] });
  const kc = client(d);
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: 'default' });
  const w = await watch(t, kc, '/api/v1/namespaces/default/services', { resourceVersion: list.metadata?.resourceVersion });
  d.apply(svc('a'));
  d.apply(svc('a', 'default', { v: '2' }));
  d.apply(svc('a', 'default', { v: '2' })); // a no-op update: no revision, no event
  d.remove('Service', 'default', 'a');
  d.apply(svc('b', 'elsewhere'));
  await waitFor('three events', () => w.events.length === 3);
  assert.deepEqual(w.types(), ['ADDED a', 'MODIFIED a', 'DELETED a']);
  assert.deepEqual(w.events.map((e) => e.object['metadata'].resourceVersion), ['2', '3', '4']);
  assert.deepEqual(w.events[2]?.object['metadata'].labels, { v: '2' });
  assert.equal(w.events[2]?.object['kind'], 'Service');
});

test('client-node Watch: resourceVersion 0 starts with the state; a label selector turns (un)matching into ADDED/DELETED', async (t) => {
  const d = await double(t, { objects: [pod('p1', { app: 'dns' }), pod('p2', { app: 'web' })] });
  const kc = client(d);
  const all = await watch(t, kc, '/api/v1/pods', { resourceVersion: '0' });
  const dns = await watch(t, kc, '/api/v1/namespaces/default/pods', { labelSelector: 'app=dns' });
  await waitFor('initial events', () => all.events.length === 2 && dns.events.length === 1);
  d.apply(pod('p2', { app: 'dns' }));
  d.apply(pod('p1', { app: 'web' }));
  d.apply(pod('p2', { app: 'dns', x: 'y' }));
  await waitFor('events', () => dns.events.length === 4 && all.events.length === 5);
  assert.deepEqual(all.types(), ['ADDED p1', 'ADDED p2', 'MODIFIED p2', 'MODIFIED p1', 'MODIFIED p2']);
  assert.deepEqual(dns.types(), ['ADDED p1', 'ADDED p2', 'DELETED p1', 'MODIFIED p2']);
  // The DELETED for "stopped matching" is the old content with the event's revision.
  assert.deepEqual([dns.events[2]?.object['metadata'].labels, dns.events[2]?.object['metadata'].resourceVersion], [{ app: 'dns' }, '4']);
});

test('bookmarks: only with allowWatchBookmarks, every interval once the revision moved, carrying only the revision', async (t) => {
  const d = await double(t, { bookmarkIntervalMs: 20, objects: [svc('a')] });
  const kc = client(d);
  const w = await watch(t, kc, '/api/v1/services', { allowWatchBookmarks: true, resourceVersion: d.resourceVersion });
  const plain = await watch(t, kc, '/api/v1/services', { resourceVersion: d.resourceVersion });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(w.events, []); // nothing newer than the watch's start
  d.apply(pod('p')); // another resource moves the (global) revision
  await waitFor('two bookmarks', () => w.events.length >= 2);
  assert.deepEqual(w.events[0], { type: 'BOOKMARK', object: { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: '2', creationTimestamp: null } } });
  assert.deepEqual(plain.events, []);
});

test('resuming from a resourceVersion replays only later events; a future one waits for it', async (t) => {
  const d = await double(t, { objects: [svc('a'), svc('b')] });
  const kc = client(d);
  const from = d.resourceVersion;
  d.apply(svc('c'));
  d.remove('Service', 'default', 'a');
  const w = await watch(t, kc, '/api/v1/namespaces/default/services', { resourceVersion: from });
  await waitFor('replay', () => w.events.length === 2);
  assert.deepEqual(w.types(), ['ADDED c', 'DELETED a']);
  // The server holds the response until the store reaches the revision (up to 3 s), as the watch cache does.
  const pending = watch(t, kc, '/api/v1/namespaces/default/services', { resourceVersion: String(Number(d.resourceVersion) + 1) });
  await new Promise((r) => setTimeout(r, 30));
  d.apply(svc('d'));
  d.apply(svc('e'));
  const ahead = await pending;
  await waitFor('live', () => ahead.events.length === 1 && w.events.length === 4);
  assert.deepEqual(ahead.types(), ['ADDED e']);
});

test('a resourceVersion still ahead after the wait: 504 on a list, an ERROR event on a watch', async (t) => {
  const d = await double(t, { freshnessWaitMs: 30, objects: [svc('a')] });
  const kc = client(d);
  const err = await apiError(kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: 'default', resourceVersion: '9' }));
  assert.deepEqual([err.code, err.body ? JSON.parse(err.body as string).reason : undefined], [504, 'Timeout']);
  const w = await watch(t, kc, '/api/v1/services', { resourceVersion: '9' });
  await waitFor('end', () => w.ended() !== undefined);
  assert.deepEqual(w.events.map((e) => [e.type, e.object['code'], e.object['message']]), [['ERROR', 504, 'Timeout: Too large resource version: 9, current: 1']]);
});

test('compact(): a watch from an older revision gets ERROR 410 Expired and ends; a stale continue token 410 with a fresh token', async (t) => {
  const d = await double(t, { objects: ['a', 'b', 'c'].map((n) => svc(n)) });
  const kc = client(d);
  const api = kc.makeApiClient(CoreV1Api);
  const p1 = await api.listNamespacedService({ namespace: 'default', limit: 1 });
  d.apply(svc('d'));
  d.compact();
  const w = await watch(t, kc, '/api/v1/namespaces/default/services', { resourceVersion: '2' });
  await waitFor('the end of the stream', () => w.ended() !== undefined);
  assert.equal(w.ended()?.err, null);
  assert.deepEqual(w.events, [{ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 2 (4)', reason: 'Expired', code: 410 } }]);
  const ok = await watch(t, kc, '/api/v1/namespaces/default/services', { resourceVersion: '4' });
  d.apply(svc('e'));
  await waitFor('live events after the compacted revision', () => ok.events.length === 1);
  const err = await apiError(api.listNamespacedService({ namespace: 'default', limit: 1, _continue: p1.metadata?._continue as string }));
  assert.equal(err.code, 410);
  const status = JSON.parse(err.body as string) as Json;
  assert.equal(status['reason'], 'Expired');
  assert.match(status['message'], /^The provided continue parameter is too old/);
  const rest = await api.listNamespacedService({ namespace: 'default', _continue: status['metadata'].continue });
  assert.deepEqual(rest.items.map((s) => s.metadata?.name), ['b', 'c', 'd', 'e']); // inconsistent: at the latest revision
  assert.equal(rest.metadata?.resourceVersion, d.resourceVersion);
});

test('401 without or with a wrong bearer token; 403 for what RBAC forbids', async (t) => {
  const d = await double(t, { objects: [svc('a'), slice('s')] });
  const r = await raw(d, '/api/v1/services', null);
  assert.equal(r.status, 401);
  assert.deepEqual(await r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  const wrong = new KubeConfig();
  wrong.loadFromOptions({ clusters: [{ name: 'c', server: d.url, skipTLSVerify: true }], users: [{ name: 'u', token: 'wrong' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  assert.equal((await apiError(wrong.makeApiClient(CoreV1Api).listServiceForAllNamespaces())).code, 401);
  const w401 = await watch(t, wrong, '/api/v1/services');
  assert.equal(w401.ended()?.err.statusCode, 401);

  const kc = client(d);
  const core = kc.makeApiClient(CoreV1Api);
  d.forbid('services');
  const all = await apiError(core.listServiceForAllNamespaces());
  assert.equal(all.code, 403);
  assert.deepEqual(JSON.parse(all.body as string), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'services is forbidden: User "system:serviceaccount:kube-system:podns" cannot list resource "services" in API group "" at the cluster scope',
    reason: 'Forbidden', details: { kind: 'services' }, code: 403 });
  assert.match(JSON.parse((await apiError(core.listNamespacedService({ namespace: 'default' }))).body as string).message, /in the namespace "default"$/);
  const w403 = await watch(t, kc, '/api/v1/services');
  assert.equal(w403.ended()?.err.statusCode, 403);
  d.forbid('endpointslices.discovery.k8s.io');
  const es = await apiError(kc.makeApiClient(DiscoveryV1Api).listEndpointSliceForAllNamespaces());
  assert.match(JSON.parse(es.body as string).message, /^endpointslices\.discovery\.k8s\.io is forbidden: .* cannot list resource "endpointslices" in API group "discovery\.k8s\.io" at the cluster scope$/);
  d.allow('services');
  assert.equal((await core.listServiceForAllNamespaces()).items.length, 1);
});

test('stop() drops every connection and watch; start() comes back on the same port with state and history', async (t) => {
  const d = await double(t, { objects: [svc('a')] });
  const kc = client(d);
  const port = d.port;
  const from = d.resourceVersion;
  const w = await watch(t, kc, '/api/v1/services', { resourceVersion: from });
  await waitFor('the watch', () => d.watchers() === 1);
  await d.stop();
  await waitFor('the client to see the break', () => w.ended() !== undefined);
  assert.notEqual(w.ended()?.err, null);
  assert.equal(d.watchers(), 0);
  await assert.rejects(raw(d, '/healthz'));
  d.apply(svc('while-down'));
  await d.start();
  assert.equal(d.port, port);
  const list = await kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
  assert.deepEqual(list.items.map((s) => s.metadata?.name), ['a', 'while-down']);
  const again = await watch(t, kc, '/api/v1/services', { resourceVersion: from });
  await waitFor('the missed event', () => again.events.length === 1);
  assert.deepEqual(again.types(), ['ADDED while-down']);
});

test('makeInformer: list then watch; add/update/delete; after a compaction it relists', async (t) => {
  const d = await double(t, { objects: [svc('a')] });
  const kc = client(d);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Service>(kc, '/api/v1/namespaces/default/services', () => api.listNamespacedService({ namespace: 'default' }));
  const seen: string[] = [];
  informer.on('add', (s) => seen.push(`add ${s.metadata?.name}`));
  informer.on('update', (s) => seen.push(`update ${s.metadata?.name}`));
  informer.on('delete', (s) => seen.push(`delete ${s.metadata?.name}`));
  informer.on('error', (e) => seen.push(`error ${String(e)}`));
  await informer.start();
  t.after(() => informer.stop());
  await waitFor('the watch', () => d.watchers() === 1);
  d.apply(svc('b'));
  d.apply(svc('a', 'default', { v: '2' }));
  d.remove('Service', 'default', 'b');
  await waitFor('events', () => seen.length === 4);
  assert.deepEqual(seen, ['add a', 'add b', 'update a', 'delete b']);
  // The informer's revision falls behind (it asks for no bookmarks), the history goes, its watch
  // ends: it resumes from its old revision, gets ERROR 410 and relists.
  d.apply(pod('p'));
  d.compact();
  const lists = d.requests.filter((r) => !r.watch).length;
  d.endWatches();
  await waitFor('the relist', () => d.requests.filter((r) => !r.watch).length === lists + 1 && d.watchers() === 1);
  assert.ok(d.requests.some((r) => r.watch && r.query['resourceVersion'] === '4'));
  d.apply(svc('c'));
  await waitFor('c', () => seen.length === 5);
  assert.deepEqual(seen.slice(4), ['add c']);
  assert.deepEqual(informer.list().map((s) => s.metadata?.name).sort(), ['a', 'c']);
});

test('endWatches(): streams end cleanly and the client re-watches from its last revision', async (t) => {
  const d = await double(t, { objects: [svc('a')] });
  const kc = client(d);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Service>(kc, '/api/v1/namespaces/default/services', () => api.listNamespacedService({ namespace: 'default' }));
  await informer.start();
  t.after(() => informer.stop());
  await waitFor('the watch', () => d.watchers() === 1);
  d.apply(svc('b'));
  await waitFor('b', () => informer.list().length === 2);
  d.endWatches();
  await waitFor('the re-watch', () => d.requests.filter((r) => r.watch).length === 2 && d.watchers() === 1);
  assert.equal(d.requests.at(-1)?.query['resourceVersion'], '2');
  assert.equal(d.requests.filter((r) => !r.watch).length, 1);
});

test('sendInitialEvents: the state, then a bookmark annotated k8s.io/initial-events-end', async (t) => {
  const d = await double(t, { objects: [svc('a'), svc('b')] });
  const w = await watch(t, client(d), '/api/v1/services', { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
  await waitFor('initial events', () => w.events.length === 3);
  assert.deepEqual(w.types().slice(0, 2), ['ADDED a', 'ADDED b']);
  assert.deepEqual(w.events[2], { type: 'BOOKMARK', object: { kind: 'Service', apiVersion: 'v1',
    metadata: { resourceVersion: '2', creationTimestamp: null, annotations: { 'k8s.io/initial-events-end': 'true' } } } });
  const bad = await raw(d, '/api/v1/services?watch=true&sendInitialEvents=true');
  assert.equal(bad.status, 422);
  // sendInitialEvents=false: from now, without the state.
  const none = await watch(t, client(d), '/api/v1/services', { sendInitialEvents: false, resourceVersionMatch: 'NotOlderThan', resourceVersion: '0' });
  d.apply(svc('c'));
  await waitFor('c', () => none.events.length === 1);
  assert.deepEqual(none.types(), ['ADDED c']);
});
