/**
 * loadbalance: shuffles A, AAAA and MX records of NOERROR replies, CNAMEs first (CoreDNS
 * plugin/loadbalance, round_robin policy and `prefer`). See README.md.
 */
import type { PluginDefinition } from '../../core/handler.ts';
import type { LoadbalanceOptions } from './setup.ts';
import { parseLoadbalance, setupLoadbalance } from './setup.ts';

export type { LoadbalanceOptions } from './setup.ts';
export { parseCidr, parseLoadbalance, setupLoadbalance } from './setup.ts';

export const loadbalancePlugin: PluginDefinition<LoadbalanceOptions> = {
  name: 'loadbalance',
  parse: (d) => parseLoadbalance(d),
  setup: (o, ctx) => setupLoadbalance(o, ctx),
};
