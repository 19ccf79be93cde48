/**
 * hosts: serves A, AAAA and generated PTR records from an /etc/hosts-style file and inline
 * entries (CoreDNS plugin/hosts). Setup checks the file (a missing one is a warning, as in
 * CoreDNS), reads it before the listeners open, and re-reads it every `reload` interval when its
 * modification time or size changed; the timer is unref'd and stopped when the configuration
 * stops serving. Once per server block.
 */
import { statSync } from 'node:fs';
import type { Handler, PluginDefinition, SetupContext } from '../../core/handler.ts';
import { ConfigError } from '../../core/errors.ts';
import { HostsHandler } from './hosts.ts';
import { hostsEntries } from './metrics.ts';
import { HostsFileReader } from './reader.ts';
import type { HostsOptions } from './setup.ts';
import { parseHosts } from './setup.ts';
import { HostsTable } from './table.ts';

export type { HostsOptions } from './setup.ts';
export { parseHosts } from './setup.ts';

/** Sets the plugin up; returns the reader too, for tests that drive refreshes. */
export function setupHosts(options: HostsOptions, ctx: SetupContext): { table: HostsTable; reader: HostsFileReader; factory: (next: Handler) => HostsHandler } {
  const log = ctx.log.plugin('hosts');
  let reported: string | null = null;
  try {
    if (statSync(options.path).isDirectory()) log.warn(`Hosts file ${JSON.stringify(options.path)} is a directory`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'ENOENT') throw new ConfigError(options.file, options.line, `plugin/hosts: unable to access hosts file '${options.path}': ${e.message}`);
    log.warn(`File does not exist: ${options.path}`);
    reported = 'ENOENT';
  }
  const table = new HostsTable(options.inline, options.ttl);
  const reader = new HostsFileReader(options, table, log, reported);
  let timer: NodeJS.Timeout | null = null;
  ctx.onStartup(async () => {
    await reader.refresh();
    hostsEntries.set(table.size);
    if (options.reloadMs > 0) {
      timer = setInterval(() => { void reader.refresh(); }, options.reloadMs);
      timer.unref();
    }
  });
  ctx.onShutdown(() => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  });
  return { table, reader, factory: (next) => new HostsHandler(options, table, next) };
}

export const hostsPlugin: PluginDefinition<HostsOptions> = {
  name: 'hosts',
  once: true,
  parse: parseHosts,
  setup: (options, ctx) => setupHosts(options, ctx).factory,
};
