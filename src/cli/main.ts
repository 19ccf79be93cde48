#!/usr/bin/env node
/**
 * The podns command line. Argument parsing and file/stdout I/O only; the work is done by
 * server/, podconf/ and explain/.
 *
 *   podns serve [--conf FILE] [--manifests PATH]... [--dns.port N]
 *   podns nodecache --localip IP[,IP]... --conf FILE [serve's and node-cache's options]
 *   podns validate FILE
 */
import { parseArgs } from 'node:util';
import type { ServerBlock } from '../corefile/index.ts';
import { CorefileError, parseCorefile } from '../corefile/index.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import { consoleLogger } from '../core/log.ts';
import type { Logger } from '../core/log.ts';
import { DnsServer } from '../server/server.ts';
import type { LoadedConfig } from '../server/server.ts';
import { loadCorefile } from './config.ts';
import { describeBlock, validateBlocks } from './validate.ts';
import { kubeadmCorefile } from './default-corefile.ts';
import { NODECACHE_FLAGS, NodeCache, NodeCacheError, expandBooleanFlags, nodeCacheConfig } from '../nodecache/index.ts';

export const VERSION = '0.1.0';

const USAGE = `usage: podns <command> [options]

commands:
  serve      serve DNS as configured by a Corefile
             --conf FILE         the Corefile (default: kubeadm's default Corefile)
             --manifests PATH    read cluster state from these manifest files or folders
                                 (repeatable) instead of an API server
             --dns.port N        port for server keys written without one (default 53)
             SIGUSR1 reloads the Corefile; SIGTERM/SIGINT shut down (after health's lameduck)
  nodecache  serve as NodeLocal DNSCache's node-cache does on a node: an interface holding the
             local IPs, iptables NOTRACK/ACCEPT rules for them, then serve's options; teardown
             on SIGTERM/SIGINT (src/nodecache/README.md)
             --localip IP,IP...  the addresses to hold and serve (required; one IP family)
             --conf FILE         NodeLocal DNSCache's Corefile (required); __PILLAR__CLUSTER__DNS__,
                                 __PILLAR__UPSTREAM__SERVERS__, __PILLAR__LOCAL__DNS__ and
                                 __PILLAR__DNS__SERVER__ are filled as node-cache fills them
             --manifests PATH    as for serve
             --dns.port N        as for serve; also the port in the iptables rules (53)
             --interface-name NAME        the interface to create (default nodelocaldns)
             --setup-interface[=false]    create the interface and add the IPs (default true)
             --setup-iptables[=false]     add the iptables rules (default true)
             --skip-teardown              leave the interface and rules in place on exit
             --upstream-svc NAME          the Service whose ClusterIP ($NAME_SERVICE_HOST) fills
                                          __PILLAR__CLUSTER__DNS__ (default kube-dns)
             --health-port N              the health plugin's port, for its rules (default 8080)
             --sync-interval DURATION     check and restore the interface and rules (default 60s; 0: never)
  validate   check a Corefile without serving it: errors with file:line (exit status 1),
             warnings, and each server block's plugins in execution order
             FILE                the Corefile
  version    print the version
`;

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

async function serve(argv: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({ args: argv, options: SERVE_FLAGS, strict: true });
  return runServer(values, log);
}

async function nodecache(argv: string[], log: Logger): Promise<number> {
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

function validate(argv: string[], log: Logger): number {
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

export async function main(argv: string[]): Promise<number> {
  const log = consoleLogger();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': return await serve(rest, log);
      case 'nodecache': return await nodecache(rest, log);
      case 'validate': return validate(rest, log);
      case 'version': case '--version': process.stdout.write(`podns ${VERSION}\n`); return 0;
      case undefined: case 'help': case '--help': case '-h': process.stdout.write(USAGE); return command === undefined ? 2 : 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) { process.stderr.write(`podns: ${err.message}\n\n${USAGE}`); return 2; }
    if (err instanceof ConfigError || err instanceof CorefileError || err instanceof NodeCacheError) { log.error(err.message); return 1; }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('E')) {
      // System errors (EADDRINUSE, EACCES, ENOENT…): a clear line, not a stack.
      log.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
