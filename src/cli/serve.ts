/**
 * The commands that build a server from a Corefile: `serve`, `nodecache` (serve plus
 * node-cache's interface and iptables rules) and `validate`. Kept apart from main.ts and loaded
 * only for these commands, so that `podns pod files` starts without the server's modules.
 */
import { parseArgs } from 'node:util';
import type { ServerBlock } from '../corefile/index.ts';
import { parseCorefile } from '../corefile/index.ts';
import { UsageError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { DnsServer } from '../server/server.ts';
import type { LoadedConfig } from '../server/server.ts';
import { loadCorefile } from './config.ts';
import { describeBlock, validateBlocks } from './validate.ts';
import { kubeadmCorefile } from './default-corefile.ts';
import { NODECACHE_FLAGS, NodeCache, expandBooleanFlags, nodeCacheConfig } from '../nodecache/index.ts';
import { VERSION } from './version.ts';

const SERVE_FLAGS = {
  conf: { type: 'string' },
  manifests: { type: 'string', multiple: true },
  'dns.port': { type: 'string' },
} as const;

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

export async function serve(argv: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({ args: argv, options: SERVE_FLAGS, strict: true });
  return runServer(values, log);
}

export async function nodecache(argv: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({ args: expandBooleanFlags(argv), options: { ...SERVE_FLAGS, ...NODECACHE_FLAGS }, strict: true });
  if (values.conf === undefined) throw new UsageError('nodecache: --conf FILE is required (NodeLocal DNSCache\'s Corefile)');
  return runServer(values, log, new NodeCache(nodeCacheConfig(values), { log }));
}

async function runServer(values: ServeValues, log: Logger, hooks: ServeHooks = {}): Promise<number> {
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
  let defaultPort = 53;
  if (values['dns.port'] !== undefined) {
    defaultPort = Number(values['dns.port']);
    if (!Number.isInteger(defaultPort) || defaultPort < 0 || defaultPort > 65535) throw new UsageError(`--dns.port: not a port: ${values['dns.port']}`);
  }
  let fatal: (message: string) => void = () => {};
  const server = DnsServer.create(blocks, {
    manifests: values.manifests ?? [], log, defaultPort, configHash: hash,
    ...(load !== undefined ? { load } : {}),
    onFatal: (m) => fatal(m),
  });
  // Signals are taken from here on, so one that arrives while starting still shuts down cleanly.
  let onSignal: (sig: string) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    onSignal = (sig) => { log.info(`${sig}: shutting down`); resolve(0); };
    fatal = (m) => { log.error(m); resolve(1); };
  });
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  const onUsr1 = (): void => {
    void server.reload().then((r) => {
      if (r.status === 'failed') log.error(`plugin/reload: Corefile changed but reload failed: ${r.error.message}`);
      if (r.status === 'unchanged') log.info('SIGUSR1: configuration unchanged');
    });
  };
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  let started = false;
  try {
    await hooks.beforeListen?.();
    await server.start();
    started = true;
    for (const a of server.addresses()) log.info(`listening on ${a.transport}://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`);
    await hooks.afterListen?.();
  } catch (err) {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    if (started) await server.stop();
    await hooks.afterStop?.(true);
    throw err;
  }
  log.info(`podns-${VERSION}`);
  process.on('SIGUSR1', onUsr1);
  const code = await stopped;
  process.off('SIGUSR1', onUsr1);
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  await server.stop();
  await hooks.afterStop?.(false);
  return code;
}

export function validate(argv: string[], log: Logger): number {
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

