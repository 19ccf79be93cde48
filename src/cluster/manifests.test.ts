/**
 * Tests for manifests.ts: loading folders of manifests (fixtures and the shipped example cluster),
 * per-document error reporting, and live reloading of a temp directory (edits picked up < 1 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterObject, EndpointSlice, Service } from './model.ts';
import { ManifestError, ManifestSource, parseManifest } from './manifests.ts';
import type { ManifestSourceOptions, ReloadInfo } from './manifests.ts';
import { parseSelector } from './selector.ts';
import { ClusterStore } from './store.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/cluster');
const EXAMPLES = join(ROOT, 'examples/cluster');

function ids(store: ClusterStore): string[] {
  return [...store.objects()].map((o) => (o.kind === 'Namespace' ? `Namespace/${o.name}` : `${o.kind}/${o.namespace}/${o.name}`)).sort();
}

function get<K extends ClusterObject['kind']>(store: ClusterStore, kind: K, namespace: string, name: string): Extract<ClusterObject, { kind: K }> | undefined {
  for (const o of store.objects()) {
    if (o.kind === kind && o.name === name && (o.kind === 'Namespace' || o.namespace === namespace)) return o as Extract<ClusterObject, { kind: K }>;
  }
  return undefined;
}

/** Starts a source; returns it with the errors and reloads it reported. */
async function load(options: Omit<ManifestSourceOptions, 'store' | 'onError'> & { store?: ClusterStore }): Promise<{
  source: ManifestSource; store: ClusterStore; errors: ManifestError[]; reloads: ReloadInfo[];
}> {
  const store = options.store ?? new ClusterStore();
  const errors: ManifestError[] = [];
  const reloads: ReloadInfo[] = [];
  const source = new ManifestSource({ ...options, store, onError: (e) => errors.push(e), onReload: (r) => reloads.push(r) });
  await source.start();
  return { source, store, errors, reloads };
}

async function waitFor(what: string, check: () => boolean, deadlineMs = 1000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > deadlineMs) assert.fail(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

test('parseManifest: documents numbered from 1, empty ones skipped, errors per document', () => {
  const text = '# comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\nkind: Service\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\n';
  const { items, errors } = parseManifest('x.yaml', text);
  assert.equal(items.length, 2);
  assert.deepEqual(errors.map((e) => [e.path, e.document, e.message]), [['x.yaml', 3, 'x.yaml: document 3: apiVersion is not set']]);
  const json = parseManifest('x.json', '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}');
  assert.equal(json.errors.length, 1);
  assert.match(json.errors[0]?.message ?? '', /^x\.json: document 1: invalid JSON: /);
  const syntax = parseManifest('s.yml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nb: [\n');
  assert.match(syntax.errors[0]?.message ?? '', /^s\.yml: document 2: YAML syntax error: .*line \d+, column \d+/);
  assert.deepEqual(parseManifest('e.yaml', ''), { items: [], errors: [] });
  assert.match(parseManifest('l.yaml', '- a\n- b\n').errors[0]?.message ?? '', /document 1: expected an API object, got a list/);
});

test('loads a folder: recursive, only .yaml/.yml/.json, no dot-files, unknown kinds ignored', async () => {
  const { source, store, errors, reloads } = await load({ paths: [join(FIXTURES, 'rich')] });
  try {
    assert.deepEqual(errors, []);
    assert.equal(store.synced, true);
    assert.deepEqual(ids(store).filter((id) => !id.startsWith('EndpointSlice/team-b/legacy-')), [
      'EndpointSlice/team-a/frontend-abcde',
      'Namespace/default', 'Namespace/kube-node-lease', 'Namespace/kube-public', 'Namespace/kube-system',
      'Namespace/team-a', 'Namespace/team-b', 'Namespace/team-c',
      'Pod/team-c/worker',
      'Service/team-a/frontend', 'Service/team-b/legacy', 'Service/team-b/selected',
    ]);
    const frontend = get(store, 'Service', 'team-a', 'frontend');
    assert.deepEqual(frontend?.externalIPs, ['203.0.113.7', '198.51.100.9']);
    assert.deepEqual(get(store, 'EndpointSlice', 'team-a', 'frontend-abcde')?.ips, ['fd00:10:244::5', 'fd00:10:244::6']);
    const mirrored = store.slicesOf('team-b', 'legacy');
    assert.deepEqual(mirrored.map((s) => s.addressType).sort(), ['IPv4', 'IPv6']);
    assert.deepEqual(mirrored.flatMap((s) => s.ips.map((ip, i) => `${s.hostnames?.[i] ?? ''}@${ip}`)).sort(), ['@2001:db8::1', 'one@10.1.0.1']);
    assert.deepEqual(store.slicesOf('team-b', 'selected'), [], 'Endpoints of a service with a selector are not mirrored');
    assert.equal(reloads.length, 1);
    assert.deepEqual(reloads[0], { files: 4, objects: store.size, changed: true, read: 4, failed: 0 });
  } finally {
    source.stop();
  }
});

test('a broken file is reported with path and document number; the others load', async () => {
  const dir = join(FIXTURES, 'broken');
  const { source, store, errors } = await load({ paths: [dir] });
  try {
    assert.equal(store.synced, true);
    assert.deepEqual(errors.map((e) => e.message).sort(), [
      `${join(dir, 'object.json')}: document 1: Service ok/bad: spec.ports[0].port: expected a port number 1-65535, got "http"`,
      `${join(dir, 'syntax.yaml')}: document 2: YAML syntax error: Nested mappings are not allowed in compact mappings at line 9, column 9 (and 1 more)`,
    ]);
    assert.ok(errors.every((e) => e instanceof ManifestError && e.document !== undefined));
    // A file with a broken document contributes nothing (documents 1 of syntax.yaml included).
    assert.deepEqual(ids(store).filter((id) => id.startsWith('Service/')), ['Service/ok/fine']);
  } finally {
    source.stop();
  }
});

test('a missing path fails start() with a clear message', async () => {
  const store = new ClusterStore();
  const missing = join(FIXTURES, 'does-not-exist');
  const source = new ManifestSource({ paths: [join(FIXTURES, 'rich'), missing], store, onError: () => undefined });
  try {
    await assert.rejects(source.start(), { message: `manifests path not found: ${missing}` });
    assert.equal(store.synced, false);
  } finally {
    source.stop();
  }
});

test('filters: labels and namespace_labels are applied', async () => {
  const { source, store } = await load({ paths: [join(FIXTURES, 'rich')], labels: parseSelector('tier=web'), namespaceLabels: parseSelector('none') });
  try {
    assert.deepEqual(ids(store), ['EndpointSlice/team-a/frontend-abcde', 'Service/team-a/frontend']);
  } finally {
    source.stop();
  }
});

test('the example cluster loads cleanly and holds what its README promises', async () => {
  const { source, store, errors } = await load({ paths: [EXAMPLES] });
  try {
    assert.deepEqual(errors, []);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'shop', 'data']) assert.ok(store.hasNamespace(ns), ns);
    const svc = (ns: string, name: string): Service => {
      const s = store.service(ns, name);
      assert.ok(s !== undefined, `${ns}/${name}`);
      return s;
    };
    const ready = (ns: string, name: string): string[] => store.slicesOf(ns, name).flatMap((s: EndpointSlice) => [...s.ips]).sort();
    assert.deepEqual(svc('default', 'kubernetes').clusterIPs, ['10.96.0.1']);
    assert.deepEqual(svc('default', 'kubernetes').ports, [{ name: 'https', port: 443, protocol: 'tcp' }]);
    assert.deepEqual(ready('default', 'kubernetes'), ['172.18.0.2'], 'the skip-mirror Endpoints adds no second slice');
    assert.deepEqual(svc('kube-system', 'kube-dns').clusterIPs, ['10.96.0.10']);
    assert.deepEqual(svc('shop', 'web').clusterIPs, ['10.96.100.10']);
    assert.deepEqual(svc('shop', 'web').ports.map((p) => `${p.name}:${p.port}`), ['http:80', 'https:443']);
    assert.deepEqual(ready('shop', 'web'), ['10.244.1.10', '10.244.2.11'], 'the not-ready endpoint is dropped');
    assert.deepEqual(svc('shop', 'api').clusterIPs, ['10.96.100.20', 'fd00:10:96::14']);
    assert.deepEqual(ready('shop', 'api'), ['10.244.2.20', 'fd00:10:244:2::14']);
    assert.equal(svc('shop', 'payments').externalName, 'api.stripe.com');
    assert.equal(svc('data', 'db').headless, true);
    assert.deepEqual(store.slicesOf('data', 'db').flatMap((s) => s.ips.map((ip, i) => `${s.hostnames?.[i]}=${ip}`)), ['db-0=10.244.1.30', 'db-1=10.244.2.31']);
    assert.deepEqual(store.slicesOf('data', 'db')[0]?.ports, [{ name: 'postgres', port: 5432, protocol: 'tcp' }]);
    assert.equal(svc('data', 'warehouse').headless, true);
    assert.equal(svc('data', 'warehouse').hasSelector, false);
    assert.deepEqual(store.slicesOf('data', 'warehouse').flatMap((s) => s.ips.map((ip, i) => `${s.hostnames?.[i]}=${ip}`)), ['primary=192.168.10.5']);
    assert.deepEqual(store.podsByIP('10.244.1.10'), [{ namespace: 'shop', hostNetwork: false }]);
    assert.deepEqual(store.podsByIP('fd00:10:244:2::14'), [{ namespace: 'shop', hostNetwork: false }]);
    assert.ok([...store.objects()].some((o) => o.kind === 'Pod' && o.name === 'api-6b7c9d8f5-k2m4p' && o.ips.join() === '10.244.2.20,fd00:10:244:2::14'));
    assert.deepEqual(store.podsByIP('10.244.1.40'), [], 'the Succeeded job pod is dropped');
    assert.deepEqual(store.servicesByIP('10.96.0.10').map((s) => s.name), ['kube-dns']);
  } finally {
    source.stop();
  }
});

test('live reload of a temp directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podns-manifests-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const svc = (name: string, ip: string, ns = 'app'): string =>
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  clusterIP: ${ip}\n`;

  await t.test('edits, additions, deletions, broken edits and recovery', async () => {
    await writeFile(join(dir, 'a.yaml'), `${svc('one', '10.96.1.1')}---\n${svc('two', '10.96.1.2')}`);
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'three', namespace: 'app' }, spec: { clusterIP: '10.96.1.3' } }));
    await writeFile(join(dir, 'ignored.txt'), 'not yaml: [');
    const { source, store, errors, reloads } = await load({ paths: [dir] });
    try {
      assert.equal(errors.length, 0);
      assert.deepEqual(store.service('app', 'one')?.clusterIPs, ['10.96.1.1']);
      assert.ok(store.service('app', 'three') !== undefined);
      assert.ok(store.hasNamespace('app'), 'implicit namespace');

      // Edit: picked up within 1 s; only the edited file is re-read.
      let rev = store.revision;
      await writeFile(join(dir, 'a.yaml'), `${svc('one', '10.96.1.11')}---\n${svc('two', '10.96.1.2')}`);
      await waitFor('edit', () => store.service('app', 'one')?.clusterIPs[0] === '10.96.1.11');
      assert.ok(store.revision > rev);
      assert.equal(reloads.at(-1)?.read, 1);

      // A new file, in a new folder.
      await mkdir(join(dir, 'new'));
      await writeFile(join(dir, 'new', 'c.yml'), svc('four', '10.96.1.4', 'other'));
      await waitFor('new file', () => store.service('other', 'four') !== undefined);
      assert.ok(store.hasNamespace('other'));

      // A deleted file takes its objects (and implied namespace) with it.
      await unlink(join(dir, 'new', 'c.yml'));
      await waitFor('deleted file', () => store.service('other', 'four') === undefined);
      assert.equal(store.hasNamespace('other'), false);

      // A broken edit: reported with path and document number, last good objects keep serving.
      rev = store.revision;
      await writeFile(join(dir, 'a.yaml'), `${svc('one', '10.96.1.12')}---\n${svc('two', 'not-an-ip')}`);
      await waitFor('error report', () => errors.length > 0);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.message, `${join(dir, 'a.yaml')}: document 2: Service app/two: spec.clusterIP: expected an IP address, got "not-an-ip"`);
      assert.equal(errors[0]?.path, join(dir, 'a.yaml'));
      assert.equal(errors[0]?.document, 2);
      assert.deepEqual(store.service('app', 'one')?.clusterIPs, ['10.96.1.11'], 'the whole file keeps its last good version');
      assert.deepEqual(store.service('app', 'two')?.clusterIPs, ['10.96.1.2']);
      assert.equal(store.revision, rev, 'nothing changed');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(errors.length, 1, 'an unchanged broken file is not reported again');

      // A YAML syntax error likewise.
      await writeFile(join(dir, 'a.yaml'), `${svc('one', '10.96.1.13')}---\nkind: [\n`);
      await waitFor('syntax error report', () => errors.length > 1);
      assert.match(errors[1]?.message ?? '', new RegExp(`^${join(dir, 'a.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: document 2: YAML syntax error`));
      assert.deepEqual(store.service('app', 'one')?.clusterIPs, ['10.96.1.11']);

      // Recovery.
      await writeFile(join(dir, 'a.yaml'), `${svc('one', '10.96.1.14')}`);
      await waitFor('recovery', () => store.service('app', 'one')?.clusterIPs[0] === '10.96.1.14');
      assert.equal(store.service('app', 'two'), undefined);
      assert.equal(errors.length, 2);

      // reloadNow() reads changes at once.
      await writeFile(join(dir, 'sub', 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'three', namespace: 'app' }, spec: { clusterIP: '10.96.1.33' } }));
      await source.reloadNow();
      assert.deepEqual(store.service('app', 'three')?.clusterIPs, ['10.96.1.33']);
    } finally {
      source.stop();
    }
  });

  await t.test('a file broken at startup contributes nothing until fixed; an explicit file path is watched', async () => {
    const file = join(dir, 'single.manifest'); // explicitly named: read whatever its extension
    await writeFile(file, `${svc('five', '10.96.1.5')}---\n${svc('six', 'bad')}`);
    const { source, store, errors } = await load({ paths: [file] });
    try {
      assert.equal(store.synced, true);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.document, 2);
      assert.equal(store.service('app', 'five'), undefined);
      await writeFile(file, `${svc('five', '10.96.1.5')}---\n${svc('six', '10.96.1.6')}`);
      const ms = await waitFor('fixed file', () => store.service('app', 'six') !== undefined);
      assert.ok(ms <= 1000);
      assert.ok(store.service('app', 'five') !== undefined);
    } finally {
      source.stop();
    }
  });

  await t.test('polling alone picks edits up within 1 s', async () => {
    await writeFile(join(dir, 'a.yaml'), svc('one', '10.96.1.31'));
    const { source, store } = await load({ paths: [dir], fsWatch: false });
    try {
      for (const ip of ['10.96.1.32', '10.96.1.33']) {
        await writeFile(join(dir, 'a.yaml'), svc('one', ip));
        await waitFor(`poll edit to ${ip}`, () => store.service('app', 'one')?.clusterIPs[0] === ip);
      }
    } finally {
      source.stop();
    }
  });

  await t.test('stop() ends watching', async () => {
    await writeFile(join(dir, 'a.yaml'), svc('one', '10.96.1.21'));
    const { source, store } = await load({ paths: [dir] });
    source.stop();
    const rev = store.revision;
    await writeFile(join(dir, 'a.yaml'), svc('one', '10.96.1.22'));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(store.revision, rev);
    assert.deepEqual(store.service('app', 'one')?.clusterIPs, ['10.96.1.21']);
  });
});
