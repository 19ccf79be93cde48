/**
 * The commands that build a server from a Corefile: `serve`, `nodecache` (serve plus
 * node-cache's interface and iptables rules) and `validate`. Kept apart from main.ts and loaded
 * only for these commands, so that `podns pod files` starts without the server's modules. Those
 * (and the Corefile's) are imported only where a server runs, so that the primary of
 * `serve --workers` (server/workers.ts), which only supervises, stays small.
 */
import { parseArgs } from 'node:util';
import type { ServerBlock } from '../corefile/index.ts';
import { UsageError } from '../core/errors.ts';
import { trimPeriodically } from '../core/gc.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedConfig } from '../server/server.ts';
import type { WorkerLink } from '../server/worker.ts';
import { runPrimary, workerNumber } from '../server/workers.ts';
import { VERSION } from './version.ts';
import { joinHostPort } from '../transport/client.ts';
import { batchUdp } from '../transport/udp-batch.ts';

/** The line after the banner, as CoreDNS prints its platform and Go version: which UDP path serves. */
const PLATFORM = `${process.platform}/${process.arch}, node ${process.version}, udp: ${batchUdp.available ? batchUdp.reason : `node:dgram (${batchUdp.reason})`}`;

const SERVE_FLAGS = {
  conf: { type: 'string' },
  manifests: { type: 'string', multiple: true },
  'dns.port': { type: 'string' },
} as const;

/** `--workers N`: serve's only; nodecache refuses it. */
const WORKERS_FLAG = { workers: { type: 'string' } } as const;
/** More workers than this is a typo, not a machine. */
const MAX_WORKERS = 256;

interface ServeValues {
  readonly conf?: string | undefined;
  readonly manifests?: string[] | undefined;
  readonly 'dns.port'?: string | undefined;
}

/** What a mode adds around serving (nodecache: the __PILLAR__ fill, the interface, iptables, teardown). */
interface ServeHooks {
  /** Rewrites the Corefile's text before parsing, at start and on every reload. */
  transform?(text: string, file: string): string;
  /** Before the listeners open. */
  beforeListen?(): Promise<void>;
  /** Once listening; a throw stops the server. */
  afterListen?(): Promise<void>;
  /** After the server stopped or failed to start (`setupFailed`). */
  afterStop?(setupFailed: boolean): Promise<void>;
}

/**
 * `podns serve`: one process; or with `--workers N` (N > 1) the primary, which starts N workers
 * running this same command (server/workers.ts); or, started so by a primary, one of those workers.
 */
export async function serve(argv: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...SERVE_FLAGS, ...WORKERS_FLAG }, strict: true });
  const workers = workersOf(values.workers);
  if (workerNumber() !== null) {
    const { WorkerLink } = await import('../server/worker.ts');
    return runServer(values, log, {}, new WorkerLink());
  }
  if (workers > 1) {
    defaultPortOf(values);
    return runPrimary({ workers, argv: process.argv.slice(1), log, banner: `podns-${VERSION}`, platform: PLATFORM });
  }
  return runServer(values, log);
}

function workersOf(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_WORKERS) throw new UsageError(`--workers: not a number of processes from 1 to ${MAX_WORKERS}: ${text}`);
  return n;
}

export async function nodecache(argv: string[], log: Logger): Promise<number> {
  const { NODECACHE_FLAGS, NodeCache, expandBooleanFlags, nodeCacheConfig } = await import('../nodecache/index.ts');
  const { values } = parseArgs({ args: expandBooleanFlags(argv), options: { ...SERVE_FLAGS, ...NODECACHE_FLAGS, ...WORKERS_FLAG }, strict: true });
  if (values.workers !== undefined) throw new UsageError('nodecache: --workers is not supported (node-cache is one process per node; serve takes --workers)');
  if (values.conf === undefined) throw new UsageError('nodecache: --conf FILE is required (NodeLocal DNSCache\'s Corefile)');
  return runServer(values, log, new NodeCache(nodeCacheConfig(values), { log }));
}

function defaultPortOf(values: ServeValues): number {
  if (values['dns.port'] === undefined) return 53;
  const port = Number(values['dns.port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--dns.port: not a port: ${values['dns.port']}`);
  return port;
}

/** Runs one server until a signal; `worker` when this process is one of `--workers`. */
async function runServer(values: ServeValues, log: Logger, hooks: ServeHooks = {}, worker?: WorkerLink): Promise<number> {
  const stopTrimming = trimPeriodically();
  try {
    return await serveUntilStopped(values, log, hooks, worker);
  } finally {
    stopTrimming();
    worker?.close();
  }
}

async function serveUntilStopped(values: ServeValues, log: Logger, hooks: ServeHooks, worker: WorkerLink | undefined): Promise<number> {
  const [{ loadCorefile }, { parseCorefile }, { kubeadmCorefile }, { DnsServer }] = await Promise.all([
    import('./config.ts'), import('../corefile/index.ts'), import('./default-corefile.ts'), import('../server/server.ts'),
  ]);
  let blocks: readonly ServerBlock[];
  let hash = '';
  let load: (() => LoadedConfig) | undefined;
  const onWarning = (m: string): void => log.warn(m);
  const transform = hooks.transform === undefined ? {} : { transform: (text: string, file: string) => hooks.transform!(text, file) };
  if (values.conf !== undefined) {
    const file = values.conf;
    const loaded = loadCorefile(file, { onWarning, ...transform });
    if ('error' in loaded) throw loaded.error;
    ({ blocks, hash } = loaded);
    load = () => loadCorefile(file, { onWarning, ...transform });
  } else {
    blocks = parseCorefile(kubeadmCorefile, { file: '<built-in Corefile>' });
  }
  const defaultPort = defaultPortOf(values);
  let fatal: (message: string) => void = () => {};
  const server = DnsServer.create(blocks, {
    manifests: values.manifests ?? [], log, defaultPort, configHash: hash,
    ...(load !== undefined ? { load } : {}),
    ...(worker !== undefined ? { listeners: worker.listeners } : {}),
    onFatal: (m) => { worker?.fatal(m); fatal(m); },
  });
  // Signals are taken from here on, so one that arrives while starting still shuts down cleanly.
  // SIGTERM is taken until the process ends: another one during the shutdown (the lameduck) does
  // not cut it short, as with CoreDNS and `--workers`'s primary. A second SIGINT (Ctrl-C again)
  // ends the process at once.
  let onSignal: (sig: string) => void = () => {};
  let shuttingDown = false;
  const stopped = new Promise<number>((resolve) => {
    onSignal = (sig) => {
      log.info(`${sig}: ${shuttingDown ? 'already shutting down' : 'shutting down'}`);
      shuttingDown = true;
      resolve(0);
    };
    fatal = (m) => { log.error(m); resolve(1); };
  });
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  worker?.onPrimaryGone(() => onSignal('the primary exited'));
  const onUsr1 = (): void => {
    void server.reload().then((r) => {
      if (r.status === 'failed') log.error(`plugin/reload: Corefile changed but reload failed: ${r.error.message}`);
      if (r.status === 'unchanged') log.info('SIGUSR1: configuration unchanged');
    });
  };
  process.on('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  let started = false;
  try {
    await hooks.beforeListen?.();
    await server.start();
    started = true;
    // A worker reports to the primary, which logs these once for all.
    if (worker !== undefined) worker.listening(server.addresses());
    else for (const a of server.addresses()) log.info(`listening on ${a.transport}://${joinHostPort(a.address, a.port)}`);
    await hooks.afterListen?.();
  } catch (err) {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    if (started) await server.stop();
    await hooks.afterStop?.(true);
    throw err;
  }
  if (worker === undefined) {
    log.info(`podns-${VERSION}`);
    log.info(PLATFORM);
  }
  process.on('SIGUSR1', onUsr1);
  const code = await stopped;
  process.off('SIGUSR1', onUsr1);
  process.off('SIGINT', onInt);
  try {
    await server.stop();
    await hooks.afterStop?.(false);
  } finally {
    process.off('SIGTERM', onTerm);
  }
  return code;
}

export async function validate(argv: string[], log: Logger): Promise<number> {
  const [{ loadCorefile }, { describeBlock, validateBlocks }] = await Promise.all([import('./config.ts'), import('./validate.ts')]);
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('validate: give exactly one Corefile');
  const file = positionals[0]!;
  const loaded = loadCorefile(file, { onWarning: (m) => log.warn(m) });
  if ('error' in loaded) throw loaded.error;
  const findings = validateBlocks(loaded.blocks);
  for (const f of findings) log.warn(`${f.file}:${f.line}: ${f.message}`);
  process.stdout.write(`${file}: valid, ${loaded.blocks.length} server block${loaded.blocks.length === 1 ? '' : 's'}${findings.length > 0 ? `, ${findings.length} warning${findings.length === 1 ? '' : 's'}` : ''}\n`);
  for (const b of loaded.blocks) process.stdout.write(`  ${describeBlock(b)}\n`);
  return 0;
}

