/**
 * A test plugin standing for an authoritative one (kubernetes, hosts): answers `nx.*` with
 * NXDOMAIN and an SOA, every other name with AA and, for A, one address (192.0.2.1, TTL 30); its
 * replies are cacheable, so the server's answer cache replays repeats. `calls` counts chain runs.
 * Register it beside the real plugins: `new Map([...plugins, ['answerer', answerer.definition]])`.
 */
import type { PluginDefinition } from '../core/handler.ts';
import { reply } from '../core/request.ts';
import { RRType, Rcode } from '../dns/types.ts';
import { rr } from './rr.ts';

export interface Answerer {
  readonly definition: PluginDefinition<unknown>;
  /** How many queries reached the plugin (answer-cache hits do not). */
  readonly calls: number;
}

export function testAnswerer(): Answerer {
  let calls = 0;
  const source = { revision: 1 };
  const definition: PluginDefinition<null> = {
    name: 'answerer',
    parse: () => null,
    setup: () => () => ({
      name: 'answerer',
      serveDNS(req, w) {
        calls++;
        if (req.lname.startsWith('nx.')) {
          w.write(reply(req, { rcode: Rcode.NXDOMAIN, authorities: [rr('example.org. 5 IN SOA ns.example.org. h.example.org. 1 2 3 4 5')] }), 'answerer');
        } else {
          w.write(reply(req, { aa: true, answers: req.qtype === RRType.A ? [rr(`${req.qname} 30 IN A 192.0.2.1`)] : [] }), 'answerer');
        }
        w.cacheable(source);
        return Promise.resolve();
      },
    }),
  };
  return { definition: definition as PluginDefinition<unknown>, get calls() { return calls; } };
}
