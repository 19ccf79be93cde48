/**
 * The servers under test, each started as its own process on 127.0.0.1 and pinned to one core:
 *
 *   podns   `node dist/cli/main.js serve` (built by the runner, as deployed) with a bench Corefile over the generated manifests,
 *           forwarding everything outside the cluster to the upstream knot, with `cache 30`;
 *   podns-dgram  the same with PODNS_UDP=dgram: UDP on node:dgram instead of batched (before/after);
 *   knot    knotd (Knot DNS, from Debian) serving the generated zone files: the C reference;
 *   dns2    bench/peers/dns2-server.ts, the npm `dns2` server over the same zone files: the
 *           JavaScript peer.
 *
 * Plus the upstream: a second knotd serving only `example.test.`, which podns forwards to. It is
 * asked only while podns's cache is being filled, so it runs on the load generator's core.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTER_DOMAIN, EXTERNAL_ZONE } from './generate.ts';
import { Processes, probe, runSync, waitFor } from './procs.ts';
import type { Proc } from './procs.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type ServerName = 'podns' | 'podns-dgram' | 'knot' | 'dns2' | 'echo';
export const SERVER_NAMES: readonly ServerName[] = ['podns', 'podns-dgram', 'knot', 'dns2', 'echo'];

export interface Server {
  readonly name: ServerName | 'upstream';
  readonly port: number;
  readonly proc: Proc;
  /** Seconds from start to answering (podns: /ready is 200 and the zone answers). */
  readonly startSeconds: number;
}

/** The generated files a server is started from (bench/run.ts writes them). */
export interface Files {
  readonly dir: string;
  readonly manifests: string;
  readonly clusterZone: string;
  readonly externalZone: string;
}

const START_TIMEOUT_MS = 120_000;

/** Whether podns's `ready` plugin on 127.0.0.1:`port` answers 200. */
export async function podnsReady(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ready`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * The start of every bench script: this process (and what it starts unpinned) kept on the load
 * core, podns built into dist/ (run as deployed), a temp dir, and every process started stopped
 * by its PID on exit or Ctrl-C.
 */
export function benchSetup(prefix: string, loadCpu: number, log: (m: string) => void): { dir: string; procs: Processes } {
  runSync('taskset', ['-a', '-p', '-c', String(loadCpu), String(process.pid)]);
  log('building dist/ (npm run build)');
  runSync('npm', ['run', '-s', 'build']);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const procs = new Processes();
  process.on('exit', () => procs.killAllSync());
  process.on('SIGINT', () => { procs.killAllSync(); process.exit(130); });
  return { dir, procs };
}

/** Ready when a SOA query for each zone is answered NOERROR (knot answers SERVFAIL until loaded). */
async function zonesAnswer(port: number, zones: readonly string[]): Promise<boolean> {
  for (const z of zones) if ((await probe(port, z)) !== 0) return false;
  return true;
}

/** The bench Corefile's `cache` capacity in seconds: forwarded answers are kept at most this long. */
export const CACHE_SECONDS = 30;

export function benchCorefile(port: number, readyPort: number, upstreamPort: number): string {
  return `# podns's bench Corefile (bench/servers.ts): kubeadm's cluster block on loopback.
.:${port} {
    bind 127.0.0.1
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    ready 127.0.0.1:${readyPort}
    forward . 127.0.0.1:${upstreamPort}
    cache ${CACHE_SECONDS}
}
`;
}

/** podns, batching UDP (the default) or, as `podns-dgram`, on node:dgram. */
export async function startPodns(procs: Processes, files: Files, o: { cpu: number; port: number; readyPort: number; upstreamPort: number; dgram?: boolean }): Promise<Server> {
  const name = o.dgram === true ? 'podns-dgram' : 'podns';
  const conf = join(files.dir, `${name}.Corefile`);
  writeFileSync(conf, benchCorefile(o.port, o.readyPort, o.upstreamPort));
  const started = performance.now();
  const proc = procs.start(name, process.execPath, [join(ROOT, 'dist/cli/main.js'), 'serve', '--conf', conf, '--manifests', files.manifests], {
    cpu: o.cpu, cwd: ROOT, log: join(files.dir, `${name}.log`), ...(o.dgram === true ? { env: { ...process.env, PODNS_UDP: 'dgram' } } : {}),
  });
  const ready = async (): Promise<boolean> => (await podnsReady(o.readyPort)) && (await zonesAnswer(o.port, [CLUSTER_DOMAIN]));
  await waitFor(name, ready, START_TIMEOUT_MS, proc);
  return { name, port: o.port, proc, startSeconds: (performance.now() - started) / 1000 };
}

/**
 * knotd's configuration: one UDP and one TCP worker, zones from files, nothing written back (no
 * journal, no zone-file sync). `countQueries` loads mod-stats (the upstream only: it costs time
 * per query), so `knotc stats` says how many queries reached it.
 */
export function knotConf(dir: string, port: number, zones: ReadonlyArray<{ origin: string; file: string }>, countQueries = false): string {
  return `# knotd configuration written by bench/servers.ts
server:
    rundir: "${dir}"
    listen: 127.0.0.1@${port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "${dir}"
log:
  - target: stderr
    any: notice
${countQueries ? 'mod-stats:\n  - id: count\n    request-protocol: on\n' : ''}template:
  - id: default
    storage: "${dir}"
${countQueries ? '    global-module: mod-stats/count\n' : ''}    journal-content: none
    zonefile-sync: -1
    zonefile-load: whole
    semantic-checks: off
zone:
${zones.map((z) => `  - domain: ${z.origin}\n    file: "${z.file}"`).join('\n')}
`;
}

export async function startKnot(procs: Processes, files: Files, name: 'knot' | 'upstream', o: { cpu: number; port: number; zones: ReadonlyArray<{ origin: string; file: string }> }): Promise<Server> {
  const dir = join(files.dir, name === 'knot' ? 'knot' : 'knot-upstream');
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, knotConf(dir, o.port, o.zones, name === 'upstream'));
  const started = performance.now();
  const proc = procs.start(name, 'knotd', ['-c', conf], { cpu: o.cpu, log: join(files.dir, `${name}.log`) });
  await waitFor(name, () => zonesAnswer(o.port, o.zones.map((z) => z.origin)), START_TIMEOUT_MS, proc);
  return { name, port: o.port, proc, startSeconds: (performance.now() - started) / 1000 };
}

/** Queries the upstream knot has answered so far (its mod-stats counter, read with knotc). */
export function upstreamQueries(files: Files): number {
  const out = runSync('knotc', ['-c', join(files.dir, 'knot-upstream', 'knot.conf'), 'stats', 'mod-stats.server-operation']);
  return Number(/server-operation\[query\] = (\d+)/.exec(out)?.[1] ?? 0);
}

export async function startDns2(procs: Processes, files: Files, o: { cpu: number; port: number }): Promise<Server> {
  const started = performance.now();
  const proc = procs.start('dns2', process.execPath, [join(ROOT, 'bench/peers/dns2-server.ts'), '--port', String(o.port), files.clusterZone, files.externalZone], {
    cpu: o.cpu, cwd: ROOT, log: join(files.dir, 'dns2.log'),
  });
  await waitFor('dns2', () => zonesAnswer(o.port, [CLUSTER_DOMAIN, EXTERNAL_ZONE]), START_TIMEOUT_MS, proc);
  return { name: 'dns2', port: o.port, proc, startSeconds: (performance.now() - started) / 1000 };
}

/** The ceiling row: a bare node:dgram loop sending each query back (bench/peers/echo.ts); its answers are not checked. */
export async function startEcho(procs: Processes, files: Files, o: { cpu: number; port: number }): Promise<Server> {
  const started = performance.now();
  const proc = procs.start('echo', process.execPath, [join(ROOT, 'bench/peers/echo.ts'), '--port', String(o.port)], {
    cpu: o.cpu, cwd: ROOT, log: join(files.dir, 'echo.log'),
  });
  await waitFor('echo', async () => (await probe(o.port, CLUSTER_DOMAIN)) === 0, START_TIMEOUT_MS, proc);
  return { name: 'echo', port: o.port, proc, startSeconds: (performance.now() - started) / 1000 };
}
