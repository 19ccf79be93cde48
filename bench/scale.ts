/**
 * `npm run bench:scale`: podns at cluster scale, fed the way it runs in a cluster — list and watch
 * from an API server. The API server is src/testing/apiserver.ts (the real list/watch protocol,
 * paginated lists) in this process, pinned with dnsperf to the load core; podns (the built
 * dist/, as deployed) is pinned to the server core and reaches it through the kubernetes plugin's
 * `endpoint` option. For each cluster size it measures:
 *
 *   start → ready   from spawning podns to /ready answering 200 (lists done, state loaded)
 *   RSS             VmRSS at ready and after a few seconds of queries (dnsperf, fixed duration)
 *   QPS             dnsperf at full speed over A queries for random ClusterIP services
 *   change → answer for N changes, a Service's ClusterIP changed on the API server, then podns
 *                   asked every millisecond until the answer has the new address: p50 and p99
 *
 * The sizes default to the issue's: 100 000 pods behind 10 000 services (10 endpoints each, 20%
 * headless), and one tenth of that, so that "QPS must not fall as the cluster grows" is read off
 * one run. `--pods verified` makes podns hold the pods too (CoreDNS watches pods only then).
 */
import { writeFileSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApiDouble } from '../src/testing/apiserver.ts';
import type { ApiDouble } from '../src/testing/apiserver.ts';
import { dnsperf } from './dnsperf.ts';
import { cpuSeconds, freePort, memory, queryBytes, waitFor } from './procs.ts';
import type { Processes } from './procs.ts';
import { ROOT, benchSetup, podnsReady } from './servers.ts';

const USAGE = `node bench/scale.ts [flags]     (npm run bench:scale -- [flags])
  --services N      services of the large cluster (10000); the small one has a tenth
  --endpoints N     ready endpoints (and pods) per service (10)
  --pods MODE       insecure (default: pods are not held, as CoreDNS) or verified
  --changes N       ClusterIP changes timed per size (50)
  --duration S      seconds of dnsperf load per size (5)
  --server-cpu N    the core podns is pinned to (0); --load-cpu N: this runner and dnsperf (1)`;

const { values: f } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' }, endpoints: { type: 'string', default: '10' },
    pods: { type: 'string', default: 'insecure' }, changes: { type: 'string', default: '50' },
    duration: { type: 'string', default: '5' }, 'server-cpu': { type: 'string', default: '0' },
    'load-cpu': { type: 'string', default: '1' }, help: { type: 'boolean' },
  },
});
if (f.help === true) { process.stdout.write(`${USAGE}\n`); process.exit(0); }
const SERVICES = Number(f.services);
const ENDPOINTS = Number(f.endpoints);
const PODS = f.pods === 'verified' ? 'verified' : 'insecure';
const CHANGES = Number(f.changes);
const DURATION = Number(f.duration);
const SERVER_CPU = Number(f['server-cpu']);
const LOAD_CPU = Number(f['load-cpu']);
const NAMESPACES = 100;

const log = (m: string): void => { process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${m}\n`); };
const ip = (base: number, n: number): string => `${base}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** The cluster's objects as the API server holds them. */
function* cluster(services: number): Iterable<object> {
  for (let n = 0; n < NAMESPACES; n++) yield { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } };
  let pod = 0;
  for (let s = 0; s < services; s++) {
    const namespace = `ns-${s % NAMESPACES}`;
    const name = `svc-${s}`;
    const headless = s % 5 === 0;
    yield {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace },
      spec: { clusterIP: headless ? 'None' : ip(10, 0x600000 + s), selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    };
    const endpoints = [];
    for (let e = 0; e < ENDPOINTS; e++, pod++) {
      const podName = `${name}-7d9f8c6b5-${pod.toString(36).padStart(5, '0')}`;
      const addr = ip(10, 0x400000 + pod);
      endpoints.push({ addresses: [addr], conditions: { ready: true }, nodeName: `node-${pod % 500}`, targetRef: { kind: 'Pod', name: podName, namespace } });
      yield {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace, labels: { app: name } },
        spec: { nodeName: `node-${pod % 500}`, containers: [{ name: 'app', image: 'registry.example/app:1.0' }] },
        status: { phase: 'Running', podIP: addr, podIPs: [{ ip: addr }] },
      };
    }
    yield {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${name}-abcde`, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    };
  }
}

/** The A record podns gives for `name`, or null (one UDP query, 100 ms). */
function askA(port: number, name: string): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const q = queryBytes(0x1234, name, 1);
    const done = (v: string | null): void => { clearTimeout(t); sock.close(); resolve(v); };
    const t = setTimeout(() => done(null), 100);
    sock.on('message', (m) => done(m.readUInt16BE(6) > 0 && m.length >= 4 ? [...m.subarray(m.length - 4)].join('.') : null));
    sock.send(q, port, '127.0.0.1');
  });
}

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!; };

interface Row { services: number; pods: number; startS: number; rssReady: number; rssLoaded: number; qps: number; qpsPerCpu: number; changeP50: number; changeP99: number }

const split = (pid: number): string => { const m = memory(pid); return `${m.anonMiB.toFixed(0)} anonymous, ${m.fileMiB.toFixed(0)} of files`; };

async function measure(procs: Processes, dir: string, services: number): Promise<Row> {
  log(`${services} services, ${services * ENDPOINTS} endpoints and pods: filling the API server`);
  const api: ApiDouble = await startApiDouble({ token: null });
  for (const o of cluster(services)) api.apply(o);
  const [port, readyPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const heap = async (): Promise<string> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const v = (n: string): number => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${n} `)) ?? '')?.[2] ?? NaN) / 1048576;
    return `JS heap ${v('nodejs_heap_size_used_bytes').toFixed(0)} MiB used of ${v('nodejs_heap_size_total_bytes').toFixed(0)}`;
  };
  const conf = join(dir, `Corefile-${services}`);
  writeFileSync(conf, `.:${port} {\n    bind 127.0.0.1\n    ready 127.0.0.1:${readyPort}\n    prometheus 127.0.0.1:${metricsPort}\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n        endpoint ${api.url}\n        pods ${PODS}\n        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }\n}\n`);
  const started = performance.now();
  const proc = procs.start('podns', process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--conf', conf], { cpu: SERVER_CPU, cwd: ROOT, log: join(dir, `podns-${services}.log`) });
  await waitFor('podns', () => podnsReady(readyPort), 120_000, proc);
  const startS = (performance.now() - started) / 1000;
  const rssReady = memory(proc.pid).rssMiB;
  log(`ready in ${startS.toFixed(2)} s, ${rssReady.toFixed(0)} MiB RSS (${split(proc.pid)}), ${await heap()}`);
  // Load: A for random ClusterIP services.
  const queries = join(dir, `queries-${services}`);
  const lines: string[] = [];
  for (let i = 0; i < 20000; i++) {
    let s = Math.floor(Math.random() * services);
    if (s % 5 === 0) s = (s + 1) % services;
    lines.push(`svc-${s}.ns-${s % NAMESPACES}.svc.cluster.local A`);
  }
  writeFileSync(queries, `${lines.join('\n')}\n`);
  await dnsperf({ port, file: queries, cpu: LOAD_CPU, passes: 1, clients: 4, outstanding: 100, timeout: 2 });
  const cpu0 = cpuSeconds(proc.pid);
  const perf = await dnsperf({ port, file: queries, cpu: LOAD_CPU, seconds: DURATION, clients: 4, outstanding: 100, timeout: 2 });
  const cpu = cpuSeconds(proc.pid) - cpu0;
  const rssLoaded = memory(proc.pid).rssMiB;
  log(`${perf.qps.toFixed(0)} QPS, ${(perf.completed / cpu).toFixed(0)} per CPU-s, ${rssLoaded.toFixed(0)} MiB after load (${split(proc.pid)}), ${await heap()}`);
  // Change → answer.
  const times: number[] = [];
  for (let c = 0; c < CHANGES; c++) {
    const s = 1 + 5 * c; // ClusterIP services (s % 5 !== 0)
    const name = `svc-${s}.ns-${s % NAMESPACES}.svc.cluster.local`;
    const next = ip(10, 0x700000 + c);
    const t0 = performance.now();
    api.apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${s}`, namespace: `ns-${s % NAMESPACES}` },
      spec: { clusterIP: next, selector: { app: `svc-${s}` }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    for (;;) {
      if ((await askA(port, name)) === next) break;
      if (performance.now() - t0 > 10_000) throw new Error(`${name}: no change after 10 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
    times.push(performance.now() - t0);
  }
  await procs.stop(proc);
  await api.close();
  const row = {
    services, pods: services * ENDPOINTS, startS, rssReady, rssLoaded, qps: perf.qps, qpsPerCpu: perf.completed / cpu,
    changeP50: pct(times, 50), changeP99: pct(times, 99),
  };
  log(`change → answer p50 ${row.changeP50.toFixed(1)} ms, p99 ${row.changeP99.toFixed(1)} ms`);
  return row;
}

async function main(): Promise<void> {
  const { dir, procs } = benchSetup('podns-scale-', LOAD_CPU, log);
  try {
    const rows = [await measure(procs, dir, Math.round(SERVICES / 10)), await measure(procs, dir, SERVICES)];
    let out = `\npods ${PODS}, ${ENDPOINTS} endpoints per service, ${NAMESPACES} namespaces; podns pinned to cpu ${SERVER_CPU}\n\n`;
    out += '| services | endpoints (= pods) | start → ready | RSS at ready | RSS after load | QPS | QPS per CPU-s | change → answer p50 / p99 |\n|---:|---:|---:|---:|---:|---:|---:|---|\n';
    for (const r of rows) out += `| ${r.services} | ${r.pods} | ${r.startS.toFixed(2)} s | ${r.rssReady.toFixed(0)} MiB | ${r.rssLoaded.toFixed(0)} MiB | ${r.qps.toFixed(0)} | ${r.qpsPerCpu.toFixed(0)} | ${r.changeP50.toFixed(1)} / ${r.changeP99.toFixed(1)} ms |\n`;
    const big = rows[1]!;
    const sizing = (big.pods + big.services) / 1000 + 54;
    out += `\nCoreDNS's sizing guide for this cluster: (pods + services)/1000 + 54 = ${sizing.toFixed(0)} MB.\n`;
    out += `targets: RSS ≤ 100 MB ${big.rssLoaded * 1.048576 <= 100 ? 'pass' : 'FAIL'} (${(big.rssLoaded * 1.048576).toFixed(0)} MB); start → ready ≤ 3 s ${big.startS <= 3 ? 'pass' : 'FAIL'}; change → answer p99 ≤ 50 ms ${big.changeP99 <= 50 ? 'pass' : 'FAIL'}; QPS per CPU-s at 10× the size ${(big.qpsPerCpu / rows[0]!.qpsPerCpu).toFixed(2)}× the small cluster's\n`;
    process.stdout.write(out);
  } finally {
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
