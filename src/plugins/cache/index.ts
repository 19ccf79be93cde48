/**
 * cache: a frontend cache for the answers of the plugins after it (CoreDNS plugin/cache). The
 * definition: parse in setup.ts, the handler in cache.ts. Once per server block. No hooks: the
 * stores live as long as the configuration, and background refreshes end with the chain's own
 * timeouts.
 */
import type { PluginDefinition } from '../../core/handler.ts';
import { CacheHandler } from './cache.ts';
import type { CacheOptions } from './setup.ts';
import { parseCache } from './setup.ts';

export const cachePlugin: PluginDefinition<CacheOptions> = {
  name: 'cache',
  once: true,
  parse: (d, zones) => parseCache(d, zones),
  setup: (options) => (next) => new CacheHandler(next, options),
};
