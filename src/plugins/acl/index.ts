/**
 * acl: allows, blocks (REFUSED), filters (NODATA) or drops queries by the client's source address
 * and the query type (CoreDNS plugin/acl). See README.md.
 */
import type { PluginDefinition } from '../../core/handler.ts';
import type { AclRule } from './setup.ts';
import { parseAcl, setupAcl } from './setup.ts';

export type { AclRule, Action, Policy } from './setup.ts';
export { parseAcl, setupAcl } from './setup.ts';
export { AclHandler } from './acl.ts';

export const aclPlugin: PluginDefinition<AclRule> = {
  name: 'acl',
  parse: parseAcl,
  setup: setupAcl,
};
