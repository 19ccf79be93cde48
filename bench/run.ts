/**
 * The benchmark runner (`npm run bench`, `node bench/run.ts --help`). In one run:
 *
 *   1. generate a synthetic cluster (bench/generate.ts) into a temp dir: manifests for podns,
 *      zone files for the peers, and dnsperf query files for each mix;
 *   2. start the servers (bench/servers.ts), each pinned to the server core: podns, podns-dgram
 *      (the same on node:dgram: batched UDP's before and after), knot (the C reference), the dns2
 *      peer (the JavaScript one) and the echo loop, plus the upstream knot podns forwards to;
 *   3. check with dig that every server but echo gives the zone files' rcode and answers for a
 *      sample of the mixes' questions (bench/verify.ts), and stop if any differ;
 *   4. per mix: warm every server up, then in rounds give each server a throughput run (dnsperf
 *      as fast as replies come) and a latency run at a fixed offered rate, servers taking turns,
 *      with dnsperf pinned to the load core and the server's CPU time read from /proc before and
 *      after each run; keep the medians over the rounds;
 *   5. print the summary (bench/report.ts) and write the results as JSON.
 *
 * Every process is stopped by its PID at the end, on error and on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dnsperf, running as dnsperfRunning } from './dnsperf.ts';
import type { PerfOptions } from './dnsperf.ts';
import {
  CLUSTER_DOMAIN, DEFAULT_CLUSTER, EXTERNAL_ZONE, clusterZone, distinctQueries, dnsperfFile, drawQueries, externalZone, generateCluster, manifestFiles, mix,
} from './generate.ts';
import type { ClusterOptions, MixName, MixPart, Question } from './generate.ts';
import { Processes, coreBusySeconds, cpuSeconds, freePort, memory, runSync } from './procs.ts';
import { evaluateTargets, qpsPerCpu, summaryMarkdown } from './report.ts';
import type { Measurement, Run, ServerInfo } from './report.ts';
import { CACHE_SECONDS, ROOT, SERVER_NAMES, startDns2, startEcho, startKnot, startPodns, upstreamQueries } from './servers.ts';
import type { Files, Server, ServerName } from './servers.ts';
import { verifyServers } from './verify.ts';
import { ZoneSet, parseZoneFile, zoneFile } from './zone.ts';

const FLAGS = {
  namespaces: { type: 'string', default: String(DEFAULT_CLUSTER.namespaces) },
  services: { type: 'string', default: String(DEFAULT_CLUSTER.services) },
  'headless-percent': { type: 'string', default: String(DEFAULT_CLUSTER.headlessPercent) },
  'headless-endpoints': { type: 'string', default: String(DEFAULT_CLUSTER.headlessEndpoints) },
  'clusterip-endpoints': { type: 'string', default: String(DEFAULT_CLUSTER.clusterIPEndpoints) },
  'external-names': { type: 'string', default: String(DEFAULT_CLUSTER.externalNames) },
  seed: { type: 'string', default: String(DEFAULT_CLUSTER.seed) },
  queries: { type: 'string', default: '100000' },
  duration: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '2' },
  rate: { type: 'string', default: '20000' },
  clients: { type: 'string', default: '4' },
  outstanding: { type: 'string', default: '100' },
  'latency-outstanding': { type: 'string', default: '500' },
  timeout: { type: 'string', default: '2' },
  verify: { type: 'string', default: '400' },
  rounds: { type: 'string', default: '4' },
  servers: { type: 'string', default: SERVER_NAMES.join(',') },
  scenarios: { type: 'string', default: 'cluster,external' },
  'server-cpu': { type: 'string', default: '0' },
  'load-cpu': { type: 'string', default: '1' },
  out: { type: 'string', default: 'bench/results/latest.json' },
  'generate-only': { type: 'string' },
  keep: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const HELP = `node bench/run.ts [flags]     (npm run bench -- [flags])

Serves one generated cluster from podns, knot and a dns2 server, each pinned to one core, loads
each with dnsperf on the other core, and prints QPS, QPS per server CPU-second, latency at a fixed
rate and RSS, with podns's ratios to the peers and the issue's targets. Needs knotd (knot), dnsperf,
dig and taskset: apt-get install -y knot dnsperf bind9-dnsutils util-linux.

The cluster
  --namespaces N            namespaces (${DEFAULT_CLUSTER.namespaces})
  --services N              services, spread over the namespaces (${DEFAULT_CLUSTER.services})
  --headless-percent P      share of headless services, % (${DEFAULT_CLUSTER.headlessPercent})
  --headless-endpoints N    ready endpoints per headless service (${DEFAULT_CLUSTER.headlessEndpoints})
  --clusterip-endpoints N   ready endpoints per ClusterIP service (${DEFAULT_CLUSTER.clusterIPEndpoints})
  --external-names N        hosts under ${EXTERNAL_ZONE} (${DEFAULT_CLUSTER.externalNames})
  --seed N                  everything generated follows from it (${DEFAULT_CLUSTER.seed})

The load
  --queries N               lines per dnsperf query file; dnsperf loops over it (100000)
  --duration S              seconds per run (3)
  --rounds N                rounds per mix; in each, every server gets a throughput run and a
                            latency run, servers taking turns; figures are medians over rounds (4)
  --warmup S                seconds of warm-up load per server and mix, after one pass over
                            every distinct question (2)
  --rate Q                  offered rate of the latency runs, queries/s (20000)
  --clients N               dnsperf -c (4)
  --outstanding N           dnsperf -q in throughput runs (100)
  --latency-outstanding N   dnsperf -q in latency runs (500)
  --timeout S               dnsperf -t: seconds before a query counts as lost (2)
  --verify N                questions per mix checked with dig on every server first (400)

What runs where
  --servers LIST            of podns,podns-dgram,knot,dns2,echo (all; podns-dgram is podns with
                            PODNS_UDP=dgram; echo is a bare node:dgram loop, the ceiling of any
                            server on node:dgram, its answers not checked)
  --scenarios LIST          of cluster,external (both)
  --server-cpu N            the core the servers are pinned to (0)
  --load-cpu N              the core dnsperf, dig, the upstream knot and this runner use (1)

Output
  --out FILE                results as JSON (bench/results/latest.json); '' for none
  --generate-only DIR       write the manifests, zone files and query files to DIR and stop
  --keep                    keep the temp dir (configs, logs, generated files)
  -h, --help
`;

function int(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) usage(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${HELP}`);
  process.exit(2);
}

function list<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const i of items) if (!allowed.includes(i as T)) usage(`--${name}: unknown ${JSON.stringify(i)} (one of ${allowed.join(', ')})`);
  return items as T[];
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The generated files, written to `dir`. */
interface Generated {
  readonly files: Files;
  readonly zones: ZoneSet;
  readonly mixes: Map<MixName, { parts: MixPart[]; queryFile: string; warmFile: string; sample: Question[] }>;
  readonly counts: Record<string, number>;
}

function writeGenerated(dir: string, options: ClusterOptions, queries: number, verify: number): Generated {
  const cluster = generateCluster(options);
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests, { recursive: true });
  for (const [name, text] of manifestFiles(cluster)) writeFileSync(join(manifests, name), text);
  const clusterRecords = clusterZone(cluster);
  const externalRecords = externalZone(cluster);
  const files: Files = { dir, manifests, clusterZone: join(dir, 'cluster.local.zone'), externalZone: join(dir, 'example.test.zone') };
  writeFileSync(files.clusterZone, zoneFile(CLUSTER_DOMAIN, clusterRecords));
  writeFileSync(files.externalZone, zoneFile(EXTERNAL_ZONE, externalRecords));
  // The checks read the zone files back, so they test what the peers load.
  const zones = new ZoneSet([files.clusterZone, files.externalZone].map((f) => parseZoneFile(readFileSync(f, 'utf8'))));
  const mixes: Generated['mixes'] = new Map();
  for (const name of ['cluster', 'external'] as const) {
    const parts = mix(cluster, name);
    const distinct = distinctQueries(parts, options.seed + 2);
    const queryFile = join(dir, `${name}.queries`);
    const warmFile = join(dir, `${name}.warm`);
    writeFileSync(queryFile, dnsperfFile(drawQueries(parts, queries, options.seed + 1)));
    writeFileSync(warmFile, dnsperfFile(distinct));
    // The sample for the dig check: questions from every part of the mix.
    const sample = verify === 0 ? [] : parts.flatMap((p) => distinctQueries([p], options.seed + 3).slice(0, Math.max(1, Math.ceil((verify * p.percent) / 100))));
    mixes.set(name, { parts, queryFile, warmFile, sample });
  }
  const counts = {
    namespaces: cluster.namespaces.length,
    services: cluster.services.length,
    headless: cluster.services.filter((s) => s.headless).length,
    endpoints: cluster.services.reduce((n, s) => n + s.endpoints.length, 0),
    readyEndpoints: cluster.services.reduce((n, s) => n + s.endpoints.filter((e) => e.ready).length, 0),
    pods: cluster.services.reduce((n, s) => n + s.endpoints.length, 0),
    clusterRecords: clusterRecords.length,
    externalHosts: cluster.external.length,
    externalRecords: externalRecords.length,
  };
  return { files, zones, mixes, counts };
}

function tool(cmd: string, args: string[]): string {
  try {
    return runSync(cmd, args);
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is not installed: apt-get install -y knot dnsperf bind9-dnsutils util-linux`);
    return `${err.stdout ?? ''}${err.stderr ?? ''}`; // dnsperf -h exits 1
  }
}

function environment(): Record<string, string> {
  // The commit, and when src/ or native/ differs from it, a hash of the difference (tracked
  // changes and untracked files), so that two runs can tell whether they measured the same podns.
  const gitRev = (): string => {
    try {
      const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const rev = git('rev-parse', '--short', 'HEAD').trim();
      const hash = createHash('sha1').update(git('diff', 'HEAD', '--', 'src', 'native'));
      const untracked = git('ls-files', '--others', '--exclude-standard', '--', 'src', 'native').split('\n').filter((f) => f !== '');
      for (const f of untracked) hash.update(f).update(readFileSync(join(ROOT, f)));
      const dirty = git('status', '--porcelain', '--', 'src', 'native').trim() !== '';
      return dirty ? `${rev} + uncommitted changes ${hash.digest('hex').slice(0, 8)}` : rev;
    } catch {
      return 'unknown';
    }
  };
  const pkg = (p: string): string => (JSON.parse(readFileSync(join(ROOT, p), 'utf8')) as { version: string }).version;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: String(cpus().length),
    kernel: tool('uname', ['-sr']).trim(),
    node: process.version,
    podns: `${pkg('package.json')} @ ${gitRev()}`,
    knot: /version ([\d.]+)/.exec(tool('knotd', ['-V']))?.[1] ?? 'unknown',
    dnsperf: /Version ([\d.]+)/.exec(tool('dnsperf', ['-h']))?.[1] ?? 'unknown',
    dns2: pkg('node_modules/dns2/package.json'),
  };
}

/** Everything the command line decides. */
interface Options {
  readonly cluster: ClusterOptions;
  readonly queries: number;
  readonly verify: number;
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly rate: number;
  readonly clients: number;
  readonly timeout: number;
  readonly outstanding: number;
  readonly latencyOutstanding: number;
  readonly serverCpu: number;
  readonly loadCpu: number;
  readonly servers: readonly ServerName[];
  readonly scenarios: readonly MixName[];
  readonly out: string;
  readonly generateOnly: string | undefined;
  readonly keep: boolean;
}

function parseOptions(argv: string[]): Options | 'help' {
  const parse = () => parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  let v: ReturnType<typeof parse>['values'];
  try {
    v = parse().values;
  } catch (e) {
    usage((e as Error).message);
  }
  if (v.help) return 'help';
  const o: Options = {
    cluster: {
      namespaces: int('namespaces', v.namespaces, 1),
      services: int('services', v.services, 1),
      headlessPercent: int('headless-percent', v['headless-percent']),
      headlessEndpoints: int('headless-endpoints', v['headless-endpoints'], 1),
      clusterIPEndpoints: int('clusterip-endpoints', v['clusterip-endpoints']),
      externalNames: int('external-names', v['external-names'], 1),
      seed: int('seed', v.seed),
    },
    queries: int('queries', v.queries, 1),
    verify: int('verify', v.verify),
    rounds: int('rounds', v.rounds, 1),
    duration: int('duration', v.duration, 1),
    warmup: int('warmup', v.warmup),
    rate: int('rate', v.rate, 1),
    clients: int('clients', v.clients, 1),
    timeout: int('timeout', v.timeout, 1),
    outstanding: int('outstanding', v.outstanding, 1),
    latencyOutstanding: int('latency-outstanding', v['latency-outstanding'], 1),
    serverCpu: int('server-cpu', v['server-cpu']),
    loadCpu: int('load-cpu', v['load-cpu']),
    servers: list('servers', v.servers, SERVER_NAMES),
    scenarios: list<MixName>('scenarios', v.scenarios, ['cluster', 'external']),
    out: v.out,
    generateOnly: v['generate-only'],
    keep: v.keep,
  };
  if (o.serverCpu === o.loadCpu) usage('--server-cpu and --load-cpu must differ');
  if (Math.max(o.serverCpu, o.loadCpu) >= cpus().length) usage(`this machine has ${cpus().length} cores`);
  return o;
}

/** Step 2: the upstream knot, then each server under test; its start time and RSS once loaded. */
async function startServers(procs: Processes, g: Generated, o: Options): Promise<{ started: Map<ServerName, Server>; loaded: Map<ServerName, number> }> {
  const taken = new Set<number>();
  const upstreamPort = await freePort(taken);
  await startKnot(procs, g.files, 'upstream', { cpu: o.loadCpu, port: upstreamPort, zones: [{ origin: EXTERNAL_ZONE, file: g.files.externalZone }] });
  const started = new Map<ServerName, Server>();
  const loaded = new Map<ServerName, number>();
  for (const name of o.servers) {
    const port = await freePort(taken);
    const cpu = o.serverCpu;
    let s: Server;
    if (name === 'podns' || name === 'podns-dgram') s = await startPodns(procs, g.files, { cpu, port, readyPort: await freePort(taken), upstreamPort, dgram: name === 'podns-dgram' });
    else if (name === 'knot') s = await startKnot(procs, g.files, 'knot', { cpu, port, zones: [{ origin: CLUSTER_DOMAIN, file: g.files.clusterZone }, { origin: EXTERNAL_ZONE, file: g.files.externalZone }] });
    else if (name === 'dns2') s = await startDns2(procs, g.files, { cpu, port });
    else s = await startEcho(procs, g.files, { cpu, port });
    started.set(name, s);
    loaded.set(name, memory(s.proc.pid).rssMiB);
    log(`${name} on 127.0.0.1:${port}, pid ${s.proc.pid}, answering after ${s.startSeconds.toFixed(2)} s`);
  }
  return { started, loaded };
}

/** Step 3: every server gives the zone files' answers for the sample of each mix, or the run stops. */
async function checkAnswers(started: Map<ServerName, Server>, g: Generated, o: Options): Promise<void> {
  for (const scenario of o.scenarios) {
    const m = g.mixes.get(scenario)!;
    if (m.sample.length === 0) continue;
    // The echo loop answers nothing right by design: it is only the ceiling.
    const checked = [...started.values()].filter((s) => s.name !== 'echo');
    log(`checking ${m.sample.length} ${scenario} questions with dig on ${checked.map((s) => s.name).join(', ')}`);
    // Forwarded answers come from podns's cache, whose TTLs count down: compared without TTLs.
    const mismatches = await verifyServers(checked, g.zones, m.sample, scenario === 'cluster');
    if (mismatches.length > 0) {
      for (const x of mismatches.slice(0, 30)) log(`MISMATCH ${x.server} ${x.question}\n    got      ${x.got}\n    expected ${x.expected}`);
      throw new Error(`${mismatches.length} answers differ from the zone files (${scenario} mix); not measuring`);
    }
  }
}

type RunOptions = Omit<PerfOptions, 'port' | 'cpu' | 'clients' | 'timeout'>;

/**
 * One dnsperf run against `s`, with what it cost the server: its CPU seconds (from /proc), how
 * busy other processes kept its core, and the queries that reached the upstream meanwhile.
 */
async function run(s: Server, g: Generated, o: Options, r: RunOptions): Promise<Run> {
  const upstreamBefore = upstreamQueries(g.files);
  const coreBefore = coreBusySeconds(o.serverCpu);
  const cpuBefore = cpuSeconds(s.proc.pid);
  const result = await dnsperf({ port: s.port, cpu: o.loadCpu, clients: o.clients, timeout: o.timeout, ...r });
  const cpu = cpuSeconds(s.proc.pid) - cpuBefore;
  const otherOnCore = Math.max(0, coreBusySeconds(o.serverCpu) - coreBefore - cpu);
  return { ...result, cpuSeconds: cpu, otherOnCore, upstreamQueries: upstreamQueries(g.files) - upstreamBefore };
}

/** The run whose `value` is the median (the lower middle one for an even count). */
function medianBy(runs: readonly Run[], value: (r: Run) => number): Run {
  return [...runs].sort((a, b) => value(a) - value(b))[Math.floor((runs.length - 1) / 2)]!;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
}

/**
 * Step 4, for one mix: every server is warmed up, then in each round every server gets a
 * throughput run and a latency run, taking turns (the order rotates each round), so that load
 * from other processes on a shared machine spreads over all servers instead of spoiling one.
 * Reported: the round with the median QPS per CPU-second, and the median of each latency
 * percentile over the rounds; every round is kept in the JSON.
 */
async function measureMix(started: Map<ServerName, Server>, scenario: MixName, g: Generated, o: Options): Promise<Measurement[]> {
  const m = g.mixes.get(scenario)!;
  const servers = [...started];
  // podns keeps forwarded answers `cache 30` seconds, and an answer in the cache is not
  // refreshed by asking again. So before each podns run of the external mix that would outlast
  // the answers of the last fill, wait until they have expired and fill the cache again: the
  // runs see cache hits only (the "sent upstream" column shows any miss).
  const filled = new Map<ServerName, { start: number; end: number }>();
  const fill = async (name: ServerName, s: Server): Promise<void> => {
    const start = performance.now();
    await run(s, g, o, { file: m.warmFile, passes: 1, outstanding: o.outstanding });
    filled.set(name, { start, end: performance.now() });
  };
  const ensureCached = async (name: ServerName, s: Server): Promise<void> => {
    const f = filled.get(name)!;
    if (scenario !== 'external' || !name.startsWith('podns')) return;
    if ((performance.now() - f.start) / 1000 + 2 * o.duration + 2 <= CACHE_SECONDS) return;
    const wait = f.end + (CACHE_SECONDS + 0.5) * 1000 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await fill(name, s);
  };

  // Warm-up: every distinct question once (fills podns's caches), then load for the JIT.
  for (const [name, s] of servers) {
    await fill(name, s);
    if (o.warmup > 0) await run(s, g, o, { file: m.queryFile, seconds: o.warmup, outstanding: o.outstanding });
  }
  const rounds = new Map<ServerName, { throughput: Run[]; latency: Run[] }>(servers.map(([name]) => [name, { throughput: [], latency: [] }]));
  for (let round = 0; round < o.rounds; round++) {
    for (let i = 0; i < servers.length; i++) {
      const [name, s] = servers[(i + round) % servers.length]!;
      await ensureCached(name, s);
      const throughput = await run(s, g, o, { file: m.queryFile, seconds: o.duration, outstanding: o.outstanding });
      const latency = await run(s, g, o, {
        file: m.queryFile, seconds: o.duration, rate: o.rate, outstanding: o.latencyOutstanding, verboseFile: join(g.files.dir, `${scenario}-${name}.latency`),
      });
      rounds.get(name)!.throughput.push(throughput);
      rounds.get(name)!.latency.push(latency);
      const l = latency.latency;
      const busy = (r: Run): number => Math.round((100 * r.otherOnCore) / r.runSeconds);
      log(`${scenario} round ${round + 1}/${o.rounds} ${name}: ${Math.round(throughput.qps)} qps, ${Math.round(qpsPerCpu(throughput))} per CPU-s, ${throughput.lost} lost; `
        + `at ${o.rate}/s p50 ${l?.p50.toFixed(3)} p90 ${l?.p90.toFixed(3)} p99 ${l?.p99.toFixed(3)} ms, ${latency.lost} lost; `
        + `${throughput.upstreamQueries + latency.upstreamQueries} sent upstream; other processes took ${busy(throughput)}%, ${busy(latency)}% of core ${o.serverCpu}`);
      for (const r of [throughput, latency]) {
        const unexpected = Object.keys(r.rcodes).filter((c) => c !== 'NOERROR' && c !== 'NXDOMAIN');
        if (unexpected.length > 0) log(`WARNING ${scenario} ${name}: rcodes ${JSON.stringify(r.rcodes)}`);
      }
    }
  }
  return servers.map(([name, s]) => {
    const r = rounds.get(name)!;
    const latencyRun = medianBy(r.latency, (x) => x.latency?.p50 ?? NaN);
    const pct = (k: 'p50' | 'p90' | 'p99'): number => median(r.latency.map((x) => x.latency?.[k] ?? NaN));
    return {
      server: name,
      scenario,
      throughput: medianBy(r.throughput, qpsPerCpu),
      latency: { ...latencyRun, latency: latencyRun.latency === null ? null : { ...latencyRun.latency, p50: pct('p50'), p90: pct('p90'), p99: pct('p99') } },
      rounds: r,
      rssMiB: memory(s.proc.pid).rssMiB,
    };
  });
}

/** Step 5: the summary on stdout, the results as JSON. */
function report(o: Options, env: Record<string, string>, g: Generated, measurements: readonly Measurement[], servers: readonly ServerInfo[]): void {
  const args = process.argv.slice(2).map((a) => (a === '' || /[\s'"]/.test(a) ? `'${a}'` : a));
  const command = ['node bench/run.ts', ...args].join(' ');
  const header = [
    `Command: \`${command}\``,
    `Machine: ${env.cpu}, ${env.cores} cores, ${env.kernel}; servers pinned to core ${o.serverCpu}, dnsperf on core ${o.loadCpu}`,
    `Versions: podns ${env.podns}, node ${env.node}, knot ${env.knot}, dnsperf ${env.dnsperf}, dns2 ${env.dns2}`,
    `Cluster: ${Object.entries(g.counts).map(([k, n]) => `${n} ${k}`).join(', ')}`,
    `Per mix and server ${o.rounds} rounds of a ${o.duration} s throughput run (dnsperf -c ${o.clients} -q ${o.outstanding}) and a ${o.duration} s latency run (-Q ${o.rate} -q ${o.latencyOutstanding}); medians over the rounds`,
  ].join('\n');
  process.stdout.write(`\n${header}\n\n${summaryMarkdown(measurements, servers, o.rate)}\n`);
  if (o.out === '') return;
  const out = resolve(o.out);
  mkdirSync(dirname(out), { recursive: true });
  const mixes = Object.fromEntries([...g.mixes].map(([n, x]) => [n, x.parts.map((p) => ({ label: p.label, percent: p.percent, description: p.description, pool: p.pool.length }))]));
  const { generateOnly: _g, keep: _k, out: _o, ...options } = o;
  writeFileSync(out, `${JSON.stringify({
    date: new Date().toISOString(), command, environment: env, options, counts: g.counts, mixes, servers, measurements, targets: evaluateTargets(measurements),
  }, null, 2)}\n`);
  log(`results written to ${relative(process.cwd(), out)}`);
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (o === 'help') { process.stdout.write(HELP); return 0; }
  if (o.generateOnly !== undefined) {
    mkdirSync(o.generateOnly, { recursive: true });
    const g = writeGenerated(o.generateOnly, o.cluster, o.queries, o.verify);
    log(`wrote ${JSON.stringify(g.counts)} to ${o.generateOnly}`);
    return 0;
  }

  const env = environment(); // also fails early when a tool is missing
  for (const t of ['taskset', 'dig']) tool(t, ['-h']);
  // This runner, and every process it starts without pinning (dnsperf, dig, knotc), stays off
  // the servers' core.
  runSync('taskset', ['-a', '-p', '-c', String(o.loadCpu), String(process.pid)]);
  // podns runs from dist/, as deployed (type stripping of src/ costs start time and memory).
  log('building dist/ (npm run build)');
  runSync('npm', ['run', '-s', 'build']);

  const dir = mkdtempSync(join(tmpdir(), 'podns-bench-'));
  const procs = new Processes();
  let interrupted = false;
  const cleanup = async (): Promise<void> => {
    for (const pid of dnsperfRunning) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
    await procs.stopAll();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping every process started`);
    process.exitCode = 130;
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => procs.killAllSync());

  try {
    log(`generating into ${dir}`);
    const g = writeGenerated(dir, o.cluster, o.queries, o.verify);
    log(`cluster: ${JSON.stringify(g.counts)}`);
    log('starting the servers');
    const { started, loaded } = await startServers(procs, g, o);
    await checkAnswers(started, g, o);
    const measurements: Measurement[] = [];
    for (const scenario of o.scenarios) {
      measurements.push(...await measureMix(started, scenario, g, o));
    }
    const servers: ServerInfo[] = [...started].map(([name, s]) => {
      const mem = memory(s.proc.pid);
      return { server: name, startSeconds: s.startSeconds, rssAfterLoadMiB: loaded.get(name)!, rssAfterRunsMiB: mem.rssMiB, peakRssMiB: mem.peakMiB };
    });
    report(o, env, g, measurements, servers);
    if (o.keep) log(`kept ${dir}`);
    return 0;
  } finally {
    if (!interrupted) await cleanup();
  }
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  if (process.exitCode === 130) return; // interrupted: the signal handler reported it
  log(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
