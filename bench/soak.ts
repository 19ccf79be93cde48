/**
 * `npm run soak`: podns under steady load for a long time (default 10 minutes) while everything
 * around it changes, and whether it loses a query or grows.
 *
 * podns (dist/, pinned to the server core) serves bench/'s generated cluster from a folder of
 * manifests, forwards `example.test.` to a knotd upstream (on the load core) and has kubernetes,
 * cache, forward, errors, reload (every 2 s), prometheus, health and ready. While dnsperf offers a
 * fixed rate (`--rate`, default 2000 QPS) in chunks of at most 60 s (`-l`, `-Q`, `-t 2`) of a
 * mix of cluster hits, NXDOMAIN, SRV, headless and endpoint names, forwarded names (answered by
 * knot, then the cache) and the churned names below, this script
 *
 *   churns     every `--churn` seconds (3) adds, edits or deletes a Service or an EndpointSlice
 *              file in the manifests folder (16 slots `churn-K` in namespace `ns-K`, ClusterIP or
 *              headless), then asks podns until the answer is the one the files now say (at most
 *              5 s: a step that never converges is a failure);
 *   reloads    every `--reload` seconds (30) rewrites the Corefile with the other cache TTL (30 or
 *              20), so the reload plugin swaps it in; every 4th rewrite is a broken Corefile,
 *              kept for one period, which must be rejected (coredns_reload_failed_total + 1,
 *              coredns_reload_version_info unchanged) while the old configuration serves;
 *   samples    every 10 s podns's VmRSS (/proc/PID/status), its JS heap and error counters
 *              (/metrics: coredns_reload_failed_total, coredns_panics_total), /health and /ready.
 *
 * At the end it prints a table and exits 1 when a query was lost or answered SERVFAIL, RSS grew
 * faster than RSS_SLOPE_LIMIT over the second half, a panic was counted, /health or /ready failed
 * once, a reload went otherwise than expected, or a churn step did not converge.
 *
 * Everything it starts (podns, knotd, dnsperf) is stopped by its PID at the end, on an error, on
 * Ctrl-C or SIGTERM; a watchdog ends the run if it overruns by five minutes.
 */
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeMessage } from '../src/dns/message.ts';
import { RRType } from '../src/dns/types.ts';
import { dnsperf, running as dnsperfRunning } from './dnsperf.ts';
import type { PerfResult } from './dnsperf.ts';
import { DEFAULT_CLUSTER, clusterMix, dnsperfFile, drawQueries, externalMix, externalZone, generateCluster, manifestFiles, prng } from './generate.ts';
import type { MixPart } from './generate.ts';
import { freePort, memory, queryBytes, waitFor } from './procs.ts';
import { ROOT, benchSetup, podnsReady, startKnot } from './servers.ts';
import type { Files } from './servers.ts';
import { zoneFile } from './zone.ts';

const USAGE = `node bench/soak.ts [flags]     (npm run soak -- [flags])
  --minutes N       how long the load runs (10)
  --rate Q          queries per second offered by dnsperf (2000)
  --chunk S         seconds per dnsperf run (60)
  --churn S         seconds between manifest changes (3)
  --reload S        seconds between Corefile rewrites (30)
  --keep            keep the temp dir (Corefile, manifests, podns.log)
  --server-cpu N    the core podns is pinned to (0); --load-cpu N: this runner, dnsperf, knot (1)`;

const { values: f } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '2000' }, chunk: { type: 'string', default: '60' },
    churn: { type: 'string', default: '3' }, reload: { type: 'string', default: '30' }, keep: { type: 'boolean', default: false },
    'server-cpu': { type: 'string', default: '0' }, 'load-cpu': { type: 'string', default: '1' }, help: { type: 'boolean' },
  },
});
if (f.help === true) { process.stdout.write(`${USAGE}\n`); process.exit(0); }
const MINUTES = Number(f.minutes);
const RATE = Number(f.rate);
const CHUNK_S = Number(f.chunk);
const CHURN_MS = Number(f.churn) * 1000;
const RELOAD_MS = Number(f.reload) * 1000;
const SERVER_CPU = Number(f['server-cpu']);
const LOAD_CPU = Number(f['load-cpu']);
for (const [k, v] of Object.entries({ minutes: MINUTES, rate: RATE, chunk: CHUNK_S, churn: CHURN_MS, reload: RELOAD_MS })) {
  if (!Number.isFinite(v) || v <= 0) { process.stderr.write(`--${k}: a positive number\n${USAGE}\n`); process.exit(2); }
}

/**
 * The RSS growth that fails the run: a least-squares slope over the second half of the samples
 * (caches full, code compiled, every churn slot used) above 30 MiB per hour. Why that figure: at
 * it, a pod at this cluster's ~100 MiB would reach deploy/'s 256 Mi memory limit in about five
 * hours, i.e. restart several times a day; and it is about what five minutes of 10 s samples can
 * resolve from the collector's sawtooth (a few MiB either way), so a smaller limit would fail
 * runs on noise. A 10-minute run cannot show a slower leak: run longer (`--minutes 60`) for that.
 */
const RSS_SLOPE_LIMIT = 30;
const SAMPLE_MS = 10_000;
const CONVERGE_MS = 5000;
const SLOTS = 16;
/** Every BROKEN_EVERY-th Corefile rewrite is broken. */
const BROKEN_EVERY = 4;

const log = (m: string): void => { process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${m}\n`); };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!; };

// ------------------------------------------------------------------------------------------------
// The Corefile and its rewrites
// ------------------------------------------------------------------------------------------------

interface Ports { dns: number; health: number; ready: number; metrics: number; upstream: number }

function corefile(p: Ports, cacheTtl: number): string {
  return `# bench/soak.ts: kubeadm's block on loopback; the cache TTL is toggled to make the reload plugin reload.
.:${p.dns} {
    bind 127.0.0.1
    errors
    health 127.0.0.1:${p.health}
    ready 127.0.0.1:${p.ready}
    prometheus 127.0.0.1:${p.metrics}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    forward . 127.0.0.1:${p.upstream}
    cache ${cacheTtl}
    reload 2s 1s
}
`;
}

/** Broken Corefiles, in turn: a setup error, an unknown directive, a parse error. */
const BREAKAGES: ReadonlyArray<(valid: string) => string> = [
  (c) => c.replace(/cache \d+/, 'cache -5'),
  (c) => c.replace('    errors\n', '    errors\n    no_such_plugin\n'),
  (c) => c.replace(/\}\n$/, ''),
];

// ------------------------------------------------------------------------------------------------
// Manifest churn: slots of a Service file and an EndpointSlice file, and the answer they imply
// ------------------------------------------------------------------------------------------------

interface Slot {
  service: { headless: boolean; ip: string; port: number } | null;
  slice: { ips: string[]; ready: boolean[] } | null;
}

const slotName = (k: number): string => `churn-${k}`;
const slotNamespace = (k: number): string => `ns-${k}`;
const slotQname = (k: number): string => `${slotName(k)}.${slotNamespace(k)}.svc.cluster.local.`;

function serviceYaml(k: number, s: NonNullable<Slot['service']>): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${slotName(k)}, namespace: ${slotNamespace(k)}}
spec:
  clusterIP: ${s.headless ? 'None' : s.ip}
  selector: {app: ${slotName(k)}}
  ports: [{name: http, port: ${s.port}, protocol: TCP}]
`;
}

function sliceYaml(k: number, s: NonNullable<Slot['slice']>): string {
  const endpoints = s.ips.map((ip, i) => `  - addresses: [${ip}]\n    conditions: {ready: ${s.ready[i]}}\n`).join('');
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${slotName(k)}-x1
  namespace: ${slotNamespace(k)}
  labels: {kubernetes.io/service-name: ${slotName(k)}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
${endpoints}`;
}

/** What `slotQname(k) A` answers: NXDOMAIN without a Service, or for a headless one without a ready endpoint. */
function expected(s: Slot): { rcode: number; addrs: string[] } {
  if (s.service === null) return { rcode: 3, addrs: [] };
  if (!s.service.headless) return { rcode: 0, addrs: [s.service.ip] };
  const ready = s.slice === null ? [] : s.slice.ips.filter((_, i) => s.slice!.ready[i]);
  return ready.length === 0 ? { rcode: 3, addrs: [] } : { rcode: 0, addrs: [...ready].sort() };
}

/** One UDP A query to podns: the rcode and the A addresses, or null after `timeoutMs`. */
function askA(port: number, name: string, timeoutMs = 500): Promise<{ rcode: number; addrs: string[] } | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const id = Math.floor(Math.random() * 65536);
    const done = (v: { rcode: number; addrs: string[] } | null): void => { clearTimeout(timer); sock.close(); resolve(v); };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('message', (m) => {
      if (m.length < 12 || m.readUInt16BE(0) !== id) return;
      const msg = decodeMessage(m);
      done({ rcode: msg.rcode, addrs: msg.answers.filter((a) => a.type === RRType.A).map((a) => String(a.data)).sort() });
    });
    sock.on('error', () => done(null));
    sock.send(queryBytes(id, name, RRType.A), port, '127.0.0.1');
  });
}

class Churn {
  readonly slots: Slot[] = Array.from({ length: SLOTS }, () => ({ service: null, slice: null }));
  readonly convergeMs: number[] = [];
  readonly failures: string[] = [];
  readonly actions = new Map<string, number>();
  readonly #rng = prng(7);
  #next = 0;
  readonly #dir: string;
  readonly #port: number;
  constructor(dir: string, port: number) { this.#dir = dir; this.#port = port; }

  #ip(base: string): string { const n = ++this.#next; return `${base}.${(n >> 8) & 255}.${n & 255}`; }
  #file(k: number, what: 'svc' | 'eps'): string { return join(this.#dir, `churn-${what}-${k}.yaml`); }

  /** One change to one slot's files, then waits until podns answers what the files say. */
  async step(): Promise<void> {
    const k = Math.floor(this.#rng() * SLOTS);
    const s = this.slots[k]!;
    const writeService = (svc: NonNullable<Slot['service']>): void => { s.service = svc; writeFileSync(this.#file(k, 'svc'), serviceYaml(k, svc)); };
    const choices: Array<[string, () => void]> = [];
    if (s.service === null) {
      choices.push(['service added', () => writeService({ headless: this.#rng() < 0.5, ip: this.#ip('10.112'), port: 80 })]);
    } else {
      const svc = s.service;
      // A ClusterIP service gets a new address; a headless one a new port (its answer stays).
      choices.push(['service edited', () => writeService({ ...svc, ip: svc.headless ? svc.ip : this.#ip('10.112'), port: svc.port === 80 ? 8080 : 80 })]);
      choices.push(['service deleted', () => { s.service = null; unlinkSync(this.#file(k, 'svc')); }]);
    }
    choices.push([s.slice === null ? 'endpointslice added' : 'endpointslice edited', () => {
      const n = 1 + Math.floor(this.#rng() * 3);
      s.slice = { ips: Array.from({ length: n }, () => this.#ip('10.200')), ready: Array.from({ length: n }, () => this.#rng() < 0.75) };
      writeFileSync(this.#file(k, 'eps'), sliceYaml(k, s.slice));
    }]);
    if (s.slice !== null) choices.push(['endpointslice deleted', () => { s.slice = null; unlinkSync(this.#file(k, 'eps')); }]);
    const [action, change] = choices[Math.floor(this.#rng() * choices.length)]!;
    change();
    this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    const want = expected(s);
    const t0 = performance.now();
    let got: { rcode: number; addrs: string[] } | null = null;
    while (performance.now() - t0 < CONVERGE_MS) {
      got = await askA(this.#port, slotQname(k));
      if (got !== null && got.rcode === want.rcode && got.addrs.join() === want.addrs.join()) {
        this.convergeMs.push(performance.now() - t0);
        return;
      }
      await sleep(20);
    }
    this.failures.push(`${slotQname(k)} after "${action}": want ${JSON.stringify(want)}, still ${JSON.stringify(got)} after ${CONVERGE_MS} ms`);
    log(`churn FAILURE: ${this.failures.at(-1)!}`);
  }
}

// ------------------------------------------------------------------------------------------------
// /metrics, /health, /ready
// ------------------------------------------------------------------------------------------------

async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

interface Scrape { reloadFailed: number; panics: number; hash: string; heapMiB: number }

function parseMetrics(text: string): Scrape {
  const value = (name: string): number => {
    let sum = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  };
  return {
    reloadFailed: value('coredns_reload_failed_total'),
    panics: value('coredns_panics_total'),
    hash: /^coredns_reload_version_info\{[^}]*value="([0-9a-f]+)"[^}]*\} 1$/m.exec(text)?.[1] ?? '',
    heapMiB: value('nodejs_heap_size_used_bytes') / 1048576,
  };
}

async function scrape(port: number): Promise<Scrape | null> {
  const r = await httpGet(port, '/metrics');
  return r.status === 200 ? parseMetrics(r.body) : null;
}

// ------------------------------------------------------------------------------------------------
// The run
// ------------------------------------------------------------------------------------------------

interface Sample { readonly t: number; readonly rssMiB: number; readonly heapMiB: number }

/** Least-squares slope of rss over t (seconds), in MiB per hour. */
function slopePerHour(samples: readonly Sample[]): number {
  if (samples.length < 3) return NaN;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mr = samples.reduce((a, s) => a + s.rssMiB, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) { num += (s.t - mt) * (s.rssMiB - mr); den += (s.t - mt) ** 2; }
  return (num / den) * 3600;
}

function queryMix(cluster: ReturnType<typeof generateCluster>): MixPart[] {
  const churned = Array.from({ length: SLOTS }, (_, k) => ({ name: slotQname(k), type: 'A' as const }));
  return [
    ...clusterMix(cluster).map((p) => ({ ...p, percent: p.percent * 0.65 })),
    ...externalMix(cluster).map((p) => ({ ...p, percent: p.percent * 0.3 })),
    { label: 'churned', percent: 5, description: 'A of a churned service (present or not)', pool: churned },
  ];
}

async function main(): Promise<number> {
  const { dir, procs } = benchSetup('podns-soak-', LOAD_CPU, log);
  const killDnsperf = (): void => { for (const pid of dnsperfRunning) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.on('exit', killDnsperf);
  process.on('SIGTERM', () => { killDnsperf(); procs.killAllSync(); process.exit(143); });
  const watchdog = setTimeout(() => { log('watchdog: the run overran by 5 minutes; stopping'); killDnsperf(); procs.killAllSync(); process.exit(1); }, (MINUTES * 60 + 300) * 1000);
  watchdog.unref();
  const timers: NodeJS.Timeout[] = [];
  try {
    const cluster = generateCluster(DEFAULT_CLUSTER);
    const files: Files = { dir, manifests: join(dir, 'manifests'), clusterZone: '', externalZone: join(dir, 'example.test.zone') };
    mkdirSync(files.manifests);
    for (const [name, text] of manifestFiles(cluster)) writeFileSync(join(files.manifests, name), text);
    writeFileSync(files.externalZone, zoneFile('example.test.', externalZone(cluster)));
    const taken = new Set<number>();
    const ports: Ports = { dns: await freePort(taken), health: await freePort(taken), ready: await freePort(taken), metrics: await freePort(taken), upstream: await freePort(taken) };
    await startKnot(procs, files, 'upstream', { cpu: LOAD_CPU, port: ports.upstream, zones: [{ origin: 'example.test.', file: files.externalZone }] });

    const conf = join(dir, 'Corefile');
    let cacheTtl = 30;
    writeFileSync(conf, corefile(ports, cacheTtl));
    const started = performance.now();
    const podns = procs.start('podns', process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--conf', conf, '--manifests', files.manifests], {
      cpu: SERVER_CPU, cwd: ROOT, log: join(dir, 'podns.log'),
    });
    await waitFor('podns', async () => (await podnsReady(ports.ready)) && (await askA(ports.dns, 'kubernetes.default.svc.cluster.local.')) !== null, 120_000, podns);
    log(`podns pid ${podns.pid} ready in ${((performance.now() - started) / 1000).toFixed(1)} s on 127.0.0.1:${ports.dns}; ${dir}`);
    const firstScrape = await scrape(ports.metrics);
    if (firstScrape === null || firstScrape.hash === '') throw new Error('no coredns_reload_version_info on /metrics');

    const queries = join(dir, 'queries.txt');
    writeFileSync(queries, dnsperfFile(drawQueries(queryMix(cluster), 200_000, 11)));

    const t0 = performance.now();
    const elapsed = (): number => (performance.now() - t0) / 1000;
    const end = t0 + MINUTES * 60_000;

    // RSS, heap, health and readiness every SAMPLE_MS.
    const samples: Sample[] = [];
    const httpFailures: string[] = [];
    let last: Scrape = firstScrape;
    const sample = async (): Promise<void> => {
      const s = await scrape(ports.metrics);
      if (s !== null) last = s; else httpFailures.push(`${elapsed().toFixed(0)} s: /metrics did not answer`);
      samples.push({ t: elapsed(), rssMiB: memory(podns.pid).rssMiB, heapMiB: s?.heapMiB ?? NaN });
      for (const [path, port] of [['/health', ports.health], ['/ready', ports.ready]] as const) {
        const r = await httpGet(port, path);
        if (r.status !== 200) httpFailures.push(`${elapsed().toFixed(0)} s: ${path} ${r.status} ${r.body.trim().slice(0, 100)}`);
      }
    };
    await sample();
    timers.push(setInterval(() => { void sample(); }, SAMPLE_MS));

    // Manifest churn, one step at a time.
    const churn = new Churn(files.manifests, ports.dns);
    let churning: Promise<void> = Promise.resolve();
    timers.push(setInterval(() => { churning = churning.then(() => churn.step()); }, CHURN_MS));

    // Corefile rewrites, each checked against /metrics within 10 s.
    const reloads = { ok: 0, failed: 0, expectedOk: 0, expectedFailed: 0, ms: [] as number[], problems: [] as string[] };
    let rewrite = 0;
    let rewriting: Promise<void> = Promise.resolve();
    const rewriteCorefile = async (): Promise<void> => {
      rewrite++;
      const before = (await scrape(ports.metrics)) ?? last;
      const broken = rewrite % BROKEN_EVERY === 0;
      const next = broken ? BREAKAGES[(rewrite / BROKEN_EVERY - 1) % BREAKAGES.length]!(corefile(ports, cacheTtl)) : corefile(ports, cacheTtl === 30 ? 20 : 30);
      if (broken) reloads.expectedFailed++; else { reloads.expectedOk++; cacheTtl = cacheTtl === 30 ? 20 : 30; }
      writeFileSync(conf, next);
      const w0 = performance.now();
      while (performance.now() - w0 < 10_000) {
        await sleep(100);
        const s = await scrape(ports.metrics);
        if (s === null) continue;
        if (broken && s.reloadFailed > before.reloadFailed) {
          reloads.failed++;
          if (s.hash !== before.hash) reloads.problems.push(`rewrite ${rewrite}: a broken Corefile changed the running configuration`);
          return;
        }
        if (!broken && s.hash !== before.hash) {
          reloads.ok++;
          reloads.ms.push(performance.now() - w0);
          if (s.reloadFailed !== before.reloadFailed) reloads.problems.push(`rewrite ${rewrite}: a valid Corefile counted a failure`);
          return;
        }
      }
      reloads.problems.push(`rewrite ${rewrite} (${broken ? 'broken' : `cache ${cacheTtl}`}): no ${broken ? 'failure' : 'new configuration'} on /metrics after 10 s`);
      log(`reload PROBLEM: ${reloads.problems.at(-1)!}`);
    };
    timers.push(setInterval(() => { rewriting = rewriting.then(rewriteCorefile); }, RELOAD_MS));

    // The load, in chunks.
    const chunks: PerfResult[] = [];
    while (performance.now() < end - 1000) {
      const seconds = Math.min(CHUNK_S, Math.round((end - performance.now()) / 1000));
      const perf = await dnsperf({ port: ports.dns, file: queries, cpu: LOAD_CPU, seconds, clients: 4, outstanding: 500, rate: RATE, timeout: 2 });
      chunks.push(perf);
      const s = samples.at(-1)!;
      log(`${elapsed().toFixed(0)} s: ${perf.completed}/${perf.sent} answered, ${perf.lost} lost, ${JSON.stringify(perf.rcodes)}; RSS ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapMiB.toFixed(1)} MiB; churn ${churn.convergeMs.length} ok ${churn.failures.length} failed; reloads ${reloads.ok} ok ${reloads.failed} failed`);
    }
    for (const t of timers.splice(0)) clearInterval(t);
    await Promise.all([churning, rewriting]);
    await sample();
    const final = last;
    const podnsLog = readFileSync(podns.log, 'utf8');
    await procs.stopAll();

    // Report.
    const sum = (k: 'sent' | 'completed' | 'lost'): number => chunks.reduce((a, c) => a + c[k], 0);
    const rcodes: Record<string, number> = {};
    for (const c of chunks) for (const [k, v] of Object.entries(c.rcodes)) rcodes[k] = (rcodes[k] ?? 0) + v;
    const rss = samples.map((s) => s.rssMiB);
    const second = samples.filter((s) => s.t >= samples.at(-1)!.t / 2);
    const slope = slopePerHour(second);
    const errorLines = podnsLog.split('\n').filter((l) => l.includes('[ERROR]'));
    const unexpectedErrors = errorLines.filter((l) => !l.includes('plugin/reload: Corefile changed but reload failed'));
    const logReloads = { ok: (podnsLog.match(/\[INFO\] Reloading complete/g) ?? []).length, failed: errorLines.length - unexpectedErrors.length };
    const minute = (t: number): string => `${Math.floor(t / 60)}:${String(Math.round(t % 60)).padStart(2, '0')}`;
    const byMinute = samples.filter((s, i) => i === 0 || i === samples.length - 1 || Math.floor(s.t / 60) !== Math.floor(samples[i - 1]!.t / 60));
    const checks: Array<[string, boolean]> = [
      ['no query lost', sum('lost') === 0],
      ['no SERVFAIL', (rcodes['SERVFAIL'] ?? 0) === 0],
      [`RSS slope over the second half ≤ ${RSS_SLOPE_LIMIT} MiB/hour`, !(slope > RSS_SLOPE_LIMIT)],
      ['coredns_panics_total 0', final.panics === 0],
      ['/health and /ready 200 at every sample', httpFailures.length === 0],
      ['every valid Corefile reloaded, every broken one rejected', reloads.problems.length === 0 && reloads.ok === reloads.expectedOk && reloads.failed === reloads.expectedFailed && final.reloadFailed === reloads.expectedFailed],
      ['every churn step answered within 5 s', churn.failures.length === 0],
      ['no [ERROR] log line but the rejected reloads', unexpectedErrors.length === 0],
    ];
    const row = (k: string, v: string): string => `| ${k} | ${v} |\n`;
    let out = `\nsoak: ${MINUTES} min at ${RATE} QPS offered (dnsperf -Q ${RATE} -l ≤${CHUNK_S} -c 4 -q 500 -t 2, ${chunks.length} runs); podns ${podns.pid} on cpu ${SERVER_CPU}\n\n`;
    out += '| | |\n|---|---|\n';
    out += row('queries sent / answered / lost', `${sum('sent')} / ${sum('completed')} / ${sum('lost')}`);
    out += row('rcodes', Object.entries(rcodes).map(([k, v]) => `${k} ${v}`).join(', '));
    out += row('RSS MiB first / min / max / last', `${rss[0]!.toFixed(1)} / ${Math.min(...rss).toFixed(1)} / ${Math.max(...rss).toFixed(1)} / ${rss.at(-1)!.toFixed(1)} (${samples.length} samples, every ${SAMPLE_MS / 1000} s)`);
    out += row('RSS slope, second half', `${slope.toFixed(1)} MiB/hour (limit ${RSS_SLOPE_LIMIT}; ${second.length} samples from ${minute(second[0]!.t)})`);
    out += row('RSS MiB by minute', byMinute.map((s) => `${minute(s.t)} ${s.rssMiB.toFixed(0)}`).join(', '));
    out += row('JS heap used MiB first / last', `${samples[0]!.heapMiB.toFixed(1)} / ${samples.at(-1)!.heapMiB.toFixed(1)}`);
    out += row('Corefile reloads ok / failed (expected)', `${reloads.ok} / ${reloads.failed} (${reloads.expectedOk} / ${reloads.expectedFailed}); log: ${logReloads.ok} "Reloading complete", ${logReloads.failed} "reload failed"; coredns_reload_failed_total ${final.reloadFailed}; new config on /metrics after p50 ${median(reloads.ms).toFixed(0)} ms, max ${Math.max(...reloads.ms, 0).toFixed(0)} ms`);
    out += row('manifest churn steps', `${churn.convergeMs.length + churn.failures.length} (${[...churn.actions].map(([k, v]) => `${v} ${k}`).join(', ')}); answer changed after p50 ${median(churn.convergeMs).toFixed(0)} ms, max ${Math.max(...churn.convergeMs, 0).toFixed(0)} ms; ${churn.failures.length} not within 5 s`);
    out += row('coredns_panics_total', String(final.panics));
    out += row('/health, /ready, /metrics failures', String(httpFailures.length));
    out += row('[ERROR] log lines (not reload failures)', String(unexpectedErrors.length));
    out += '\n';
    for (const [what, ok] of checks) out += `${ok ? 'pass' : '**FAIL**'}: ${what}\n`;
    for (const p of [...reloads.problems, ...churn.failures, ...httpFailures, ...unexpectedErrors.slice(0, 20)]) out += `  ${p}\n`;
    process.stdout.write(out);
    if (f.keep) log(`kept ${dir}`);
    return checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    for (const t of timers) clearInterval(t);
    killDnsperf();
    await procs.stopAll();
    if (!f.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => { process.exitCode = code; process.exit(); }, (err: unknown) => {
  log(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
  process.exit();
});
