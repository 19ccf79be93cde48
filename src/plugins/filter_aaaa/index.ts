/**
 * filter_aaaa: answers AAAA queries NODATA (with a synthetic SOA) instead of forwarding them, for
 * IPv4-only clusters (podns's own plugin; users.md pain #7). Sits just before `forward` in the
 * chain, so cluster names, hosts entries and everything else answered authoritatively are never
 * affected. See README.md.
 */
import type { PluginDefinition } from '../../core/handler.ts';
import type { FilterAaaaOptions } from './setup.ts';
import { parseFilterAaaa, setupFilterAaaa } from './setup.ts';

export type { FilterAaaaOptions } from './setup.ts';
export { parseFilterAaaa, setupFilterAaaa } from './setup.ts';
export { FilterAaaaHandler, SOA_MNAME, SOA_RNAME } from './filter.ts';

export const filterAaaaPlugin: PluginDefinition<FilterAaaaOptions> = {
  name: 'filter_aaaa',
  once: true,
  parse: parseFilterAaaa,
  setup: setupFilterAaaa,
};
