#!/usr/bin/env node
/**
 * The podns command line. Argument parsing and file/stdout I/O only; the work is done by
 * server/, podconf/ and explain/.
 *
 *   podns serve [--conf FILE] [--manifests PATH]... [--dns.port N]
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

export const VERSION = '0.1.0';

const USAGE = `usage: podns <command> [options]

commands:
  serve      serve DNS as configured by a Corefile
             --conf FILE         the Corefile (default: kubeadm's default Corefile)
             --manifests PATH    read cluster state from these manifest files or folders
                                 (repeatable) instead of an API server
             --dns.port N        port for server keys written without one (default 53)
             SIGUSR1 reloads the Corefile; SIGTERM/SIGINT shut down (after health's lameduck)
  validate   check a Corefile without serving it: errors with file:line (exit status 1),
             warnings, and each server block's plugins in execution order
             FILE                the Corefile
  version    print the version
`;

async function serve(argv: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      conf: { type: 'string' },
      manifests: { type: 'string', multiple: true },
      'dns.port': { type: 'string' },
    },
    strict: true,
  });
  let blocks: readonly ServerBlock[];
  let hash = '';
  let load: (() => LoadedConfig) | undefined;
  const onWarning = (m: string): void => log.warn(m);
  if (values.conf !== undefined) {
    const file = values.conf;
    const loaded = loadCorefile(file, { onWarning });
    if ('error' in loaded) throw loaded.error;
    ({ blocks, hash } = loaded);
    load = () => loadCorefile(file, { onWarning });
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
  await server.start();
  for (const a of server.addresses()) log.info(`listening on ${a.transport}://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`);
  log.info(`podns-${VERSION}`);
  const onUsr1 = (): void => {
    void server.reload().then((r) => {
      if (r.status === 'failed') log.error(`plugin/reload: Corefile changed but reload failed: ${r.error.message}`);
      if (r.status === 'unchanged') log.info('SIGUSR1: configuration unchanged');
    });
  };
  process.on('SIGUSR1', onUsr1);
  const code = await new Promise<number>((resolve) => {
    const stop = (sig: string): void => { log.info(`${sig}: shutting down`); resolve(0); };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    fatal = (m) => { log.error(m); resolve(1); };
  });
  process.off('SIGUSR1', onUsr1);
  await server.stop();
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
      case 'validate': return validate(rest, log);
      case 'version': case '--version': process.stdout.write(`podns ${VERSION}\n`); return 0;
      case undefined: case 'help': case '--help': case '-h': process.stdout.write(USAGE); return command === undefined ? 2 : 0;
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) { process.stderr.write(`podns: ${err.message}\n\n${USAGE}`); return 2; }
    if (err instanceof ConfigError || err instanceof CorefileError) { log.error(err.message); return 1; }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('E')) {
      // System errors (EADDRINUSE, EACCES, ENOENT…): a clear line, not a stack.
      log.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
