/**
 * Processes for the benchmark: start them pinned to a core (`taskset -c CPU cmd…`: taskset sets
 * the affinity and execs, so the PID is the server's own), stop them by PID, and read their CPU
 * time and memory from /proc. Every process started through a Processes is stopped by
 * stopAll(), which run.ts calls on success, on error and on Ctrl-C.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { serverPort } from '../src/testing/ports.ts';

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** The file its stdout and stderr go to. */
  readonly log: string;
}

export interface StartOptions {
  /** Pin to this CPU with taskset. */
  readonly cpu?: number;
  readonly cwd?: string;
  /** stdout and stderr are appended to this file. */
  readonly log: string;
  /** The environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

export class Processes {
  private readonly running = new Map<number, Proc>();

  start(name: string, cmd: string, args: readonly string[], opts: StartOptions): Proc {
    const out = openSync(opts.log, 'a');
    const [file, argv] = opts.cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(opts.cpu), cmd, ...args]];
    const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', out, out] });
    closeSync(out);
    if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    const pid = child.pid;
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => { this.running.delete(pid); resolve(code ?? signal ?? -1); });
      child.once('error', () => { this.running.delete(pid); resolve(-1); });
    });
    const proc: Proc = { name, pid, child, exited, log: opts.log };
    this.running.set(pid, proc);
    return proc;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(proc: Proc, graceMs = 3000): Promise<void> {
    if (!this.running.has(proc.pid)) return;
    try { process.kill(proc.pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
    await proc.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((p) => this.stop(p)));
  }

  /** Last resort from a synchronous exit handler: SIGKILL whatever is still running. */
  killAllSync(): void {
    for (const pid of this.running.keys()) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/** Runs a command to completion and returns its stdout (throws on failure). */
export function runSync(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`), the unit of utime and stime in /proc/PID/stat. */
export function clkTck(): number {
  clockTicks ??= Number(runSync('getconf', ['CLK_TCK']).trim());
  return clockTicks;
}

/** User + system CPU seconds the process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3, `state`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  return (utime + stime) / clkTck();
}

/** Resident memory now (VmRSS) and at its peak (VmHWM), in MiB. */
export function memory(pid: number): { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // RssFile: pages of mapped files (node's own binary, mostly), shared with every other node.
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024, anonMiB: kib('RssAnon') / 1024, fileMiB: kib('RssFile') / 1024 };
}

/** A port free for both UDP and TCP on 127.0.0.1, not in `taken`. */
/** A port for a server under test, not in `taken` (which it joins): src/testing/ports.ts says why not an ephemeral one. */
export function freePort(taken: Set<number> = new Set()): Promise<number> {
  return serverPort(taken);
}

/** A minimal DNS query (no EDNS, RD set) for `name` (absolute) and type code `qtype`. */
export function queryBytes(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, qtype >> 8, qtype & 255, 0, 1]));
  return Buffer.concat(parts);
}

/** Sends one UDP query to 127.0.0.1:port; resolves to the reply's rcode, or null on timeout. */
export function probe(port: number, name: string, qtype = 6, timeoutMs = 500): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const id = Math.floor(Math.random() * 65536);
    const done = (rcode: number | null): void => { clearTimeout(timer); sock.close(); resolve(rcode); };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('message', (m) => { if (m.length >= 4 && m.readUInt16BE(0) === id) done(m[3]! & 0x0f); });
    sock.on('error', () => done(null));
    sock.send(queryBytes(id, name, qtype), port, '127.0.0.1');
  });
}

/** Polls `check` every 50 ms until it returns true; throws after `ms` or when `proc` exits. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + ms;
  let exited: number | string | null = null;
  void proc?.exited.then((code) => { exited = code; });
  for (;;) {
    if (await check()) return;
    if (exited !== null) throw new Error(`${what}: the process exited (${exited}); see ${proc!.log}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${ms} ms${proc ? `; see ${proc.log}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Seconds core `cpu` has been busy (everything but idle and iowait), from /proc/stat. Compared
 * with the server's own CPU time over a run, it shows how much else ran on the server's core.
 */
export function coreBusySeconds(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  if (line === undefined) throw new Error(`/proc/stat has no cpu${cpu}`);
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return (total - f[3]! - f[4]!) / clkTck();
}
