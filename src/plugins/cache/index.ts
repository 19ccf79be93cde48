// Placeholder until the plugin lands; replaced by the real definition.
import type { PluginDefinition } from '../../core/handler.ts';
import { ConfigError } from '../../core/errors.ts';

export const cachePlugin: PluginDefinition<null> = {
  name: 'cache',
  parse(d) { throw new ConfigError(d.file, d.line, "plugin 'cache' is not provided by podns yet"); },
  setup() { return null; },
};
