/**
 * Load from dnsperf 2.10 (Debian), and what it reports.
 *
 * dnsperf has no latency histogram or percentile option; with `-v` it prints one line per reply,
 * `> RCODE name type seconds` (and `> T name type` for a query that timed out), so latency runs
 * write that to a file and the percentiles are computed here from every reply. Throughput runs
 * go without `-v`. The summary it prints at the end gives sent, completed, lost, rcodes, run
 * time and QPS.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';

export interface PerfOptions {
  readonly port: number;
  readonly file: string;
  /** Pin dnsperf to this CPU. */
  readonly cpu: number;
  /** -l: stop after this many seconds. */
  readonly seconds?: number;
  /** -n: stop after this many passes over the file. */
  readonly passes?: number;
  /** -c: clients (sockets). */
  readonly clients: number;
  /** -q: queries outstanding at most. */
  readonly outstanding: number;
  /** -Q: offered rate; unset = as fast as replies come back. */
  readonly rate?: number;
  /** -t: seconds before a query counts as lost. */
  readonly timeout: number;
  /** -v into this file, for latency percentiles. */
  readonly verboseFile?: string;
}

export interface Latency {
  readonly samples: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface PerfResult {
  readonly command: string;
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly runSeconds: number;
  readonly qps: number;
  readonly rcodes: Readonly<Record<string, number>>;
  readonly latency: Latency | null;
}

export function dnsperfArgs(o: PerfOptions): string[] {
  return [
    '-s', '127.0.0.1', '-p', String(o.port), '-d', o.file,
    ...(o.seconds !== undefined ? ['-l', String(o.seconds)] : []),
    ...(o.passes !== undefined ? ['-n', String(o.passes)] : []),
    '-c', String(o.clients), '-q', String(o.outstanding), '-t', String(o.timeout),
    ...(o.rate !== undefined ? ['-Q', String(o.rate)] : []),
    ...(o.verboseFile !== undefined ? ['-v'] : []),
  ];
}

/** The `key: value` lines of dnsperf's statistics. */
export function parseSummary(text: string): Omit<PerfResult, 'command' | 'latency'> {
  const num = (label: string): number => {
    const m = new RegExp(`^\\s*${label}:\\s+([\\d.]+)`, 'm').exec(text);
    if (m === null) throw new Error(`dnsperf output has no "${label}":\n${text}`);
    return Number(m[1]);
  };
  const rcodes: Record<string, number> = {};
  const codes = /^\s*Response codes:\s+(.*)$/m.exec(text)?.[1] ?? '';
  for (const m of codes.matchAll(/([A-Z]+) (\d+)/g)) rcodes[m[1]!] = Number(m[2]);
  return {
    sent: num('Queries sent'),
    completed: num('Queries completed'),
    lost: num('Queries lost'),
    runSeconds: num('Run time \\(s\\)'),
    qps: num('Queries per second'),
    rcodes,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Latency percentiles (ms) from `-v` output: one `> RCODE name type seconds` line per reply. */
export function parseVerbose(text: string): Latency {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('> ')) continue;
    const f = line.split(' ');
    if (f.length !== 5 || f[1] === 'T' || f[1] === 'I') continue; // timed out / interrupted: counted as lost
    values.push(Number(f[4]) * 1000);
  }
  const sorted = Float64Array.from(values).sort();
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
  };
}

/** dnsperf's process while it runs (so Ctrl-C can stop it by PID). */
export const running = new Set<number>();

/** Runs dnsperf pinned to `o.cpu` and returns its figures. */
export async function dnsperf(o: PerfOptions): Promise<PerfResult> {
  const args = dnsperfArgs(o);
  const command = `taskset -c ${o.cpu} dnsperf ${args.join(' ')}`;
  const out = o.verboseFile;
  const fd = out === undefined ? null : openSync(out, 'w');
  const child = spawn('taskset', ['-c', String(o.cpu), 'dnsperf', ...args], { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  if (fd !== null) closeSync(fd);
  if (child.pid !== undefined) running.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  if (child.pid !== undefined) running.delete(child.pid);
  if (out !== undefined) stdout = readFileSync(out, 'utf8');
  if (code !== 0) {
    const tail = stdout.split('\n').filter((l) => !l.startsWith('> ')).join('\n').slice(-2000);
    throw new Error(`${command} exited with ${code ?? 'a signal'}:\n${stderr}${tail}`);
  }
  const summary = parseSummary(stdout);
  const latency = out === undefined ? null : parseVerbose(stdout);
  if (out !== undefined) rmSync(out, { force: true });
  return { command, ...summary, latency };
}
