/**
 * End-to-end harness: runs the real `podns serve` command as a child process on a free loopback
 * port, and queries it with real clients (dig, kdig) or raw sockets. Every process started here
 * is stopped by its PID in stop().
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientPort, serverPort } from '../../src/testing/ports.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'src/cli/main.ts');

/** A port free for both UDP and TCP on 127.0.0.1. */
/** A port for a server that dig will query: src/testing/ports.ts says why it is not an ephemeral one. */
export function freePort(): Promise<number> {
  return serverPort();
}

export function tempDir(prefix = 'podns-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Running {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves when stderr contains `text` (or rejects after `ms`). */
  waitForLog(text: string | RegExp, ms?: number): Promise<void>;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /**
   * The DNS port `{PORT}` stands for (default: a free one). It may be one another `podns serve`
   * already serves: the listeners bind with SO_REUSEPORT (a rolling restart).
   */
  readonly port?: number;
}

/**
 * Starts `podns serve` with a Corefile whose `{PORT}` is replaced by a free port (or `options.port`).
 * Resolves once the server says it is listening.
 */
export async function startPodns(corefile: string, manifests: readonly string[], extraArgs: readonly string[] = [], options: StartOptions = {}): Promise<Running> {
  const port = options.port ?? await freePort();
  const dir = tempDir();
  const conf = join(dir, 'Corefile');
  writeFileSync(conf, corefile.replaceAll('{PORT}', String(port)));
  const args = [CLI, 'serve', '--conf', conf, ...manifests.flatMap((m) => ['--manifests', m]), ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); for (const w of waiters.splice(0)) w(); });
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => { for (const w of waiters.splice(0)) w(); res(code); }));
  const running: Running = {
    port,
    child,
    stderr: () => err,
    waitForLog: (text, ms = 10_000) => new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stderr:\n${err}`)), ms);
      const check = (): void => {
        if (typeof text === 'string' ? err.includes(text) : text.test(err)) { clearTimeout(deadline); resolve(); return; }
        if (child.exitCode !== null) { clearTimeout(deadline); reject(new Error(`podns exited (${child.exitCode}); stderr:\n${err}`)); return; }
        waiters.push(check);
      };
      check();
    }),
    stop: async () => {
      // Not once it exited, by itself or by a signal (its PID may be another process's by now).
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      return exited;
    },
  };
  await running.waitForLog(/podns-\d/);
  return running;
}

/** Runs a command and returns its stdout (rejects on a non-zero status). */
export function run(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export interface DigResult {
  readonly status: string;
  readonly flags: readonly string[];
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
  /** The OPT pseudosection's lines (EDNS version, flags, udp size), if any. */
  readonly opt: readonly string[];
  readonly raw: string;
}

/** Parses dig's default output into its sections; RR lines are normalised to single spaces. */
export function parseDig(out: string): DigResult {
  const status = /status: ([A-Z]+)/.exec(out)?.[1] ?? '';
  const flags = (/;; flags: ([^;]*);/.exec(out)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const sections: Record<string, string[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [], OPT: [] };
  let current: string | null = null;
  for (const line of out.split('\n')) {
    const m = /^;; (ANSWER|AUTHORITY|ADDITIONAL|OPT) (?:PSEUDO)?SECTION:/.exec(line);
    if (m) { current = m[1]!; continue; }
    if (line.trim() === '' || (line.startsWith(';;') && current !== 'OPT')) { current = null; continue; }
    if (current === 'OPT') { sections.OPT!.push(line.replace(/^; /, '')); continue; }
    if (current !== null && !line.startsWith(';')) sections[current]!.push(line.trim().split(/\s+/).join(' '));
  }
  return { status, flags, answer: sections.ANSWER!, authority: sections.AUTHORITY!, additional: sections.ADDITIONAL!, opt: sections.OPT!, raw: out };
}

/** dig to 127.0.0.1:port (digAt). */
export function dig(port: number, ...args: string[]): Promise<DigResult> {
  return digAt('127.0.0.1', port, ...args);
}

/**
 * dig to an IPv4 loopback server. A UDP query's source port comes from clientPort()
 * (`-b 127.0.0.1#P`, or `#P` after the caller's own `-b` address): left to the kernel, two
 * concurrent digs can get the same port, and then one of them never sees its reply (src/testing/ports.ts).
 */
export async function digAt(server: string, port: number, ...args: string[]): Promise<DigResult> {
  const base = [`@${server}`, '-p', String(port), '+tries=1', '+time=3', '+nocookie'];
  if (args.some((a) => a === '+tcp' || a === '+vc' || /^[AI]XFR/i.test(a))) return parseDig(await run('dig', [...base, ...args]));
  const source = await clientPort();
  try {
    const b = args.indexOf('-b');
    let bound = ['-b', `127.0.0.1#${source.port}`, ...args];
    if (b >= 0) bound = args[b + 1]!.includes('#') ? args : args.with(b + 1, `${args[b + 1]!}#${source.port}`);
    return parseDig(await run('dig', [...base, ...bound]));
  } finally {
    source.release();
  }
}

/** GET `http://127.0.0.1:PORT/PATH`: the status and body, or status 0 when nothing answers. */
export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** Polls `fn` until it returns true or `ms` pass; resolves to the time taken in ms. */
export async function eventually(fn: () => Promise<boolean>, ms: number, stepMs = 50): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export { writeFileSync };
