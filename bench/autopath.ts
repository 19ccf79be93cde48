/**
 * `npm run bench:autopath`: an external name looked up by a ClusterFirst pod, without and with
 * autopath, weighed as CoreDNS's scaling guide does: the queries the client sends per lookup, and
 * the lookups the server answers per CPU-second.
 *
 * One client pod, `ns-0/client`, has the address dnsperf and the resolver send from (127.0.0.1), so
 * podns with `pods verified` knows its namespace and search path. Two podns (dist/), in turn on the
 * server core, over bench/'s generated cluster with its `example.test.` hosts forwarded to a knot
 * upstream on the load core:
 *
 *   kubeadm    kubeadm's cluster block (`pods verified`, so that only autopath differs)
 *   autopath   the same with `autopath @kubernetes`
 *
 * For each, `podns explain NAME --server` (the glibc resolver model, ndots:5 and the pod's search
 * path) gives the queries one lookup sends and checks the lookup succeeds; dnsperf then replays
 * exactly those queries for every external host (A hosts: 8 per lookup without autopath,
 * 2 with it) after a warm-up pass, and the server's CPU time gives lookups per CPU-second.
 * Autopath replies depend on the client's namespace, so podns never replays them from its
 * answer cache: each is a walk of the search path through the chain.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dnsperf } from './dnsperf.ts';
import { DEFAULT_CLUSTER, EXTERNAL_ZONE, externalZone, generateCluster, manifestFiles } from './generate.ts';
import { cpuSeconds, freePort, memory, waitFor } from './procs.ts';
import { ROOT, benchSetup, podnsReady, startKnot } from './servers.ts';
import type { Files } from './servers.ts';
import { zoneFile } from './zone.ts';

const USAGE = `node bench/autopath.ts [flags]     (npm run bench:autopath -- [flags])
  --duration S      seconds of dnsperf load per setup (5)
  --rounds N        load runs per setup, alternating; medians (3)
  --server-cpu N    the core podns is pinned to (0); --load-cpu N: dnsperf and the upstream (1)`;

const { values: f } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' },
    'server-cpu': { type: 'string', default: '0' }, 'load-cpu': { type: 'string', default: '1' }, help: { type: 'boolean' },
  },
});
if (f.help === true) { process.stdout.write(`${USAGE}\n`); process.exit(0); }
const DURATION = Number(f.duration);
const ROUNDS = Number(f.rounds);
const SERVER_CPU = Number(f['server-cpu']);
const LOAD_CPU = Number(f['load-cpu']);
const NAMESPACE = 'ns-0';
const CLIENT_IP = '127.0.0.1';

const log = (m: string): void => { process.stderr.write(`[autopath ${new Date().toISOString().slice(11, 19)}] ${m}\n`); };
const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };

function corefile(port: number, readyPort: number, upstreamPort: number, autopath: boolean): string {
  return `.:${port} {
    bind 127.0.0.1
    ready 127.0.0.1:${readyPort}
${autopath ? '    autopath @kubernetes\n' : ''}    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods verified
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    forward . 127.0.0.1:${upstreamPort}
    cache 30
}
`;
}

interface Setup {
  readonly name: 'kubeadm' | 'autopath';
  readonly port: number;
  readonly pid: number;
  /** The queries one lookup sends, as `podns explain` saw them: `name type` lines for dnsperf. */
  readonly lookup: readonly string[];
  readonly runs: Array<{ qps: number; perCpu: number; lost: number }>;
}

/** The queries glibc sends for `name` from the client pod, through `podns explain` against `port`. */
function explain(resolvConf: string, port: number, name: string): { queries: Array<{ name: string; type: string }>; addrs: string[] } {
  const out = execFileSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'explain', name, '--resolv-conf', resolvConf, '--server', `127.0.0.1:${port}`, '--json'], { encoding: 'utf8' });
  const j = JSON.parse(out) as { queries: Array<{ name: string; type: string }>; result: { addrs: string[] } };
  return { queries: j.queries, addrs: j.result.addrs };
}

async function main(): Promise<number> {
  const { dir, procs } = benchSetup('podns-autopath-', LOAD_CPU, log);
  try {
    const cluster = generateCluster(DEFAULT_CLUSTER);
    const files: Files = { dir, manifests: join(dir, 'manifests'), clusterZone: '', externalZone: join(dir, 'example.test.zone') };
    mkdirSync(files.manifests);
    for (const [name, text] of manifestFiles(cluster)) writeFileSync(join(files.manifests, name), text);
    writeFileSync(join(files.manifests, 'client.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${NAMESPACE}}
spec: {containers: [{name: c, image: busybox}]}
status: {phase: Running, podIP: ${CLIENT_IP}, podIPs: [{ip: ${CLIENT_IP}}]}
`);
    writeFileSync(files.externalZone, zoneFile(EXTERNAL_ZONE, externalZone(cluster)));
    // The pod's resolv.conf as the kubelet writes it for ClusterFirst (the nameserver is overridden by --server).
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, `search ${NAMESPACE}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`);
    const hosts = cluster.external.map((h) => h.name.replace(/\.$/, ''));

    const upstreamPort = await freePort();
    await startKnot(procs, files, 'upstream', { cpu: LOAD_CPU, port: upstreamPort, zones: [{ origin: EXTERNAL_ZONE, file: files.externalZone }] });
    const setups: Setup[] = [];
    for (const name of ['kubeadm', 'autopath'] as const) {
      const [port, readyPort] = [await freePort(), await freePort()];
      const conf = join(dir, `Corefile-${name}`);
      writeFileSync(conf, corefile(port, readyPort, upstreamPort, name === 'autopath'));
      const proc = procs.start(`podns-${name}`, process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--conf', conf, '--manifests', files.manifests], { cpu: SERVER_CPU, cwd: ROOT, log: join(dir, `podns-${name}.log`) });
      await waitFor(`podns-${name}`, () => podnsReady(readyPort), 60_000, proc);
      const sample = explain(resolvConf, port, hosts[0]!);
      if (sample.addrs.length === 0) throw new Error(`${name}: ${hosts[0]} did not resolve: ${JSON.stringify(sample)}`);
      // The same sequence, with the name swapped, for every host (they all have the same number of labels).
      const lookup = sample.queries.map((q) => `${q.name.replace(hosts[0]!, '{}')} ${q.type}`);
      log(`${name}: one lookup of ${hosts[0]} sends ${lookup.length} queries: ${sample.queries.map((q) => `${q.name} ${q.type}`).join(', ')}`);
      setups.push({ name, port, pid: proc.pid, lookup, runs: [] });
    }
    for (const s of setups) {
      const file = join(dir, `queries-${s.name}`);
      writeFileSync(file, `${hosts.flatMap((h) => s.lookup.map((l) => l.replace('{}', h))).join('\n')}\n`);
      await dnsperf({ port: s.port, file, cpu: LOAD_CPU, passes: 1, clients: 4, outstanding: 100, timeout: 2 });
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 === 0 ? setups : [...setups].reverse()) {
        const cpu0 = cpuSeconds(s.pid);
        const perf = await dnsperf({ port: s.port, file: join(dir, `queries-${s.name}`), cpu: LOAD_CPU, seconds: DURATION, clients: 4, outstanding: 100, timeout: 2 });
        const cpu = cpuSeconds(s.pid) - cpu0;
        s.runs.push({ qps: perf.qps, perCpu: perf.completed / cpu, lost: perf.lost });
        log(`round ${r + 1}/${ROUNDS} ${s.name}: ${perf.qps.toFixed(0)} QPS, ${(perf.completed / cpu).toFixed(0)} per CPU-s, ${perf.lost} lost`);
      }
    }
    let out = `\nA ClusterFirst glibc pod (ndots:5, search ${NAMESPACE}.svc.cluster.local svc.cluster.local cluster.local) resolving ${hosts.length} external names; podns pinned to cpu ${SERVER_CPU}, medians of ${ROUNDS} runs of ${DURATION} s\n\n`;
    out += '| setup | queries per lookup | QPS | QPS per CPU-s | lookups per CPU-s | lost | RSS after load |\n|---|---:|---:|---:|---:|---:|---:|\n';
    const perLookup = new Map<string, number>();
    for (const s of setups) {
      const perCpu = median(s.runs.map((x) => x.perCpu));
      perLookup.set(s.name, perCpu / s.lookup.length);
      out += `| ${s.name} | ${s.lookup.length} | ${median(s.runs.map((x) => x.qps)).toFixed(0)} | ${perCpu.toFixed(0)} | ${(perCpu / s.lookup.length).toFixed(0)} | ${s.runs.reduce((a, x) => a + x.lost, 0)} | ${memory(s.pid).rssMiB.toFixed(0)} MiB |\n`;
    }
    const [plain, auto] = setups;
    out += `\nautopath: ${auto!.lookup.length} queries per lookup instead of ${plain!.lookup.length} (target 2 instead of 8: ${auto!.lookup.length === 2 && plain!.lookup.length === 8 ? 'pass' : 'FAIL'}); lookups per server CPU-second ${(perLookup.get('autopath')! / perLookup.get('kubeadm')!).toFixed(2)}× kubeadm's\n`;
    process.stdout.write(out);
    return 0;
  } finally {
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
