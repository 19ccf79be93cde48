/**
 * The process metrics, read when scraped, in place of Go's process collector (and of
 * prom-client's collectDefaultMetrics, whose names they keep):
 *
 *   process_cpu_user_seconds_total, process_cpu_system_seconds_total, process_cpu_seconds_total
 *                                         process.cpuUsage()
 *   process_resident_memory_bytes, process_virtual_memory_bytes, process_heap_bytes
 *                                         VmRSS, VmSize, VmData of /proc/self/status (Linux)
 *   process_start_time_seconds            Unix seconds, rounded
 *   process_open_fds, process_max_fds     /proc/self/fd, /proc/self/limits (Linux)
 *   nodejs_heap_size_total_bytes, nodejs_heap_size_used_bytes, nodejs_external_memory_bytes
 *                                         process.memoryUsage()
 *   nodejs_eventloop_lag_seconds          how long a setImmediate took to run, measured at the scrape
 *
 * Each says how `--workers` combines it across processes: amounts (CPU, memory, descriptors) are
 * summed, the start time is the earliest, the limit and the lag the largest.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Computed } from './prom.ts';
import type { Registry } from './prom.ts';

const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

/** A `Vm…:  1234 kB` field of /proc/self/status, in bytes. */
function vm(field: 'VmRSS' | 'VmSize' | 'VmData'): number | undefined {
  const m = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m === null ? undefined : Number(m[1]) * 1024;
}

let maxFds: number | undefined | null = null;
function readMaxFds(): number | undefined {
  if (maxFds === null) {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    maxFds = m === null ? undefined : Number(m[1]);
  }
  return maxFds;
}

function eventLoopLag(): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => setImmediate(() => resolve(Number(process.hrtime.bigint() - start) / 1e9)));
}

const linux = process.platform === 'linux';

/** The collectors, built once per process. */
function processCollectors(): Computed[] {
  const cpu = (pick: (u: NodeJS.CpuUsage) => number) => () => pick(process.cpuUsage()) / 1e6;
  return [
    new Computed('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', 'counter', 'sum', cpu((u) => u.user)),
    new Computed('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', 'counter', 'sum', cpu((u) => u.system)),
    new Computed('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', 'sum', cpu((u) => u.user + u.system)),
    new Computed('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', 'min', () => START_SECONDS),
    new Computed('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', 'sum', () => (linux ? vm('VmRSS') : process.memoryUsage.rss())),
    new Computed('process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'gauge', 'sum', () => (linux ? vm('VmSize') : undefined)),
    new Computed('process_heap_bytes', 'Process heap size in bytes.', 'gauge', 'sum', () => (linux ? vm('VmData') : undefined)),
    // Minus the descriptor readdirSync itself held while reading.
    new Computed('process_open_fds', 'Number of open file descriptors.', 'gauge', 'sum', () => (linux ? readdirSync('/proc/self/fd').length - 1 : undefined)),
    new Computed('process_max_fds', 'Maximum number of open file descriptors.', 'gauge', 'max', () => (linux ? readMaxFds() : undefined)),
    new Computed('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', 'gauge', 'sum', () => process.memoryUsage().heapTotal),
    new Computed('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', 'gauge', 'sum', () => process.memoryUsage().heapUsed),
    new Computed('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', 'gauge', 'sum', () => process.memoryUsage().external),
    new Computed('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 'gauge', 'max', eventLoopLag),
  ];
}

let collectors: Computed[] | null = null;

/** Registers the process metrics on `registry`, unless it has them already. */
export function registerProcessMetrics(registry: Registry): void {
  collectors ??= processCollectors();
  for (const c of collectors) if (registry.getSingleMetric(c.name) === undefined) registry.register(c);
}
