/**
 * The filter_aaaa stanza (podns's own plugin, users.md pain #7):
 *   filter_aaaa [ZONES...] {
 *       except NAMES...
 *       ttl SECONDS
 *   }
 * ZONES default to the server block's; `except` names (and the names below them) are never
 * filtered; `ttl` (default 300, at most 86400) is the TTL and MINIMUM of the synthetic SOA, i.e.
 * how long clients cache the empty answer. The filtered count is taken by an observer, so that
 * replies replayed from the answer cache (which never reach the handler) are counted too.
 */
import type { Directive } from '../../corefile/index.ts';
import { zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginFactory, SetupContext } from '../../core/handler.ts';
import { FilterAaaaHandler } from './filter.ts';
import { filtered } from './metrics.ts';

export interface FilterAaaaOptions {
  /** Zones whose AAAA queries are filtered (lower case, absolute). */
  readonly zones: readonly string[];
  /** Names never filtered, with everything below them (lower case, absolute). */
  readonly except: readonly string[];
  /** TTL and MINIMUM of the synthetic SOA (seconds). */
  readonly ttl: number;
}

export const DEFAULT_TTL = 300;
export const MAX_TTL = 86400;

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/filter_aaaa: ${message}`);
}

export function parseFilterAaaa(d: Directive, blockZones: readonly string[]): FilterAaaaOptions {
  const zones = d.args.length > 0 ? zonesFromArgs(d.args, d, 'filter_aaaa') : [...blockZones];
  const except: string[] = [];
  let ttl = DEFAULT_TTL;
  for (const c of d.block ?? []) {
    switch (c.name) {
      case 'except':
        if (c.args.length === 0) throw fail(c, 'except needs at least one name');
        for (const n of zonesFromArgs(c.args, c, 'filter_aaaa')) if (!except.includes(n)) except.push(n);
        break;
      case 'ttl': {
        const [t, extra] = c.args;
        if (t === undefined || extra !== undefined) throw fail(c, `ttl takes one argument, got ${c.args.length}`);
        if (!/^[0-9]+$/.test(t) || Number(t) > MAX_TTL) throw fail(c, `ttl must be an integer from 0 to ${MAX_TTL}, got ${JSON.stringify(t)}`);
        ttl = Number(t);
        break;
      }
      default:
        throw fail(c, `unknown property '${c.name}'`);
    }
  }
  return { zones, except, ttl };
}

export function setupFilterAaaa(o: FilterAaaaOptions, ctx: SetupContext): PluginFactory {
  ctx.observe((e) => {
    if (e.by === 'filter_aaaa') filtered.inc({ server: e.server });
  });
  return (next) => new FilterAaaaHandler(next, o);
}
