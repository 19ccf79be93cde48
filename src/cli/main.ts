#!/usr/bin/env node
/**
 * The podns command line. Argument parsing and file/stdout I/O only; the work is done by
 * server/, podconf/ and explain/.
 *
 *   podns serve [--conf FILE] [--manifests PATH]... [--dns.port N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ServerBlock } from '../corefile/index.ts';
import { CorefileError, parseCorefile } from '../corefile/index.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import { consoleLogger } from '../core/log.ts';
import type { Logger } from '../core/log.ts';
import { plugins } from '../plugins/registry.ts';
import { DnsServer } from '../server/server.ts';
import { kubeadmCorefile } from './default-corefile.ts';

export const VERSION = '0.1.0';

const USAGE = `usage: podns <command> [options]

commands:
  serve      serve DNS as configured by a Corefile
             --conf FILE         the Corefile (default: kubeadm's default Corefile)
             --manifests PATH    read cluster state from these manifest files or folders
                                 (repeatable) instead of an API server
             --dns.port N        port for server keys written without one (default 53)
  version    print the version
`;

/** Drops from the built-in Corefile the directives podns does not provide yet, saying which. */
function builtinBlocks(log: Logger): ServerBlock[] {
  const blocks = parseCorefile(kubeadmCorefile, { file: '<built-in Corefile>' });
  const skipped = new Set<string>();
  const kept = blocks.map((b) => ({
    ...b,
    directives: b.directives.filter((d) => plugins.has(d.name) || (skipped.add(d.name), false)),
  }));
  if (skipped.size > 0) log.warn(`built-in Corefile: not provided yet, left out: ${[...skipped].join(', ')}`);
  return kept;
}

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
  let blocks: ServerBlock[];
  if (values.conf !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.conf, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the Corefile ${values.conf}: ${(err as Error).message}`);
    }
    blocks = parseCorefile(text, { file: values.conf, env: process.env });
  } else {
    blocks = builtinBlocks(log);
  }
  let defaultPort = 53;
  if (values['dns.port'] !== undefined) {
    defaultPort = Number(values['dns.port']);
    if (!Number.isInteger(defaultPort) || defaultPort < 0 || defaultPort > 65535) throw new UsageError(`--dns.port: not a port: ${values['dns.port']}`);
  }
  const server = DnsServer.create(blocks, { manifests: values.manifests ?? [], log, defaultPort });
  await server.start();
  for (const a of server.addresses()) log.info(`listening on ${a.transport}://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`);
  log.info(`podns-${VERSION}`);
  await new Promise<void>((resolve) => {
    const stop = (sig: string): void => { log.info(`${sig}: shutting down`); resolve(); };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await server.stop();
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const log = consoleLogger();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': return await serve(rest, log);
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
