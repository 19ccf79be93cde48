import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterName, dots, findHosts, looksExternal, surelyClusterName } from './names.ts';

const hosts = (text: string): string[] => findHosts(text).map((h) => `${h.host}${h.absolute ? '.' : ''}${h.bare ? '' : ' (url)'}`);

test('findHosts: URLs, whatever their last label, with ports, users, paths and queries', () => {
  assert.deepEqual(hosts('https://api.example.com/v1/x'), ['api.example.com (url)']);
  assert.deepEqual(hosts('postgres://user:pw@db.corp.internal:5432/app?sslmode=require'), ['db.corp.internal (url)']);
  assert.deepEqual(hosts('jdbc:postgresql://pg.example.org/db'), ['pg.example.org (url)']);
  assert.deepEqual(hosts('http://web.shop:8080'), ['web.shop (url)']);
  assert.deepEqual(hosts('https://api.stripe.com./v1'), ['api.stripe.com. (url)']);
  assert.deepEqual(hosts('amqp://MQ.Example.NET'), ['mq.example.net (url)']);
});

test('findHosts: URLs without a dotted host name give nothing', () => {
  assert.deepEqual(hosts('http://localhost:8080/'), []);
  assert.deepEqual(hosts('http://10.0.0.1:80/'), []);
  assert.deepEqual(hosts('http://[fd00::1]:80/'), []);
  assert.deepEqual(hosts('https://${HOST}/x'), []);
  assert.deepEqual(hosts('https://{{ .Values.host }}/x'), []);
});

test('findHosts: bare names, with ports, in lists, after = and in scripts', () => {
  assert.deepEqual(hosts('api.example.com'), ['api.example.com']);
  assert.deepEqual(hosts('db.example.com:5432'), ['db.example.com']);
  assert.deepEqual(hosts('a.example.com:9092,b.example.com:9092'), ['a.example.com', 'b.example.com']);
  assert.deepEqual(hosts('--host=api.example.com'), ['api.example.com']);
  assert.deepEqual(hosts('set -e\ncurl -fs api.example.com/x || nc mq.example.net 5671\n'), ['mq.example.net']);
  assert.deepEqual(hosts('example.com.'), ['example.com.']);
});

test('findHosts: paths, e-mail addresses, keys, templates, images, versions and IPs are not hosts', () => {
  for (const text of [
    '/etc/app/config.yaml', './run.sh', 'ops@example.com', 'log.level=debug', '--log.level=debug', '${db.host}',
    'gcr.io/project/image:1.2', '1.2.3', '10.0.0.1', 'v1.2.3-rc.1', 'foo.bar(x)', '%{x.y}',
  ]) {
    assert.deepEqual(hosts(text).filter((h) => !h.endsWith('(url)')).filter((h) => looksExternal(h.replace(/\.$/, ''))), [], text);
  }
  assert.deepEqual(hosts('/etc/app/config.yaml ops@example.com log.level=debug gcr.io/x/y 10.0.0.1'), []);
});

test('findHosts: offsets point at the host', () => {
  const text = 'x https://api.example.com/ y db.example.net';
  for (const h of findHosts(text)) assert.equal(text.slice(h.offset, h.offset + h.host.length).toLowerCase(), h.host);
});

test('looksExternal: top-level domains people use, not file extensions or Java packages', () => {
  for (const n of ['api.example.com', 'mq.partner.example.net', 'db.corp.internal', 'x.example.io', 'shop.example.co.uk', 'host.docker.internal', 'printer.lan']) {
    assert.equal(looksExternal(n), true, n);
  }
  for (const n of ['config.yaml', 'run.sh', 'app.py', 'README.md', 'main.go', 'com.example.app', 'org.example.dev', 'log.level', 'web.shop', 'com.example.shop.main', 'requirements.in']) {
    assert.equal(looksExternal(n), false, n);
  }
  // A URL's host: no file names or packages there, but a namespace outside the manifests still looks like one.
  assert.equal(looksExternal('files.example.sh', true), true);
  assert.equal(looksExternal('com.example.app', true), true);
  assert.equal(looksExternal('minio.storage', true), false);
});

const ctx = { clusterDomain: 'cluster.local', namespaces: new Set(['default', 'shop', 'dev']), services: new Set(['shop/web', 'shop/db']) };

test('clusterName: the cluster domain, .svc, <svc>.<ns>, <x>.<ns>, <pod>.<svc> of the pod\'s namespace', () => {
  assert.match(clusterName('web.shop.svc.cluster.local', 'shop', ctx) ?? '', /cluster domain/);
  assert.match(clusterName('web.shop.svc.cluster.local.', 'shop', ctx) ?? '', /cluster domain/);
  assert.match(clusterName('web.shop.svc', 'shop', ctx) ?? '', /\.svc/);
  assert.match(clusterName('web.shop', 'default', ctx) ?? '', /Service shop\/web/);
  assert.match(clusterName('api.dev', 'default', ctx) ?? '', /namespace dev/);
  assert.match(clusterName('db-0.db', 'shop', ctx) ?? '', /Service shop\/db/);
  assert.equal(clusterName('db-0.db', 'default', ctx), null);
  assert.equal(clusterName('api.example.com', 'shop', ctx), null);
});

test('surelyClusterName: only names nothing but the cluster answers', () => {
  assert.notEqual(surelyClusterName('db.shop.svc.cluster.local', ctx), null);
  assert.notEqual(surelyClusterName('x.y.svc', ctx), null);
  assert.notEqual(surelyClusterName('web.shop', ctx), null);
  assert.notEqual(surelyClusterName('db-0.db.shop', ctx), null);
  assert.equal(surelyClusterName('api.dev', ctx), null);
  assert.equal(surelyClusterName('api.example.com', ctx), null);
  assert.equal(surelyClusterName('web.shop', { ...ctx, clusterDomain: 'k8s.example' }) === null, false);
  assert.notEqual(surelyClusterName('x.k8s.example', { ...ctx, clusterDomain: 'k8s.example' }), null);
});

test('dots', () => {
  assert.equal(dots('api.example.com'), 2);
  assert.equal(dots('localhost'), 0);
});

test('findHosts: linear on long and hostile strings (certificates, scripts, runs of labels)', () => {
  for (const text of [
    'x'.repeat(1_000_000), 'a.'.repeat(100_000) + '1', 'a-'.repeat(100_000) + '.com', 'a+'.repeat(100_000) + ':/',
    'https://api.example.com/x '.repeat(50_000), 'aaaaaaaaaa.'.repeat(100_000) + '1',
  ]) {
    const start = performance.now();
    findHosts(text);
    assert.ok(performance.now() - start < 2000, `${text.slice(0, 20)}… took ${performance.now() - start} ms`);
  }
});
