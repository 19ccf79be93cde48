/**
 * The autopath stanza (CoreDNS plugin/autopath/setup.go): `autopath [ZONES...] RESOLV-CONF` or
 * `autopath [ZONES...] @kubernetes`. Parsing is pure; the search list is resolved at startup,
 * once every plugin of the block is set up: the resolv.conf file is read, or the kubernetes
 * plugin's AutoPather is looked up (a missing one fails the start with a clear error, where
 * CoreDNS silently does nothing).
 */
import type { Directive } from '../../corefile/index.ts';
import { zonesFromArgs } from '../../corefile/index.ts';
import { AUTOPATH } from '../../core/capabilities.ts';
import type { AutoPather } from '../../core/capabilities.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginFactory, SetupContext } from '../../core/handler.ts';
import { AutopathHandler } from './autopath.ts';
import type { SourceCell } from './autopath.ts';
import { readResolvSearch } from './resolvconf.ts';

export interface AutopathOptions {
  /** Zones autopath works in (lower case, absolute); default the server block's. */
  readonly zones: readonly string[];
  /** `@NAME`: the plugin whose search path is used (only `kubernetes` offers one); null with a file. */
  readonly plugin: string | null;
  /** The resolv.conf to read the search list from; null with `@NAME`. */
  readonly resolvConf: string | null;
  /** Where the directive is, for errors raised at startup. */
  readonly file: string;
  readonly line: number;
}

/** Plugins that offer a search path under the AUTOPATH capability. */
const PATHERS = new Set(['kubernetes']);

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/autopath: ${message}`);
}

export function parseAutopath(d: Directive, blockZones: readonly string[]): AutopathOptions {
  if (d.block !== null && d.block.length > 0) throw fail(d, `unknown property '${d.block[0]!.name}'`);
  const last = d.args.at(-1);
  if (last === undefined) throw fail(d, 'no resolv-conf specified');
  let plugin: string | null = null;
  let resolvConf: string | null = null;
  if (last.startsWith('@')) {
    plugin = last.slice(1);
    if (!PATHERS.has(plugin)) throw fail(d, `${last}: only @kubernetes can provide a search path`);
  } else {
    resolvConf = last;
  }
  const zoneArgs = d.args.slice(0, -1);
  const zones = zoneArgs.length > 0 ? zonesFromArgs(zoneArgs, d, 'autopath') : [...blockZones];
  return { zones, plugin, resolvConf, file: d.file, line: d.line };
}

function isAutoPather(v: unknown): v is AutoPather {
  return typeof v === 'object' && v !== null && typeof (v as { searchPath?: unknown }).searchPath === 'function';
}

export function setupAutopath(o: AutopathOptions, ctx: SetupContext): PluginFactory {
  const cell: SourceCell = { source: null };
  const log = ctx.log.plugin('autopath');
  ctx.onStartup(() => {
    if (o.plugin !== null) {
      const p = ctx.provided(AUTOPATH);
      if (!isAutoPather(p)) {
        throw new ConfigError(o.file, o.line, `plugin/autopath: @${o.plugin}: no ${o.plugin} plugin in this server block provides a search path (add a ${o.plugin} stanza with \`pods verified\`)`);
      }
      cell.source = p;
      return;
    }
    const file = o.resolvConf!;
    let search: string[];
    try {
      search = readResolvSearch(file);
    } catch (err) {
      throw new ConfigError(o.file, o.line, `plugin/autopath: failed to parse ${JSON.stringify(file)}: ${(err as Error).message}`);
    }
    if (search.length === 0) log.warn(`no search domains in ${file}: nothing to autopath`);
    const path = Object.freeze([...search, '']);
    cell.source = { searchPath: () => path };
  });
  return (next) => new AutopathHandler(next, o.zones, cell, o.plugin !== null);
}
