/**
 * The summary: per scenario a table of every server's figures and podns's ratios to the peers,
 * then the targets of the performance issue, pass or fail, all from the same run.
 */
import type { PerfResult } from './dnsperf.ts';
import type { MixName } from './generate.ts';
import type { ServerName } from './servers.ts';

/** One dnsperf run, with what the server used over it. */
export interface Run extends PerfResult {
  /** The server's user + system CPU seconds over the run (all threads). */
  readonly cpuSeconds: number;
  /** Seconds the server's core was busy with anything else over the run (noise). */
  readonly otherOnCore: number;
  /** Queries that reached the upstream knot over the run: podns's cache misses (0 for the peers). */
  readonly upstreamQueries: number;
}

export interface Measurement {
  readonly server: ServerName;
  readonly scenario: MixName;
  /** As fast as the server answers (dnsperf without -Q): the round with the median QPS per CPU-s. */
  readonly throughput: Run;
  /** At the fixed offered rate (dnsperf -Q): the median round, with each percentile the median over the rounds. */
  readonly latency: Run;
  /** Every round's runs. */
  readonly rounds: { readonly throughput: readonly Run[]; readonly latency: readonly Run[] };
  /** Resident memory after this scenario's runs, MiB. */
  readonly rssMiB: number;
}

export interface ServerInfo {
  readonly server: ServerName;
  readonly startSeconds: number;
  readonly rssAfterLoadMiB: number;
  readonly rssAfterRunsMiB: number;
  readonly peakRssMiB: number;
}

/** Queries answered per second of the server's CPU time (user + system, all threads). */
export function qpsPerCpu(r: Run): number {
  return r.cpuSeconds > 0 ? r.completed / r.cpuSeconds : NaN;
}

export interface Target {
  readonly text: string;
  readonly scenario: MixName;
  readonly peer: ServerName;
  /** podns / peer for the metric. */
  readonly ratio: number;
  readonly pass: boolean;
}

export const TARGETS: ReadonlyArray<{ text: string; scenario: MixName; metric: 'qpsPerCpu' | 'p50'; peer: ServerName; bound: number }> = [
  { text: 'in-cluster hits: QPS per server CPU-s ≥ 0.40× knot', scenario: 'cluster', metric: 'qpsPerCpu', peer: 'knot', bound: 0.4 },
  { text: 'in-cluster hits: QPS per server CPU-s ≥ 3.5× dns2', scenario: 'cluster', metric: 'qpsPerCpu', peer: 'dns2', bound: 3.5 },
  { text: 'forwarded-name cache hits: QPS per server CPU-s ≥ 0.35× knot', scenario: 'external', metric: 'qpsPerCpu', peer: 'knot', bound: 0.35 },
  { text: 'in-cluster hits: p50 latency at the fixed rate ≤ 2× knot', scenario: 'cluster', metric: 'p50', peer: 'knot', bound: 2 },
  { text: 'forwarded-name cache hits: p50 latency at the fixed rate ≤ 2× knot', scenario: 'external', metric: 'p50', peer: 'knot', bound: 2 },
];

function find(ms: readonly Measurement[], server: ServerName, scenario: MixName): Measurement | undefined {
  return ms.find((m) => m.server === server && m.scenario === scenario);
}

export function evaluateTargets(ms: readonly Measurement[]): Target[] {
  const out: Target[] = [];
  for (const t of TARGETS) {
    const mine = find(ms, 'podns', t.scenario);
    const peer = find(ms, t.peer, t.scenario);
    if (mine === undefined || peer === undefined) continue;
    if (t.metric === 'qpsPerCpu') {
      const ratio = qpsPerCpu(mine.throughput) / qpsPerCpu(peer.throughput);
      out.push({ text: t.text, scenario: t.scenario, peer: t.peer, ratio, pass: ratio >= t.bound });
    } else {
      const ratio = (mine.latency.latency?.p50 ?? NaN) / (peer.latency.latency?.p50 ?? NaN);
      out.push({ text: t.text, scenario: t.scenario, peer: t.peer, ratio, pass: ratio <= t.bound });
    }
  }
  return out;
}

const f0 = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '–');
const pct = (part: number, whole: number): string => `${Math.round((100 * part) / whole)}%`;
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');

const SCENARIO_TITLE: Record<MixName, string> = {
  cluster: 'In-cluster hits (`cluster` mix)',
  external: 'Forwarded names, cache hits (`external` mix)',
};

export function summaryMarkdown(ms: readonly Measurement[], servers: readonly ServerInfo[], rate: number): string {
  const lines: string[] = [];
  const scenarios = [...new Set(ms.map((m) => m.scenario))];
  for (const scenario of scenarios) {
    lines.push(`### ${SCENARIO_TITLE[scenario]}`, '');
    lines.push(`| server | QPS | server CPU | QPS per CPU-s | lost | p50 ms | p90 ms | p99 ms | at -Q ${rate}: answered/s, lost | RSS MiB | sent upstream | other load on the server core |`);
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const rows = ms.filter((m) => m.scenario === scenario);
    for (const m of rows) {
      const t = m.throughput;
      const l = m.latency;
      lines.push(`| ${m.server} | ${f0(t.qps)} | ${Math.round((100 * t.cpuSeconds) / t.runSeconds)}% | ${f0(qpsPerCpu(t))} | ${f0(t.lost)} | ${f3(l.latency?.p50 ?? NaN)} | ${f3(l.latency?.p90 ?? NaN)} | ${f3(l.latency?.p99 ?? NaN)} | ${f0(l.qps)}, ${f0(l.lost)} | ${f0(m.rssMiB)} | ${f0(t.upstreamQueries + l.upstreamQueries)} | ${pct(t.otherOnCore, t.runSeconds)}, ${pct(l.otherOnCore, l.runSeconds)} |`);
    }
    const me = rows.find((m) => m.server === 'podns');
    if (me !== undefined) {
      for (const peer of rows.filter((m) => m.server !== 'podns')) {
        const p = (m: Measurement, k: 'p50' | 'p90' | 'p99'): number => m.latency.latency?.[k] ?? NaN;
        lines.push(`| podns / ${peer.server} | ${ratio(me.throughput.qps, peer.throughput.qps)} | | ${ratio(qpsPerCpu(me.throughput), qpsPerCpu(peer.throughput))} | | ${ratio(p(me, 'p50'), p(peer, 'p50'))} | ${ratio(p(me, 'p90'), p(peer, 'p90'))} | ${ratio(p(me, 'p99'), p(peer, 'p99'))} | | ${ratio(me.rssMiB, peer.rssMiB)} | | |`);
      }
    }
    lines.push('');
  }
  lines.push('### Memory and start', '');
  lines.push('| server | ready after s | RSS after load MiB | RSS after all runs MiB | peak RSS MiB |');
  lines.push('| --- | ---: | ---: | ---: | ---: |');
  for (const s of servers) lines.push(`| ${s.server} | ${f2(s.startSeconds)} | ${f0(s.rssAfterLoadMiB)} | ${f0(s.rssAfterRunsMiB)} | ${f0(s.peakRssMiB)} |`);
  lines.push('');
  const targets = evaluateTargets(ms);
  if (targets.length > 0) {
    lines.push('### Targets', '');
    lines.push('| target | podns / peer | result |');
    lines.push('| --- | ---: | --- |');
    for (const t of targets) lines.push(`| ${t.text} | ${f2(t.ratio)}× | ${t.pass ? 'pass' : '**FAIL**'} |`);
    lines.push('');
  }
  return lines.join('\n');
}
