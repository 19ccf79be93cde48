#!/usr/bin/env node
// Measures podns's memory as deploy/README.md ("Memory") reports it:
//
//   npm run build
//   node deploy/measure-memory.mjs [--services N] [--source api|manifests] [--pods insecure|verified]
//                                  [--queries N] [--node-options '--max-old-space-size=160']
//   node deploy/measure-memory.mjs --manifests examples/cluster     # a folder of your own instead
//
// It writes a generated cluster (N Services, N EndpointSlices of 3 ready endpoints, 3N Pods) to a
// temporary folder, starts `node dist/cli/main.js serve` with kubeadm's default Corefile moved to
// loopback (free ports; forward to an unused loopback port, so no query leaves the machine) and
// the cluster state from those manifests or from podns's API server double
// (src/testing/apiserver.ts, in this process, through a kubeconfig), waits for /ready, and prints
// one JSON line: RSS 5 s after ready ("idle"), then RSS and peak RSS (VmHWM) after QUERIES A
// queries over UDP (200 in flight) spread over every generated Service (with --manifests, the
// same names, which that folder need not have). The server is stopped by its PID.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    source: { type: 'string', default: 'api' },
    pods: { type: 'string', default: 'insecure' },
    queries: { type: 'string', default: '50000' },
    'node-options': { type: 'string', default: '' },
    manifests: { type: 'string' },
  },
});
if (values.manifests !== undefined) values.source = 'manifests';
const services = Number(values.services);
const queries = Number(values.queries);
if (!['api', 'manifests'].includes(values.source)) throw new Error('--source api|manifests');

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// The cluster: Services svc-I in namespaces ns-J (100 Services a namespace), one EndpointSlice
// of 3 ready endpoints each, and their 3 Pods.
const namespaces = Math.max(1, Math.ceil(services / 100));
const objects = [];
for (let n = 0; n < namespaces; n++) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } });
for (let i = 0, pod = 0; i < services; i++) {
  const ns = `ns-${i % namespaces}`;
  const name = `svc-${Math.floor(i / namespaces)}`;
  const ip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: { app: name } },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } });
  const endpoints = [];
  for (let e = 0; e < 3; e++, pod++) {
    const podIp = `10.${128 + (pod >> 16)}.${(pod >> 8) & 255}.${pod & 255}`;
    const podName = `${name}-7d9f8c6b5-${e}`;
    endpoints.push({ addresses: [podIp], conditions: { ready: true, serving: true, terminating: false }, nodeName: `node-${pod % 100}`, targetRef: { kind: 'Pod', namespace: ns, name: podName } });
    objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: ns, labels: { app: name } },
      spec: { nodeName: `node-${pod % 100}`, containers: [{ name: 'app', image: 'nginx:1.27' }] },
      status: { phase: 'Running', podIP: podIp, podIPs: [{ ip: podIp }], conditions: [{ type: 'Ready', status: 'True' }] } });
  }
  objects.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${name}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints });
}

const dir = mkdtempSync(join(tmpdir(), 'podns-memory-'));
const [dns, health, ready, metrics, dead] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
let api = null;
let kubeconfig = '';
const args = [];
if (values.manifests !== undefined) {
  args.push('--manifests', values.manifests);
} else if (values.source === 'manifests') {
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  args.push('--manifests', join(dir, 'cluster.json'));
} else {
  const { startApiDouble } = await import('../src/testing/apiserver.ts');
  api = await startApiDouble({ objects, bookmarkIntervalMs: 60_000 });
  kubeconfig = `\n       kubeconfig ${api.kubeconfig(dir)}`;
}
const { kubeadmCorefile } = await import('../src/cli/default-corefile.ts');
const corefile = kubeadmCorefile
  .replace('.:53 {', `.:${dns} {\n    bind 127.0.0.1`)
  .replace('health {', `health 127.0.0.1:${health} {`)
  .replace(/^(\s+)ready$/m, `$1ready 127.0.0.1:${ready}`)
  .replace('prometheus :9153', `prometheus 127.0.0.1:${metrics}`)
  .replace('forward . /etc/resolv.conf', `forward . 127.0.0.1:${dead}`)
  .replace('pods insecure', `pods ${values.pods}`)
  .replace('ttl 30', `ttl 30${kubeconfig}`);
writeFileSync(join(dir, 'Corefile'), corefile);

const started = Date.now();
const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--conf', join(dir, 'Corefile'), ...args], {
  cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: values['node-options'] },
});
let stderr = '';
child.stderr.on('data', (c) => { stderr += c; });
const mib = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const field = (k) => Math.round(Number(/(\d+) kB/.exec(status.slice(status.indexOf(`${k}:`)))[1]) / 1024);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
};
try {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`podns exited:\n${stderr}`);
    if (Date.now() - started > 60_000) throw new Error(`not ready after 60 s:\n${stderr}`);
    try { if ((await fetch(`http://127.0.0.1:${ready}/ready`)).status === 200) break; } catch { /* not listening yet */ }
    await sleep(50);
  }
  const readyMs = Date.now() - started;
  await sleep(5000);
  const idle = mib();

  const sock = createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const query = (i) => {
    const k = i % services;
    const labels = `svc-${Math.floor(k / namespaces)}.ns-${k % namespaces}.svc.cluster.local`.split('.');
    return Buffer.concat([Buffer.from([(i >> 8) & 255, i & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      ...labels.flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]), Buffer.from([0, 0, 1, 0, 1])]);
  };
  let sent = 0;
  let answered = 0;
  const pump = () => { while (sent - answered < 200 && sent < queries) sock.send(query(sent++), dns, '127.0.0.1'); };
  sock.on('message', () => { answered++; pump(); });
  pump();
  // Until every query is answered, or no answer came for 2 s (datagrams lost under the burst).
  for (let last = -1; answered < queries && answered !== last;) { last = answered; await sleep(2000); pump(); }
  sock.close();
  await sleep(1000);
  const after = mib();
  console.log(JSON.stringify({
    cluster: values.manifests ?? `${services} services, ${services} EndpointSlices, ${3 * services} pods`, source: values.source,
    podsMode: values.pods, nodeOptions: values['node-options'],
    readyMs, idleRssMiB: idle.rss, queries, answered, afterRssMiB: after.rss, peakRssMiB: after.peak,
  }));
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
}
