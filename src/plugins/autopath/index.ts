/**
 * autopath: server-side search path completion (CoreDNS plugin/autopath). See README.md.
 */
import type { PluginDefinition } from '../../core/handler.ts';
import type { AutopathOptions } from './setup.ts';
import { parseAutopath, setupAutopath } from './setup.ts';

export type { AutopathOptions } from './setup.ts';
export { parseAutopath, setupAutopath } from './setup.ts';
export { AutopathHandler, cnamer, mayAutopath } from './autopath.ts';

export const autopathPlugin: PluginDefinition<AutopathOptions> = {
  name: 'autopath',
  once: true,
  parse: parseAutopath,
  setup: setupAutopath,
};
